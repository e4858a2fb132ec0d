package broker

import (
	"context"
	"slices"
	"time"

	"github.com/dispatchd/dispatchd"
)

// Acquire returns the oldest queued job r can take, waiting for one until
// ctx ends (then nil). A poll counts as the runner's sign of life.
func (b *Broker) Acquire(ctx context.Context, r *dispatchd.Runner) *Offer {
	b.mu.Lock()
	p := b.presence(r)
	p.seen = time.Now()
	for i, o := range b.queue {
		if r.Serves(o.Repo) && r.HasLabels(o.Labels) {
			b.queue = slices.Delete(b.queue, i, i+1)
			b.assign(o, r)
			b.mu.Unlock()
			return b.taken(o)
		}
	}
	w := &waiter{runner: r, got: make(chan *Offer, 1)}
	b.waiters = append(b.waiters, w)
	p.polling++
	b.mu.Unlock()
	if b.Polling != nil {
		b.Polling()
	}

	var o *Offer
	select {
	case o = <-w.got:
	case <-ctx.Done():
	case <-b.stop:
	}
	b.mu.Lock()
	p.polling--
	p.seen = time.Now()
	if o == nil {
		if i := slices.Index(b.waiters, w); i >= 0 {
			b.waiters = slices.Delete(b.waiters, i, i+1)
		} else {
			o = <-w.got // handed out while the poll ended: take it all the same
		}
	}
	b.mu.Unlock()
	if o == nil {
		return nil
	}
	return b.taken(o)
}

// taken tells the offer's owner which runner took it.
func (b *Broker) taken(o *Offer) *Offer {
	if o.Assigned != nil {
		o.Assigned(o.runner)
	}
	return o
}

// presence returns r's record, made on first sight. b.mu is held.
func (b *Broker) presence(r *dispatchd.Runner) *presence {
	p := b.runners[r.ID]
	if p == nil {
		p = &presence{runner: r}
		b.runners[r.ID] = p
	}
	return p
}

// Idle is how many runners wait for a job beyond the jobs already queued.
func (b *Broker) Idle() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return max(0, len(b.waiters)-len(b.queue))
}

// RunnerStatus is what the runners API shows of a runner.
type RunnerStatus struct {
	Online bool
	Busy   bool
}

// Status tells whether a runner is online (polling, or heard from within
// the timeout) and busy (holding a job).
func (b *Broker) Status(id int64) RunnerStatus {
	b.mu.Lock()
	defer b.mu.Unlock()
	var st RunnerStatus
	if p := b.runners[id]; p != nil {
		st.Online = p.polling > 0 || time.Since(p.seen) < b.Timeout
	}
	for _, o := range b.assigned {
		if o.runner.ID == id {
			st.Busy, st.Online = true, st.Online || time.Since(o.seen) < b.Timeout
		}
	}
	return st
}
