package scheduler

import (
	"testing"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/runner"
	"github.com/dispatchd/dispatchd/workflow"
)

func TestEnvironmentName(t *testing.T) {
	matrix := expr.NewObject()
	matrix.Set("region", "eu")
	contexts := map[string]any{"matrix": matrix}
	for raw, want := range map[string]string{"production": "production", "deploy-${{ matrix.region }}": "deploy-eu", "": ""} {
		job := &runner.Job{Spec: &workflow.Job{Environment: &workflow.Environment{Name: raw}}, Contexts: contexts}
		if got, err := environmentName(job); err != nil || got != want {
			t.Errorf("environmentName(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
	if got, err := environmentName(&runner.Job{Spec: &workflow.Job{}}); err != nil || got != "" {
		t.Errorf("no environment: %q, %v", got, err)
	}
}

// A held job reads its deployment once a poll, and wakes when its wait
// timer ends if that is sooner.
func TestNextLook(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	d := &dispatchd.PendingDeployment{Environment: &dispatchd.Environment{WaitTimer: 1}, StartedAt: start}
	if got := nextLook(d, start); got != deploymentPoll {
		t.Errorf("a minute left: %v", got)
	}
	if got := nextLook(d, start.Add(time.Minute-300*time.Millisecond)); got != 300*time.Millisecond {
		t.Errorf("300ms left: %v", got)
	}
	if got := nextLook(d, start.Add(2*time.Minute)); got != deploymentPoll {
		t.Errorf("timer elapsed, waiting for a review: %v", got)
	}
}
