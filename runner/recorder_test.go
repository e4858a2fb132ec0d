package runner

import (
	"context"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dispatchd/dispatchd/workflow"
)

// testTimings shorten the runner's waits; one timeout minute is a second.
var testTimings = timings{
	minute:         time.Second,
	interruptGrace: 300 * time.Millisecond,
	terminateGrace: 300 * time.Millisecond,
	streamGrace:    300 * time.Millisecond,
}

// recorder is a Reporter that keeps everything, and checks the contract:
// calls never overlap, steps start before they log and finish once.
type recorder struct {
	mu          sync.Mutex
	inCall      atomic.Int32
	overlapped  atomic.Bool
	steps       map[int]*recStep
	order       []int
	annotations []Annotation
	problems    []string
	onLog       func(n int, line string) // optional; runs inside Log
}

type recStep struct {
	name                string
	lines               []string
	outcome, conclusion string
	finished            bool
}

func newRecorder() *recorder { return &recorder{steps: map[int]*recStep{}} }

func (r *recorder) enter() func() {
	if r.inCall.Add(1) > 1 {
		r.overlapped.Store(true)
	}
	r.mu.Lock()
	return func() {
		r.mu.Unlock()
		r.inCall.Add(-1)
	}
}

func (r *recorder) StepStarted(n int, name string) {
	defer r.enter()()
	if _, dup := r.steps[n]; dup {
		r.problems = append(r.problems, "step started twice: "+name)
	}
	r.steps[n] = &recStep{name: name}
	r.order = append(r.order, n)
}

func (r *recorder) Log(n int, _ time.Time, line string) {
	defer r.enter()()
	s := r.steps[n]
	if s == nil || s.finished {
		r.problems = append(r.problems, "log outside a running step: "+line)
		return
	}
	s.lines = append(s.lines, line)
	if r.onLog != nil {
		r.onLog(n, line)
	}
}

func (r *recorder) StepFinished(n int, outcome, conclusion string) {
	defer r.enter()()
	s := r.steps[n]
	if s == nil || s.finished {
		r.problems = append(r.problems, "step finished twice or never started")
		return
	}
	s.outcome, s.conclusion, s.finished = outcome, conclusion, true
}

func (r *recorder) Annotation(a Annotation) {
	defer r.enter()()
	r.annotations = append(r.annotations, a)
}

// step returns the record of step n.
func (r *recorder) step(t *testing.T, n int) *recStep {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.steps[n]
	if s == nil {
		t.Fatalf("step %d was never reported; reported: %v", n, r.order)
	}
	return s
}

// check fails the test if the reporter contract was broken.
func (r *recorder) check(t *testing.T) {
	t.Helper()
	if r.overlapped.Load() {
		t.Error("Reporter calls overlapped")
	}
	for _, p := range r.problems {
		t.Error(p)
	}
	for i, n := range r.order {
		if n != i {
			t.Errorf("steps reported in order %v, want 0, 1, 2, …", r.order)
			break
		}
	}
}

// output is what the step printed after its header (the README's
// definition of a step's output).
func (s *recStep) output() []string {
	if len(s.lines) == 0 || !strings.HasPrefix(s.lines[0], "##[group]Run ") {
		return s.lines
	}
	for i, l := range s.lines {
		if l == "##[endgroup]" {
			return s.lines[i+1:]
		}
	}
	return nil
}

// header is the step's header, up to its ##[endgroup].
func (s *recStep) header() []string {
	out := s.lines[:len(s.lines)-len(s.output())]
	return out
}

// all is the whole log as one text.
func (s *recStep) all() string { return strings.Join(s.lines, "\n") }

// containsInOrder reports the first of want that is not found as a whole
// line of lines, in order (not necessarily adjacent).
func containsInOrder(lines, want []string) (missing string, ok bool) {
	i := 0
	for _, w := range want {
		for i < len(lines) && lines[i] != w {
			i++
		}
		if i == len(lines) {
			return w, false
		}
		i++
	}
	return "", true
}

// runJob runs a job with test timings and a recorder.
func runJob(t *testing.T, ctx context.Context, job *Job) (Result, *recorder) {
	t.Helper()
	return runJobWith(t, ctx, job, newRecorder())
}

func runJobWith(t *testing.T, ctx context.Context, job *Job, rec *recorder) (Result, *recorder) {
	t.Helper()
	res := newJobRun(job, rec, testTimings).execute(ctx)
	rec.check(t)
	return res, rec
}

// runInline runs job jobID of an inline workflow.
func runInline(t *testing.T, src, jobID string) (Result, *recorder) {
	t.Helper()
	return runJob(t, context.Background(), simpleJob(t, src, jobID))
}

// wantOutput checks that step n printed the lines, in order.
func wantOutput(t *testing.T, rec *recorder, n int, lines ...string) {
	t.Helper()
	s := rec.step(t, n)
	if missing, ok := containsInOrder(s.output(), lines); !ok {
		t.Errorf("step %d (%s) lacks the line %q; log:\n%s", n, s.name, missing, s.all())
	}
}

// wantStep checks a step's result.
func wantStep(t *testing.T, res Result, i int, outcome, conclusion string) {
	t.Helper()
	if i >= len(res.Steps) {
		t.Fatalf("no step %d in %+v", i, res.Steps)
	}
	if s := res.Steps[i]; s.Outcome != outcome || s.Conclusion != conclusion {
		t.Errorf("step %d (%s): %s/%s, want %s/%s", i+1, s.Name, s.Outcome, s.Conclusion, outcome, conclusion)
	}
}

// parseWorkflow parses a workflow text for a test.
func parseWorkflow(t *testing.T, src string) *workflow.Workflow {
	t.Helper()
	w, problems := workflow.Parse("test.yml", []byte(src))
	for _, p := range problems {
		if p.Severity == "error" {
			t.Fatalf("workflow does not parse: %d:%d %s", p.Line, p.Column, p.Message)
		}
	}
	return w
}

// simpleJob is a job of an inline workflow with a minimal github context.
func simpleJob(t *testing.T, src, jobID string) *Job {
	t.Helper()
	w := parseWorkflow(t, src)
	spec := w.Job(jobID)
	if spec == nil {
		t.Fatalf("no job %q", jobID)
	}
	gh := map[string]any{
		"repository": "octo-org/octo-repo", "ref": "refs/heads/main", "sha": mainSHA,
		"event_name": "workflow_dispatch", "actor": "octocat", "run_id": "1", "run_number": "1", "run_attempt": "1",
		"workflow": w.Name, "event": map[string]any{},
	}
	return &Job{
		Workflow: w, Spec: spec, Name: jobID,
		Contexts:    map[string]any{"github": gh},
		WorkDir:     t.TempDir(),
		Environment: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")},
	}
}
