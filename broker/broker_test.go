package broker

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/runner"
	"github.com/dispatchd/dispatchd/runnerproto"
)

// log is a Reporter that keeps what it hears.
type log struct {
	mu    sync.Mutex
	lines []string
}

func (l *log) add(s string) { l.mu.Lock(); l.lines = append(l.lines, s); l.mu.Unlock() }

func (l *log) StepStarted(n int, name string)                 { l.add("start " + name) }
func (l *log) Log(n int, at time.Time, line string)           { l.add(line) }
func (l *log) StepFinished(n int, outcome, conclusion string) { l.add("end " + conclusion) }
func (l *log) Annotation(a runner.Annotation)                 { l.add("annotation " + a.Message) }

func (l *log) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

var (
	org    = &dispatchd.User{ID: 7, Login: "org", Type: dispatchd.UserTypeOrg}
	repo   = &dispatchd.Repo{ID: 1, Owner: org}
	other  = &dispatchd.Repo{ID: 2, Owner: &dispatchd.User{ID: 8, Type: dispatchd.UserTypeUser}}
	linux  = &dispatchd.Runner{ID: 10, Scope: dispatchd.RunnerScopeServer, Labels: []string{"self-hosted", "linux", "ubuntu-latest"}}
	gpu    = &dispatchd.Runner{ID: 11, Scope: dispatchd.RunnerScopeRepo, OwnerID: 1, Labels: []string{"self-hosted", "gpu"}}
	orgRun = &dispatchd.Runner{ID: 12, Scope: dispatchd.RunnerScopeOrg, OwnerID: 7, Labels: []string{"self-hosted", "gpu"}}
)

func offer(id int64, r *dispatchd.Repo, labels ...string) *Offer {
	return &Offer{Job: runnerproto.Job{ID: id}, Repo: r, Labels: labels, Reporter: &log{}}
}

