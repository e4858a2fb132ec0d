// Package broker hands ready jobs to runners: the scheduler submits a job
// and waits for its result; runners take jobs whose runs-on labels they
// have through a long poll, report events and finish them. A runner that
// stays silent longer than the timeout while it holds a job has lost it:
// the job fails with GitHub's message. Everything here lives in memory: the
// store holds what outlives a restart (runs, jobs, logs).
package broker

import (
	"sync"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/runner"
	"github.com/dispatchd/dispatchd/runnerproto"
)

// DefaultTimeout is how long a runner may stay silent while holding a job.
const DefaultTimeout = 60 * time.Second

// LostMessage is the error a job gets when its runner goes silent.
const LostMessage = "The runner has lost communication with the server. Verify the machine is running and has a healthy network connection."

// Offer is a job waiting for a runner, then running on one.
type Offer struct {
	Job      runnerproto.Job
	Repo     *dispatchd.Repo
	Labels   []string        // runs-on, evaluated
	Reporter runner.Reporter // where the runner's events go
	// Assigned is called when a runner takes the job; may be nil.
	Assigned func(r *dispatchd.Runner)
	// Grant is what the job's token allows while a runner runs the job.
	Grant *dispatchd.JobGrant
	// TokenHashes are the hashes of the dispatchd tokens among the job's
	// secrets: a dispatch made with one of them while the job runs was
	// caused by the job's run.
	TokenHashes []string

	done      chan runner.Result
	runner    *dispatchd.Runner
	seen      time.Time // the runner's last word on this job
	seq       int64     // the last batch of events applied
	openStep  int       // a step started and not finished, -1 when none
	cancelled bool

	apply sync.Mutex // events are applied in order, one batch at a time
}

// Broker matches offers with runners.
type Broker struct {
	Timeout time.Duration
	// Polling, when set, hears that a runner waits for work: the scheduler
	// claims runs only while runners are free to take their jobs.
	Polling func()

	mu       sync.Mutex
	queue    []*Offer
	waiters  []*waiter
	assigned map[int64]*Offer // by job id
	// byToken indexes assigned offers by the hashes of the tokens among
	// their secrets. Every dispatch looks it up, so it has its own lock,
	// written under mu and read without it: the dispatches no longer queue
	// on mu behind the runners' polls and each other.
	tokMu   sync.RWMutex
	byToken map[string][]*Offer
	runners map[int64]*presence
	stop    chan struct{}
}

type waiter struct {
	runner *dispatchd.Runner
	got    chan *Offer // buffered: the broker never blocks on a runner
}

// presence is what the broker knows of a runner's liveness.
type presence struct {
	runner  *dispatchd.Runner
	seen    time.Time
	polling int
	busy    int
}

// New returns a broker whose reaper runs until Close.
func New(timeout time.Duration) *Broker {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	b := &Broker{Timeout: timeout, assigned: map[int64]*Offer{}, byToken: map[string][]*Offer{}, runners: map[int64]*presence{}, stop: make(chan struct{})}
	go b.reap()
	return b
}

// Close stops the reaper, ends the long polls and releases every Submit:
// the server is stopping.
func (b *Broker) Close() { close(b.stop) }
