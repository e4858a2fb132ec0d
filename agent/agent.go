// Package agent is the runner side of the runner protocol (runnerproto):
// it registers with a dispatchd server, takes jobs over a long poll,
// executes them with the runner package, streams their step events and
// logs back in batches that double as heartbeats, and reports their
// results. `dispatchd runner` is a thin command around it.
package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dispatchd/dispatchd/runner"
	"github.com/dispatchd/dispatchd/runnerproto"
)

// Config is a registered runner's configuration.
type Config struct {
	URL      string // the server's root URL
	Token    string // the runner's own token, from Register
	Capacity int    // jobs executed at once; 0 means 1
	// WorkDir holds a directory per running job, removed after it;
	// empty means ./_work.
	WorkDir string
	Logger  *slog.Logger // nil discards the log
	// Environment is the base environment of the steps; nil means
	// engine.BaseEnvironment(), never the runner's whole environment.
	Environment []string
	HTTPClient  *http.Client // nil means a default client; requests carry their own timeouts

	// Optional hooks, for a command's output. Connected is called once,
	// when the server has first accepted a request for jobs. JobStarted
	// and JobFinished are called from the job's goroutine; reported is
	// false when the server was not told the result (it had given the job
	// up, or could not be reached).
	Connected   func()
	JobStarted  func(job *runnerproto.Job)
	JobFinished func(job *runnerproto.Job, result runner.Result, reported bool)
}

// ErrCredentialsRefused is what Run returns, wrapped, when the server
// answers 401 to the runner's token: the runner was removed, or the
// credentials belong to another server.
var ErrCredentialsRefused = errors.New("the server refused the runner's credentials")

// heldFor is how long the server must hold a first request for jobs
// before the runner counts as connected: a refused token is answered at
// once.
const heldFor = time.Second

type agent struct {
	cfg       Config
	client    *client
	log       *slog.Logger
	busy      atomic.Int64
	connected func()
}

// Run takes jobs from the server and executes them, Capacity at a time,
// until ctx ends: then it stops asking, cancels the running jobs, sends
// their last events and results (within a few seconds) and returns nil.
// It returns an error wrapping ErrCredentialsRefused when the server
// refuses the runner's token, after cancelling and reporting the running
// jobs likewise. Network errors and server errors are retried.
func Run(ctx context.Context, cfg Config) error {
	if cfg.URL == "" {
		return errors.New("the runner has no server URL")
	}
	if cfg.Token == "" {
		return errors.New("the runner has no token: register it first")
	}
	if cfg.Capacity <= 0 {
		cfg.Capacity = 1
	}
	if cfg.WorkDir == "" {
		cfg.WorkDir = "_work"
	}
	work, err := filepath.Abs(cfg.WorkDir)
	if err != nil {
		return err
	}
	cfg.WorkDir = work
	if err := os.MkdirAll(cfg.WorkDir, 0o755); err != nil {
		return fmt.Errorf("the runner's work directory: %w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &agent{cfg: cfg, client: newClient(cfg.URL, cfg.Token, cfg.HTTPClient), log: log,
		connected: sync.OnceFunc(func() {
			if cfg.Connected != nil {
				cfg.Connected()
			}
		})}

	runCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var wg sync.WaitGroup
	for range cfg.Capacity {
		wg.Go(func() { a.worker(runCtx, stop) })
	}
	wg.Wait()
	if err := context.Cause(runCtx); errors.Is(err, ErrCredentialsRefused) {
		return err
	}
	return nil
}

// worker asks for a job, executes it, and asks again, until ctx ends or
// the server refuses the runner's credentials (then it calls fail).
func (a *agent) worker(ctx context.Context, fail context.CancelCauseFunc) {
	var b backoff
	for ctx.Err() == nil {
		job, err := a.acquire(ctx)
		switch {
		case err == nil:
			b.reset()
			if job != nil {
				// Even when ctx has just ended: the job is ours now, and
				// is reported cancelled rather than left to be found lost.
				a.busy.Add(1)
				a.execute(ctx, job)
				a.busy.Add(-1)
			}
		case ctx.Err() != nil:
			return
		case statusOf(err) == http.StatusUnauthorized:
			fail(fmt.Errorf("%w: %v", ErrCredentialsRefused, err))
			return
		default:
			d := b.next()
			a.log.Warn("asking the server for a job failed", "err", err, "retry_in", d.String())
			sleep(ctx, d)
		}
	}
}

// acquire is one long poll: a job, or nil when the server had none
// within its poll timeout.
func (a *agent) acquire(ctx context.Context) (*runnerproto.Job, error) {
	var mu sync.Mutex
	var held *time.Timer
	wrote := func() {
		mu.Lock()
		defer mu.Unlock()
		if held == nil {
			held = time.AfterFunc(heldFor, a.connected)
		}
	}
	var job runnerproto.Job
	status, err := a.client.post(ctx, runnerproto.PathAcquire, runnerproto.AcquireRequest{Busy: int(a.busy.Load())},
		&job, acquireTimeout, wrote)
	mu.Lock()
	if held != nil {
		held.Stop()
	}
	mu.Unlock()
	if err != nil {
		return nil, err
	}
	a.connected()
	switch status {
	case http.StatusNoContent:
		return nil, nil
	case http.StatusOK:
		if job.ID == 0 {
			return nil, errors.New("the server handed out a job without an id")
		}
		return &job, nil
	}
	return nil, fmt.Errorf("POST %s: unexpected answer (HTTP %d)", runnerproto.PathAcquire, status)
}
