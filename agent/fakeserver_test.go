package agent

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dispatchd/dispatchd/runner"
	"github.com/dispatchd/dispatchd/runnerproto"
)

// Shorter than the protocol's, so that the tests see many heartbeats.
func TestMain(m *testing.M) {
	flushEvery = 100 * time.Millisecond
	os.Exit(m.Run())
}

const (
	testRegistrationToken = "reg-token-1"
	testRunnerToken       = "runner-token-1"
)

// fakeServer speaks the server side of runnerproto, on 127.0.0.1, for
// the jobs it is given: it records what the runner sends.
type fakeServer struct {
	t    *testing.T
	srv  *httptest.Server
	jobs chan *runnerproto.Job
	poll time.Duration // how long an acquire is held without a job

	// onEvents, when set, sees every events request after it was
	// applied (or dropped as a retry) and may answer another status than
	// 200 (0 keeps it) and ask for cancellation.
	onEvents func(id int64, b runnerproto.Events) (status int, cancel bool)

	mu          sync.Mutex
	acquires    []runnerproto.AcquireRequest
	requests    map[int64][]runnerproto.Events // every events request, retries included
	lastSeq     map[int64]int64
	applied     map[int64][]runnerproto.Event // the events of the batches applied once each
	completions map[int64]runnerproto.Completion
	completed   chan int64
}

func newFakeServer(t *testing.T) *fakeServer {
	fs := &fakeServer{t: t, jobs: make(chan *runnerproto.Job, 10), poll: 200 * time.Millisecond,
		requests: map[int64][]runnerproto.Events{}, lastSeq: map[int64]int64{}, applied: map[int64][]runnerproto.Event{},
		completions: map[int64]runnerproto.Completion{}, completed: make(chan int64, 10)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+runnerproto.PathRegister, fs.register)
	mux.HandleFunc("POST "+runnerproto.PathAcquire, fs.acquire)
	mux.HandleFunc("POST "+runnerproto.PathJobs+"{id}/events", fs.events)
	mux.HandleFunc("POST "+runnerproto.PathJobs+"{id}/complete", fs.complete)
	fs.srv = httptest.NewServer(mux) // 127.0.0.1
	t.Cleanup(fs.srv.Close)
	return fs
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, runnerproto.Error{Message: msg})
}

func (fs *fakeServer) authorized(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Authorization") != "Bearer "+testRunnerToken {
		writeError(w, http.StatusUnauthorized, "Bad credentials")
		return false
	}
	return true
}

func (fs *fakeServer) register(w http.ResponseWriter, r *http.Request) {
	var req runnerproto.RegisterRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if req.Token != testRegistrationToken {
		writeError(w, http.StatusUnauthorized, "Invalid registration token")
		return
	}
	writeJSON(w, http.StatusCreated, runnerproto.RegisterResponse{ID: 7, Name: req.Name, Token: testRunnerToken,
		Labels: append([]string{"self-hosted", "Linux", "X64"}, req.Labels...)})
}

func (fs *fakeServer) acquire(w http.ResponseWriter, r *http.Request) {
	if !fs.authorized(w, r) {
		return
	}
	var req runnerproto.AcquireRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	fs.mu.Lock()
	fs.acquires = append(fs.acquires, req)
	fs.mu.Unlock()
	t := time.NewTimer(fs.poll)
	defer t.Stop()
	select {
	case job := <-fs.jobs:
		writeJSON(w, http.StatusOK, job)
	case <-t.C:
		w.WriteHeader(http.StatusNoContent)
	case <-r.Context().Done():
	}
}