func TestMatchingAndResult(t *testing.T) {
	b := New(time.Minute)
	defer b.Close()
	ctx := context.Background()
	results := make(chan runner.Result, 3)
	for _, o := range []*Offer{offer(1, repo, "gpu"), offer(2, repo, "ubuntu-latest"), offer(3, other, "GPU")} {
		go func(o *Offer) { results <- b.Submit(ctx, o) }(o)
	}
	for queued(b) < 3 {
		time.Sleep(time.Millisecond)
	}
	// The repository's gpu runner gets the gpu job of its repository, not
	// the linux one nor another repository's.
	o := b.Acquire(ctx, gpu)
	if o == nil || o.Job.ID != 1 {
		t.Fatalf("gpu runner of repo 1 got %+v, want job 1", o)
	}
	if _, err := b.Events(gpu, 1, runnerproto.Events{Seq: 1, Events: []runnerproto.Event{{Kind: runnerproto.EventStepStarted, Name: "Run x"}}}); err != nil {
		t.Fatal(err)
	}
	if err := b.Complete(gpu, 1, runner.Result{Result: "success"}); err != nil {
		t.Fatal(err)
	}
	if o := b.Acquire(ctx, linux); o == nil || o.Job.ID != 2 {
		t.Fatalf("linux runner got %v, want job 2", o)
	}
	if err := b.Complete(gpu, 2, runner.Result{}); dispatchd.ErrorCode(err) != dispatchd.ENOTFOUND {
		t.Fatalf("completing another runner's job: %v", err)
	}
	b.Complete(linux, 2, runner.Result{Result: "failure"})
	for range 2 {
		if r := <-results; r.Result != "success" && r.Result != "failure" {
			t.Fatalf("result %+v", r)
		}
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if o := b.Acquire(short, orgRun); o != nil {
		t.Fatalf("org runner of org 7 took job %d of another owner", o.Job.ID)
	}
}

func TestWaitingRunnerGetsNewJob(t *testing.T) {
	b := New(time.Minute)
	defer b.Close()
	got := make(chan *Offer)
	go func() { got <- b.Acquire(context.Background(), linux) }()
	for !b.Status(linux.ID).Online {
		time.Sleep(time.Millisecond)
	}
	go b.Submit(context.Background(), offer(5, repo, "linux"))
	if o := <-got; o == nil || o.Job.ID != 5 {
		t.Fatalf("waiting runner got %v", o)
	}
	if !b.Status(linux.ID).Busy {
		t.Fatal("runner holding a job is not busy")
	}
}

func TestDuplicateBatchAndCancel(t *testing.T) {
	b := New(time.Minute)
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	o := offer(1, repo)
	res := make(chan runner.Result)
	go func() { res <- b.Submit(ctx, o) }()
	if b.Acquire(context.Background(), linux) == nil {
		t.Fatal("no job")
	}
	batch := runnerproto.Events{Seq: 1, Events: []runnerproto.Event{{Kind: runnerproto.EventLog, Text: "hello"}}}
	b.Events(linux, 1, batch)
	b.Events(linux, 1, batch) // a retry after a lost answer
	if lines := o.Reporter.(*log).all(); len(lines) != 1 {
		t.Fatalf("lines %q: the retried batch was applied twice", lines)
	}
	cancel()
	for {
		c, err := b.Events(linux, 1, runnerproto.Events{Seq: 2})
		if err != nil {
			t.Fatal(err)
		}
		if c {
			break
		}
		time.Sleep(time.Millisecond)
	}
	b.Complete(linux, 1, runner.Result{Result: "cancelled"})
	if r := <-res; r.Result != "cancelled" {
		t.Fatalf("result %+v", r)
	}
	// A queued job cancelled before any runner took it ends at once.
	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() { res <- b.Submit(ctx2, offer(2, repo, "no-such-label")) }()
	cancel2()
	if r := <-res; r.Result != "cancelled" {
		t.Fatalf("queued job: %+v", r)
	}
}

func TestLostRunner(t *testing.T) {
	b := New(50 * time.Millisecond)
	defer b.Close()
	o := offer(1, repo)
	res := make(chan runner.Result)
	go func() { res <- b.Submit(context.Background(), o) }()
	b.Acquire(context.Background(), linux)
	b.Events(linux, 1, runnerproto.Events{Seq: 1, Events: []runnerproto.Event{{Kind: runnerproto.EventStepStarted, Step: 1, Name: "Run sleep"}}})
	// The runner says nothing more.
	if r := <-res; r.Result != "failure" {
		t.Fatalf("result %+v", r)
	}
	lines := o.Reporter.(*log).all()
	want := []string{"start Run sleep", "##[error]" + LostMessage, "annotation " + LostMessage, "end failure"}
	if len(lines) != len(want) {
		t.Fatalf("lines %q, want %q", lines, want)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Fatalf("lines %q, want %q", lines, want)
		}
	}
	if _, err := b.Events(linux, 1, runnerproto.Events{Seq: 2}); dispatchd.ErrorCode(err) != dispatchd.ENOTFOUND {
		t.Fatalf("a lost runner's late batch: %v", err)
	}
}

func queued(b *Broker) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.queue)
}

// RunUsing finds the running job holding a token among its secrets, and
// forgets it once the job ends.
func TestRunUsing(t *testing.T) {
	b := New(time.Minute)
	defer b.Close()
	o := offer(9, repo)
	o.TokenHashes, o.Grant = []string{"h1"}, &dispatchd.JobGrant{JobID: 9, RunID: 3}
	go b.Submit(context.Background(), o)
	if g := b.RunUsing("h1"); g != nil {
		t.Fatal("a queued job counts as running")
	}
	b.Acquire(context.Background(), linux)
	if g := b.RunUsing("h1"); g == nil || g.RunID != 3 {
		t.Fatalf("RunUsing = %+v", g)
	}
	if g := b.RunUsing("h2"); g != nil {
		t.Fatalf("RunUsing(other) = %+v", g)
	}
	b.Complete(linux, 9, runner.Result{Result: "success"})
	if g := b.RunUsing("h1"); g != nil || len(b.byToken) != 0 {
		t.Fatalf("after the job: %+v, index %v", g, b.byToken)
	}
}
