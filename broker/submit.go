package broker

import (
	"context"
	"slices"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/runner"
)

// Submit queues the offer and returns its result once a runner finished
// it. Cancelling ctx cancels the job: a queued one ends at once as
// cancelled, a running one is cancelled by its runner, which still reports
// how it ended.
func (b *Broker) Submit(ctx context.Context, o *Offer) runner.Result {
	o.done = make(chan runner.Result, 1)
	o.openStep = -1
	b.mu.Lock()
	if !b.handOut(o) {
		b.queue = append(b.queue, o)
	}
	b.mu.Unlock()
	select {
	case res := <-o.done:
		return res
	case <-b.stop:
		// The server stops: the job is lost to it, and the next start
		// fails what was running.
		return runner.Result{Result: "cancelled"}
	case <-ctx.Done():
	}
	b.mu.Lock()
	if i := slices.Index(b.queue, o); i >= 0 {
		b.queue = slices.Delete(b.queue, i, i+1)
		b.mu.Unlock()
		return runner.Result{Result: "cancelled"}
	}
	o.cancelled = true // the runner hears it with its next batch
	b.mu.Unlock()
	select {
	case res := <-o.done:
		return res
	case <-b.stop:
		return runner.Result{Result: "cancelled"}
	}
}

// handOut gives o to a polling runner that can take it. b.mu is held.
func (b *Broker) handOut(o *Offer) bool {
	for i, w := range b.waiters {
		if w.runner.Serves(o.Repo) && w.runner.HasLabels(o.Labels) {
			b.waiters = slices.Delete(b.waiters, i, i+1)
			b.assign(o, w.runner)
			w.got <- o
			return true
		}
	}
	return false
}

// assign records that r runs o. b.mu is held.
func (b *Broker) assign(o *Offer, r *dispatchd.Runner) {
	o.runner, o.seen = r, time.Now()
	b.assigned[o.Job.ID] = o
	b.tokMu.Lock()
	defer b.tokMu.Unlock()
	for _, h := range o.TokenHashes {
		b.byToken[h] = append(b.byToken[h], o)
	}
}

// unassign forgets a job that ended or was lost. b.mu is held.
func (b *Broker) unassign(o *Offer) {
	delete(b.assigned, o.Job.ID)
	b.tokMu.Lock()
	defer b.tokMu.Unlock()
	for _, h := range o.TokenHashes {
		rest := slices.DeleteFunc(b.byToken[h], func(x *Offer) bool { return x == o })
		if len(rest) == 0 {
			delete(b.byToken, h)
		} else {
			b.byToken[h] = rest
		}
	}
}
