// Package yield lets background work give way to foreground work. The API
// counts the dispatches in flight on a Gauge; the webhook deliverer waits
// for a quiet moment, none in flight and none begun for a little while,
// before it takes more work, so that delivering does not slow dispatching
// down. There are no goroutine priorities in Go: this is the next best
// thing, at the price of deliveries lagging while dispatches keep coming.
package yield

import (
	"context"
	"sync/atomic"
	"time"
)

// Gauge counts foreground work in flight. A nil *Gauge counts nothing and
// never waits.
type Gauge struct {
	n     atomic.Int64
	last  atomic.Int64 // when work last entered, as time since start
	start time.Time
	quiet time.Duration
	idle  chan struct{} // a token each time the count drops to zero
}

// New returns a gauge with nothing in flight whose Wait waits for quiet
// without any work entering. Between the dispatches of one busy client
// there are idle moments of a few µs: a moment alone is not enough.
func New(quiet time.Duration) *Gauge {
	return &Gauge{start: time.Now(), quiet: quiet, idle: make(chan struct{}, 1)}
}

// Enter counts one more piece of work in flight.
func (g *Gauge) Enter() {
	if g != nil {
		g.n.Add(1)
		g.last.Store(int64(time.Since(g.start)))
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

// Wait returns once nothing has been in flight or entered for the gauge's
// quiet time, after most, or when ctx ends, whichever is first. It reports
// whether it returned because it was quiet.
func (g *Gauge) Wait(ctx context.Context, most time.Duration) bool {
	if g == nil {
		return true
	}
	deadline := time.NewTimer(most)
	defer deadline.Stop()
	var quiet *time.Timer
	defer func() {
		if quiet != nil {
			quiet.Stop()
		}
	}()
	for {
		var calm <-chan time.Time // nil while work is in flight
		if g.n.Load() == 0 {
			left := g.quiet - (time.Since(g.start) - time.Duration(g.last.Load()))
			if left <= 0 {
				return true
			}
			if quiet == nil {
				quiet = time.NewTimer(left)
			} else {
				quiet.Reset(left)
			}
			calm = quiet.C
		}
		select {
		case <-g.idle: // perhaps from an earlier idle moment: look again
		case <-calm:
		case <-deadline.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}
