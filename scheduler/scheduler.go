// Package scheduler executes the runs that dispatches create, inside the
// server: it claims queued runs as soon as a dispatch wakes it, runs each
// with the engine and the runner on embedded runners, and records jobs,
// steps, logs and conclusions in the store, where the runs API reads them.
package scheduler

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/gitrepo"
	"github.com/dispatchd/dispatchd/seal"
)

// Config is what a scheduler needs.
type Config struct {
	Store   dispatchd.Store
	Git     *gitrepo.Hub
	Keys    seal.Keys // opens the stored secrets for the runs
	BaseURL string    // the server's external root URL
	WorkDir string    // runs work below it
	Runners int       // how many runs execute at once
	Logger  *slog.Logger
}

// Scheduler runs queued runs on embedded runners.
type Scheduler struct {
	Config
	wake    chan struct{}
	mu      sync.Mutex
	cancels map[int64]context.CancelFunc
}

// New returns a scheduler; Run starts it.
func New(c Config) *Scheduler {
	c.Runners = max(1, c.Runners)
	return &Scheduler{Config: c, wake: make(chan struct{}, 1), cancels: map[int64]context.CancelFunc{}}
}

// Wake tells the scheduler that runs may be queued; it never blocks.
func (s *Scheduler) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Cancel stops a run that is executing here; its steps are signalled and
// only those whose if: holds under cancellation still run.
func (s *Scheduler) Cancel(runID int64) {
	s.mu.Lock()
	cancel := s.cancels[runID]
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// Run claims and executes runs until ctx ends, then waits for the runs in
// progress. Runs a previous server left in progress are queued again first.
func (s *Scheduler) Run(ctx context.Context) error {
	if n, err := s.Store.ResetInProgressRuns(ctx); err != nil {
		return err
	} else if n > 0 {
		s.Logger.Info("runs interrupted by a stop are queued again", "runs", n)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	finished := make(chan struct{}, s.Runners)
	active := 0
	for {
		if free := s.Runners - active; free > 0 && ctx.Err() == nil {
			runs, replaced, err := s.Store.ClaimQueuedRuns(ctx, free)
			if err != nil && ctx.Err() == nil {
				s.Logger.Error("claiming runs failed", "err", err)
			}
			for _, id := range replaced {
				s.Cancel(id) // cancel-in-progress: a newer run of its group replaces it
			}
			for _, r := range runs {
				active++
				wg.Add(1)
				go func(r *dispatchd.Run) {
					defer wg.Done()
					s.execute(ctx, r)
					finished <- struct{}{}
				}(r)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-finished:
			active--
		case <-time.After(time.Second): // runs queued by another process (admin tools, a restart)
		}
	}
}
