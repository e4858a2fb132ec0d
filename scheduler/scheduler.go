// Package scheduler executes the runs that dispatches create: it claims
// queued runs as soon as a dispatch wakes it and runners are free, runs each
// with the engine, hands every job to the runners through the broker, and
// records jobs, steps, logs and conclusions in the store, where the runs API
// reads them.
package scheduler

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/broker"
	"github.com/dispatchd/dispatchd/seal"
)

// Config is what a scheduler needs.
type Config struct {
	Store   dispatchd.Store
	Broker  *broker.Broker // hands the jobs to runners
	Keys    seal.Keys      // opens the stored secrets for the runs
	BaseURL string         // the server's external root URL
	// TokenKey signs the jobs' GITHUB_TOKENs; the API verifies them.
	TokenKey []byte
	MaxRuns  int // how many runs execute at once at most
	Logger   *slog.Logger
}

// DefaultMaxRuns bounds the runs executing at once: their jobs wait for
// runners in the broker, and a run holds a goroutine or a few per job.
const DefaultMaxRuns = 256

// Scheduler executes queued runs on the runners of a broker.
type Scheduler struct {
	Config
	wake    chan struct{}
	mu      sync.Mutex
	cancels map[int64]context.CancelFunc
	// starting counts claimed runs that have not offered a job yet: the
	// runners that wait are theirs, not free for further claims.
	starting atomic.Int64
}

// New returns a scheduler; Run starts it. It wakes whenever a runner waits
// for work.
func New(c Config) *Scheduler {
	if c.MaxRuns <= 0 {
		c.MaxRuns = DefaultMaxRuns
	}
	s := &Scheduler{Config: c, wake: make(chan struct{}, 1), cancels: map[int64]context.CancelFunc{}}
	c.Broker.Polling = s.Wake
	return s
}

// free is how many more runs may start: runners wait for their jobs.
func (s *Scheduler) free(active int) int {
	return min(s.MaxRuns-active, s.Broker.Idle()-int(s.starting.Load()))
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
	if n, err := s.Store.ResetInProgressRuns(ctx, broker.LostMessage); err != nil {
		return err
	} else if n > 0 {
		s.Logger.Info("runs interrupted by a stop are queued again", "runs", n)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	finished := make(chan struct{}, s.MaxRuns)
	active := 0
	for {
		if free := s.free(active); free > 0 && ctx.Err() == nil {
			runs, replaced, err := s.Store.ClaimQueuedRuns(ctx, free)
			if err != nil && ctx.Err() == nil {
				s.Logger.Error("claiming runs failed", "err", err)
			}
			for _, id := range replaced {
				s.Cancel(id) // cancel-in-progress: a newer run of its group replaces it
			}
			for _, r := range runs {
				active++
				s.starting.Add(1)
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
