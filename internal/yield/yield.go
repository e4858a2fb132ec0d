// Package yield lets background work give way to foreground work. The API
// counts the dispatches in flight on a Gauge; the webhook deliverer waits
// for a moment with none before it takes more work, so that delivering
// does not slow dispatching down. There are no goroutine priorities in Go:
// this is the next best thing, at the price of deliveries lagging while
// dispatches keep the server busy.
package yield

import (
	"context"
	"sync/atomic"
	"time"
)

// Gauge counts foreground work in flight. A nil *Gauge counts nothing and
// never waits.
type Gauge struct {
	n    atomic.Int64
	idle chan struct{} // a token each time the count drops to zero
}

// New returns a gauge with nothing in flight.
func New() *Gauge { return &Gauge{idle: make(chan struct{}, 1)} }

// Enter counts one more piece of work in flight.
func (g *Gauge) Enter() {
	if g != nil {
		g.n.Add(1)
	}
}

// Leave counts one piece of work done.
func (g *Gauge) Leave() {
	if g == nil {
		return
	}
	if g.n.Add(-1) == 0 {
		select {
		case g.idle <- struct{}{}:
		default:
		}
	}
}

// InFlight is the work in flight now.
func (g *Gauge) InFlight() int64 {
	if g == nil {
		return 0
	}
	return g.n.Load()
}

// Wait returns at once when nothing is in flight, else at the first moment
// with nothing in flight, after most, or when ctx ends, whichever is first.
// It reports whether it returned because nothing was in flight.
func (g *Gauge) Wait(ctx context.Context, most time.Duration) bool {
	if g == nil || g.n.Load() == 0 {
		return true
	}
	t := time.NewTimer(most)
	defer t.Stop()
	for {
		select {
		case <-g.idle:
			// The token may be from an earlier idle moment.
			if g.n.Load() == 0 {
				return true
			}
		case <-t.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}
