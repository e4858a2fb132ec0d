package agent

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dispatchd/dispatchd/runnerproto"
)

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// stepLog is what the events say of one step.
type stepLog struct {
	name                string
	started, finished   int // indices in the event list; -1 when absent
	lines               []int
	outcome, conclusion string
	text                []string
}

func steps(events []runnerproto.Event) map[int]*stepLog {
	out := map[int]*stepLog{}
	get := func(n int) *stepLog {
		if out[n] == nil {
			out[n] = &stepLog{started: -1, finished: -1}
		}
		return out[n]
	}
	for i, e := range events {
		s := get(e.Step)
		switch e.Kind {
		case runnerproto.EventStepStarted:
			s.started, s.name = i, e.Name
		case runnerproto.EventLog:
			s.lines = append(s.lines, i)
			s.text = append(s.text, e.Text)
		case runnerproto.EventStepFinished:
			s.finished, s.outcome, s.conclusion = i, e.Outcome, e.Conclusion
		}
	}
	return out
}

// checkOrder checks that every step starts, logs and finishes in this
// order, and that steps follow one another.
func checkOrder(t *testing.T, events []runnerproto.Event) map[int]*stepLog {
	t.Helper()
	st := steps(events)
	prevEnd := -1
	for n := range len(st) {
		s := st[n]
		if s == nil {
			t.Fatalf("no events for step %d (steps: %d)", n, len(st))
		}
		if s.started < 0 || s.finished < 0 || s.started > s.finished || s.started < prevEnd {
			t.Errorf("step %d %q: started at %d, finished at %d, previous step finished at %d", n, s.name, s.started, s.finished, prevEnd)
		}
		for _, l := range s.lines {
			if l < s.started || l > s.finished {
				t.Errorf("step %d: log line %d outside [%d, %d]", n, l, s.started, s.finished)
			}
		}
		prevEnd = s.finished
	}
	return st
}

func logText(events []runnerproto.Event) string {
	var b strings.Builder
	for _, e := range events {
		if e.Kind == runnerproto.EventLog {
			b.WriteString(e.Text + "\n")
		}
	}
	return b.String()
}

const mainWorkflow = `
name: test
on: workflow_dispatch
jobs:
  Build:
    runs-on: [self-hosted]
    outputs:
      x: ${{ steps.out.outputs.x }}
    steps:
      - run: echo hello
      - run: |
          echo "::add-mask::very-secret-value"
          echo "the value is very-secret-value"
      - run: exit 3
        continue-on-error: true
      - id: out
        run: echo "x=1" >> $GITHUB_OUTPUT
      - run: sleep 2
      - run: echo "matrix ${{ matrix.os }}, secret ${{ secrets.S }}, job ${{ github.job }}"
`

func TestJob(t *testing.T) {
	fs := newFakeServer(t)
	ra := startAgent(t, fs, nil)
	job := testJob(t, 41, "build", mainWorkflow, map[string]string{"matrix": `{"os":"linux"}`})
	job.Secrets = map[string]string{"S": "the-secret-s"}
	fs.jobs <- job

	c := fs.waitCompletion(t, 41)
	if c.Result.Result != "success" || c.Result.Outputs["x"] != "1" {
		t.Errorf("completion %+v", c.Result)
	}
	f := ra.waitFinished(t)
	if !f.reported || f.result.Result != "success" || f.job.ID != 41 {
		t.Errorf("JobFinished(%d, %s, %v)", f.job.ID, f.result.Result, f.reported)
	}

	events := fs.appliedEvents(41)
	st := checkOrder(t, events)
	if len(st) != 8 || st[0].name != "Set up job" || st[7].name != "Complete job" {
		t.Errorf("%d steps: %q … %q", len(st), st[0].name, st[len(st)-1].name)
	}
	text := logText(events)
	for _, want := range []string{"hello", "the value is ***", "matrix linux, secret ***, job Build"} {
		if !strings.Contains(text, want) {
			t.Errorf("the log lacks %q:\n%s", want, text)
		}
	}
	// The script's header shows the ::add-mask:: command as written, as
	// GitHub's does; its output is masked.
	if strings.Contains(text, "\nthe value is very-secret-value\n") || strings.Contains(text, "the-secret-s") {
		t.Errorf("the log shows a secret:\n%s", text)
	}
	if s := st[3]; s.outcome != "failure" || s.conclusion != "success" {
		t.Errorf("continue-on-error step: outcome %s, conclusion %s", s.outcome, s.conclusion)
	}

	// Batches: Seq from 1 without gaps (the server checks), empty ones
	// (heartbeats) while `sleep 2` runs.
	reqs := fs.eventRequests(41)
	started, ended, empty := -1, -1, 0
	for i, b := range reqs {
		for _, e := range b.Events {
			if e.Step == 5 && e.Kind == runnerproto.EventStepStarted {
				started = i
			}
			if e.Step == 5 && e.Kind == runnerproto.EventStepFinished {
				ended = i
			}
		}
		if started >= 0 && ended < 0 && len(b.Events) == 0 {
			empty++
		}
	}
	if started < 0 || ended < 0 || empty == 0 {
		t.Errorf("sleep step started in batch %d, finished in batch %d, %d empty batches between", started, ended, empty)
	}
	if reqs[0].Seq != 1 {
		t.Errorf("first batch has Seq %d", reqs[0].Seq)
	}

	fs.mu.Lock()
	if len(fs.acquires) == 0 || fs.acquires[0].Busy != 0 {
		t.Errorf("acquire requests %+v", fs.acquires)
	}
	fs.mu.Unlock()
	if _, err := os.Stat(filepath.Join(ra.workDir, "41")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the job's work directory is still there: %v", err)
	}
	if err := ra.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
}