func (fs *fakeServer) events(w http.ResponseWriter, r *http.Request) {
	if !fs.authorized(w, r) {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var b runnerproto.Events
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if b.Events == nil {
		fs.t.Errorf("job %d: batch %d has events null, want a list", id, b.Seq)
	}
	fs.mu.Lock()
	fs.requests[id] = append(fs.requests[id], b)
	if b.Seq > fs.lastSeq[id] {
		if b.Seq != fs.lastSeq[id]+1 {
			fs.t.Errorf("job %d: batch %d follows batch %d", id, b.Seq, fs.lastSeq[id])
		}
		fs.lastSeq[id] = b.Seq
		fs.applied[id] = append(fs.applied[id], b.Events...)
	}
	hook := fs.onEvents
	fs.mu.Unlock()
	status, cancel := 0, false
	if hook != nil {
		status, cancel = hook(id, b)
	}
	if status != 0 && status != http.StatusOK {
		writeError(w, status, http.StatusText(status))
		return
	}
	writeJSON(w, http.StatusOK, runnerproto.EventsResponse{Cancel: cancel})
}

func (fs *fakeServer) complete(w http.ResponseWriter, r *http.Request) {
	if !fs.authorized(w, r) {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var c runnerproto.Completion
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	fs.mu.Lock()
	if _, dup := fs.completions[id]; dup {
		fs.t.Errorf("job %d completed twice", id)
	}
	fs.completions[id] = c
	fs.mu.Unlock()
	fs.completed <- id
	w.WriteHeader(http.StatusNoContent)
}

// waitCompletion waits for job id's completion, generously.
func (fs *fakeServer) waitCompletion(t *testing.T, id int64) runnerproto.Completion {
	t.Helper()
	select {
	case got := <-fs.completed:
		if got != id {
			t.Fatalf("job %d completed, want %d", got, id)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("job %d never completed", id)
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.completions[id]
}

func (fs *fakeServer) appliedEvents(id int64) []runnerproto.Event {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]runnerproto.Event(nil), fs.applied[id]...)
}

func (fs *fakeServer) eventRequests(id int64) []runnerproto.Events {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]runnerproto.Events(nil), fs.requests[id]...)
}

// finished is what Config.JobFinished saw.
type finished struct {
	job      *runnerproto.Job
	result   runner.Result
	reported bool
}

// runningAgent is agent.Run in a goroutine, against fs.
type runningAgent struct {
	cancel   context.CancelFunc
	done     chan error
	finished chan finished
	workDir  string
}

func startAgent(t *testing.T, fs *fakeServer, edit func(*Config)) *runningAgent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ra := &runningAgent{cancel: cancel, done: make(chan error, 1), finished: make(chan finished, 10),
		workDir: t.TempDir()}
	cfg := Config{URL: fs.srv.URL, Token: testRunnerToken, WorkDir: ra.workDir,
		JobFinished: func(job *runnerproto.Job, res runner.Result, reported bool) {
			ra.finished <- finished{job, res, reported}
		}}
	if testing.Verbose() {
		cfg.Logger = testLogger(t)
	}
	if edit != nil {
		edit(&cfg)
	}
	go func() { ra.done <- Run(ctx, cfg) }()
	t.Cleanup(func() { ra.stop(t) })
	return ra
}

// stop ends Run and returns its error.
func (ra *runningAgent) stop(t *testing.T) error {
	ra.cancel()
	select {
	case err, ok := <-ra.done:
		if ok {
			close(ra.done)
		}
		return err
	case <-time.After(60 * time.Second):
		t.Fatal("Run did not return after its context ended")
		return errors.New("unreachable")
	}
}

func (ra *runningAgent) waitFinished(t *testing.T) finished {
	t.Helper()
	select {
	case f := <-ra.finished:
		return f
	case <-time.After(60 * time.Second):
		t.Fatal("no job finished")
		return finished{}
	}
}

// testJob is a job of the workflow src, with the contexts a server sends.
func testJob(t *testing.T, id int64, key, src string, extra map[string]string) *runnerproto.Job {
	t.Helper()
	contexts := map[string]json.RawMessage{
		"github": json.RawMessage(`{"repository":"owner/repo","repository_owner":"owner","sha":"0000000000000000000000000000000000000000",` +
			`"ref":"refs/heads/main","event_name":"workflow_dispatch","actor":"admin","run_id":"5","run_number":"1",` +
			`"run_attempt":"1","workflow":"test","server_url":"http://127.0.0.1","api_url":"http://127.0.0.1/api/v3"}`),
		"inputs":   json.RawMessage(`{}`),
		"vars":     json.RawMessage(`{}`),
		"needs":    json.RawMessage(`{}`),
		"strategy": json.RawMessage(`{"fail-fast":true,"job-index":0,"job-total":1,"max-parallel":1}`),
	}
	for k, v := range extra {
		contexts[k] = json.RawMessage(v)
	}
	return &runnerproto.Job{ID: id, RunID: 5, Name: key, Repository: "owner/repo", WorkflowPath: ".github/workflows/test.yml",
		WorkflowSource: strings.TrimLeft(src, "\n"), JobKey: key, Contexts: contexts, Event: json.RawMessage(`{"inputs":{}}`),
		Checkout: runnerproto.Checkout{GitURL: "http://127.0.0.1:1/owner/repo.git", Token: "job-token",
			SHA: "0000000000000000000000000000000000000000"}}
}
