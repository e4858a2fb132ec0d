package broker

import (
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/runner"
	"github.com/dispatchd/dispatchd/runnerproto"
)

// held returns the job r holds, refreshing its sign of life; ENOTFOUND
// when r does not hold it (any more).
func (b *Broker) held(r *dispatchd.Runner, jobID int64) (*Offer, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o := b.assigned[jobID]
	if o == nil || o.runner.ID != r.ID {
		return nil, dispatchd.ErrNotFound
	}
	o.seen = time.Now()
	b.presence(r).seen = o.seen
	return o, nil
}

// Grant returns what the token of a running job allows; nil once the job
// ended (its token is then refused) or before a runner took it.
func (b *Broker) Grant(jobID int64) *dispatchd.JobGrant {
	b.mu.Lock()
	defer b.mu.Unlock()
	if o := b.assigned[jobID]; o != nil {
		return o.Grant
	}
	return nil
}

// RunUsing returns the grant of a running job that holds the token with
// this hash among its secrets (the latest such job), or nil.
func (b *Broker) RunUsing(tokenHash string) *dispatchd.JobGrant {
	b.tokMu.RLock()
	defer b.tokMu.RUnlock()
	var found *dispatchd.JobGrant
	for _, o := range b.byToken[tokenHash] {
		if o.Grant != nil && (found == nil || o.Grant.JobID > found.JobID) {
			found = o.Grant
		}
	}
	return found
}

// Events applies a batch of a job's events, once per sequence number, and
// tells whether the job was cancelled.
func (b *Broker) Events(r *dispatchd.Runner, jobID int64, batch runnerproto.Events) (cancel bool, err error) {
	o, err := b.held(r, jobID)
	if err != nil {
		return false, err
	}
	o.apply.Lock()
	if batch.Seq > o.seq {
		o.seq = batch.Seq
		for _, e := range batch.Events {
			o.report(e)
		}
	}
	o.apply.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	return o.cancelled, nil
}

func (o *Offer) report(e runnerproto.Event) {
	rep := o.Reporter
	switch e.Kind {
	case runnerproto.EventStepStarted:
		o.openStep = e.Step
		rep.StepStarted(e.Step, e.Name)
	case runnerproto.EventLog:
		rep.Log(e.Step, e.At, e.Text)
	case runnerproto.EventStepFinished:
		if o.openStep == e.Step {
			o.openStep = -1
		}
		rep.StepFinished(e.Step, e.Outcome, e.Conclusion)
	case runnerproto.EventAnnotation:
		if e.Annotation != nil {
			rep.Annotation(*e.Annotation)
		}
	}
}

// Complete ends the job r holds with its result.
func (b *Broker) Complete(r *dispatchd.Runner, jobID int64, res runner.Result) error {
	o, err := b.held(r, jobID)
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.unassign(o)
	b.mu.Unlock()
	o.done <- res
	return nil
}