const sleepWorkflow = `
on: workflow_dispatch
jobs:
  wait:
    runs-on: self-hosted
    steps:
      - run: sleep 30
      - if: always()
        run: echo "cleaning up"
`

// sawStepStarted is an onEvents hook condition: the batch starts step n.
func sawStepStarted(b runnerproto.Events, n int) bool {
	return slices.ContainsFunc(b.Events, func(e runnerproto.Event) bool {
		return e.Kind == runnerproto.EventStepStarted && e.Step == n
	})
}

func TestCancelFromServer(t *testing.T) {
	fs := newFakeServer(t)
	var mu sync.Mutex
	cancelled := false
	fs.onEvents = func(id int64, b runnerproto.Events) (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		cancelled = cancelled || sawStepStarted(b, 1)
		return 0, cancelled
	}
	ra := startAgent(t, fs, nil)
	fs.jobs <- testJob(t, 42, "wait", sleepWorkflow, nil)

	c := fs.waitCompletion(t, 42)
	if c.Result.Result != "cancelled" {
		t.Errorf("result %s, want cancelled", c.Result.Result)
	}
	st := checkOrder(t, fs.appliedEvents(42))
	if st[1].conclusion != "cancelled" {
		t.Errorf("sleep step: %s/%s", st[1].outcome, st[1].conclusion)
	}
	if st[2].conclusion != "success" || !strings.Contains(strings.Join(st[2].text, "\n"), "cleaning up") {
		t.Errorf("always() step: %s %q", st[2].conclusion, st[2].text)
	}
	if f := ra.waitFinished(t); !f.reported || f.result.Result != "cancelled" {
		t.Errorf("JobFinished: %s, reported %v", f.result.Result, f.reported)
	}
}

func TestJobGone(t *testing.T) {
	fs := newFakeServer(t)
	var mu sync.Mutex
	gone := false
	fs.onEvents = func(id int64, b runnerproto.Events) (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		gone = gone || sawStepStarted(b, 1)
		if gone {
			return http.StatusNotFound, false
		}
		return 0, false
	}
	ra := startAgent(t, fs, nil)
	fs.jobs <- testJob(t, 43, "wait", sleepWorkflow, nil)

	f := ra.waitFinished(t)
	if f.reported || f.result.Result != "cancelled" {
		t.Errorf("JobFinished: %s, reported %v", f.result.Result, f.reported)
	}
	fs.mu.Lock()
	_, completed := fs.completions[43]
	fs.mu.Unlock()
	if completed {
		t.Error("the job was completed after the server answered 404")
	}
	// Nothing is sent after the 404.
	reqs := fs.eventRequests(43)
	if last := reqs[len(reqs)-1]; !sawStepStarted(last, 1) {
		t.Errorf("%d batches; the last one is %+v", len(reqs), last)
	}
	// The runner goes on taking jobs.
	fs.mu.Lock()
	fs.onEvents = nil
	fs.mu.Unlock()
	fs.jobs <- testJob(t, 44, "build", mainWorkflow, nil)
	if c := fs.waitCompletion(t, 44); c.Result.Result != "success" {
		t.Errorf("next job: %s", c.Result.Result)
	}
}

