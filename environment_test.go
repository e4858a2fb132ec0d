package dispatchd

import (
	"testing"
	"time"
)

// The wait timer's decision, at chosen instants: a test cannot wait minutes.
func TestPendingDeploymentReady(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	timer := &Environment{WaitTimer: 30}
	reviewed := &Environment{WaitTimer: 30, Reviewers: []int64{7}}
	cases := []struct {
		name  string
		env   *Environment
		state string
		at    time.Time
		want  bool
	}{
		{"timer running", timer, DeploymentWaiting, start.Add(29*time.Minute + 59*time.Second), false},
		{"timer elapsed", timer, DeploymentWaiting, start.Add(30 * time.Minute), true},
		{"approved, timer running", reviewed, DeploymentApproved, start.Add(time.Minute), false},
		{"timer elapsed, no approval", reviewed, DeploymentWaiting, start.Add(time.Hour), false},
		{"timer elapsed and approved", reviewed, DeploymentApproved, start.Add(time.Hour), true},
		{"rejected", reviewed, DeploymentRejected, start.Add(time.Hour), false},
		{"reviewers only, approved", &Environment{Reviewers: []int64{7}}, DeploymentApproved, start, true},
	}
	for _, c := range cases {
		d := &PendingDeployment{Environment: c.env, State: c.state, StartedAt: start}
		if got := d.Ready(c.at); got != c.want {
			t.Errorf("%s: Ready = %v, want %v", c.name, got, c.want)
		}
	}
	if end := (&PendingDeployment{Environment: timer, StartedAt: start}).TimerEnds(); !end.Equal(start.Add(30 * time.Minute)) {
		t.Errorf("TimerEnds = %v", end)
	}
}

func TestCanReview(t *testing.T) {
	env := &Environment{Name: "production", Reviewers: []int64{1, 2}}
	run := &Run{ActorID: 1, TriggeringActorID: 1}
	if err := CanReview(env, run, 1); err != nil {
		t.Errorf("a reviewer who triggered the run, no self-review rule: %v", err)
	}
	if err := CanReview(env, run, 3); ErrorCode(err) != EINVALID {
		t.Errorf("not a reviewer: %v", err)
	}
	env.PreventSelfReview = true
	if err := CanReview(env, run, 1); ErrorCode(err) != EINVALID {
		t.Errorf("self review prevented: %v", err)
	}
	if err := CanReview(env, &Run{ActorID: 3, TriggeringActorID: 2}, 2); ErrorCode(err) != EINVALID {
		t.Errorf("self review of a re-run's triggering actor: %v", err)
	}
	if err := CanReview(env, run, 2); err != nil {
		t.Errorf("another reviewer: %v", err)
	}
}

func TestEnvironmentNormalize(t *testing.T) {
	e := &Environment{Name: "prod", WaitTimer: MaxWaitTimer, Reviewers: []int64{4, 4, 5}}
	if err := e.Normalize(); err != nil || len(e.Reviewers) != 2 {
		t.Fatalf("Normalize = %v, %v", err, e.Reviewers)
	}
	for _, bad := range []*Environment{{Name: "p", WaitTimer: MaxWaitTimer + 1}, {Name: " "}, {Name: "a\nb"},
		{Name: "p", Reviewers: []int64{1, 2, 3, 4, 5, 6, 7}}} {
		if err := bad.Normalize(); ErrorCode(err) != EINVALID {
			t.Errorf("Normalize(%+v) = %v, want EINVALID", bad, err)
		}
	}
}