func TestRetryKeepsSeq(t *testing.T) {
	fs := newFakeServer(t)
	var mu sync.Mutex
	failed := 0
	fs.onEvents = func(id int64, b runnerproto.Events) (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		// The batch is applied, but its answer is lost, twice: the runner
		// must send it again as it was.
		if b.Seq == 2 && failed < 2 {
			failed++
			return http.StatusBadGateway, false
		}
		return 0, false
	}
	startAgent(t, fs, nil)
	fs.jobs <- testJob(t, 45, "build", mainWorkflow, nil)
	if c := fs.waitCompletion(t, 45); c.Result.Result != "success" {
		t.Errorf("result %s", c.Result.Result)
	}
	var seq2 []runnerproto.Events
	for _, b := range fs.eventRequests(45) {
		if b.Seq == 2 {
			seq2 = append(seq2, b)
		}
	}
	if len(seq2) != 3 {
		t.Fatalf("batch 2 sent %d times, want 3", len(seq2))
	}
	first, _ := json.Marshal(seq2[0])
	for _, b := range seq2[1:] {
		if again, _ := json.Marshal(b); string(again) != string(first) {
			t.Errorf("retried batch differs:\n%s\n%s", first, again)
		}
	}
	// Applied once: every step starts once.
	checkOrder(t, fs.appliedEvents(45))
}

func TestShutdownCancelsAndReports(t *testing.T) {
	fs := newFakeServer(t)
	started := make(chan struct{})
	var once sync.Once
	fs.onEvents = func(id int64, b runnerproto.Events) (int, bool) {
		if sawStepStarted(b, 1) {
			once.Do(func() { close(started) })
		}
		return 0, false
	}
	ra := startAgent(t, fs, nil)
	fs.jobs <- testJob(t, 46, "wait", sleepWorkflow, nil)
	select {
	case <-started:
	case <-time.After(60 * time.Second):
		t.Fatal("the sleep step never started")
	}
	if err := ra.stop(t); err != nil {
		t.Errorf("Run: %v", err)
	}
	fs.mu.Lock()
	c, ok := fs.completions[46]
	fs.mu.Unlock()
	if !ok || c.Result.Result != "cancelled" {
		t.Errorf("completion %v %+v", ok, c.Result)
	}
	if st := checkOrder(t, fs.appliedEvents(46)); st[1].conclusion != "cancelled" {
		t.Errorf("sleep step: %s", st[1].conclusion)
	}
}

func TestRefusedCredentials(t *testing.T) {
	fs := newFakeServer(t)
	ra := startAgent(t, fs, func(c *Config) { c.Token = "wrong" })
	err := <-ra.done
	close(ra.done)
	if !errors.Is(err, ErrCredentialsRefused) || !strings.Contains(err.Error(), "Bad credentials") {
		t.Errorf("Run: %v", err)
	}
}

func TestBadJobFailsSetUp(t *testing.T) {
	fs := newFakeServer(t)
	startAgent(t, fs, nil)
	fs.jobs <- testJob(t, 47, "missing", mainWorkflow, nil)
	if c := fs.waitCompletion(t, 47); c.Result.Result != "failure" {
		t.Errorf("result %s", c.Result.Result)
	}
	events := fs.appliedEvents(47)
	st := checkOrder(t, events)
	if len(st) != 1 || st[0].conclusion != "failure" || !strings.Contains(logText(events), `##[error]the workflow .github/workflows/test.yml has no job "missing"`) {
		t.Errorf("events %+v", events)
	}
}

func TestRegister(t *testing.T) {
	fs := newFakeServer(t)
	creds, err := Register(context.Background(), fs.srv.URL+"/", testRegistrationToken, "r1", []string{"gpu"})
	if err != nil {
		t.Fatal(err)
	}
	want := runnerproto.Credentials{URL: fs.srv.URL, ID: 7, Name: "r1", Token: testRunnerToken,
		Labels: []string{"self-hosted", "Linux", "X64", "gpu"}}
	if !reflect.DeepEqual(*creds, want) {
		t.Errorf("credentials %+v, want %+v", *creds, want)
	}
	_, err = Register(context.Background(), fs.srv.URL, "wrong", "r1", nil)
	if err == nil || !strings.Contains(err.Error(), "Invalid registration token") {
		t.Errorf("wrong token: %v", err)
	}
}
