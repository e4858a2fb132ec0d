package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/internal/yield"
)

// Store is the part of dispatchd.HookService the deliverer uses.
type Store interface {
	ClaimDueDeliveries(ctx context.Context, now time.Time, limit int) ([]*dispatchd.Delivery, error)
	NextDeliveryDue(ctx context.Context) (time.Time, error)
	RecordAttempt(ctx context.Context, deliveryID int64, a *dispatchd.DeliveryAttempt, o dispatchd.DeliveryOutcome) error
	RecordAttemptClaimNext(ctx context.Context, deliveryID int64, a *dispatchd.DeliveryAttempt, o dispatchd.DeliveryOutcome, at time.Time) (*dispatchd.Delivery, error)
	ResetDeliveryLeases(ctx context.Context) error
	PruneDeliveries(ctx context.Context, before time.Time) (int, error)
}

// Deliverer empties the webhook outbox: it claims due deliveries, sends
// them concurrently (one at a time per hook, in order, since the store
// offers only each hook's oldest, and recording an attempt claims the
// hook's next), records every attempt and schedules retries. Set the
// fields, then Run; Wake after enqueueing.
type Deliverer struct {
	Store       Store
	Client      *Client // default NewClient(ClientOptions{}): private addresses refused
	Keys        Keys    // opens hook secrets; a hook with a secret fails without it
	Backoff     Backoff
	Logger      *slog.Logger     // default slog.Default()
	Now         func() time.Time // default time.Now
	Concurrency int              // deliveries in flight (default 16)
	// Poll is the longest sleep without a Wake: it catches deliveries that
	// another process enqueued (default 5 s).
	Poll time.Duration
	// Retention is how long finished deliveries are kept for listing and
	// redelivery (default 7 days, GitHub Enterprise Server's; negative: forever).
	Retention time.Duration
	// Foreground counts the dispatches in flight: before each claim the
	// deliverer waits up to YieldMost for them to quiet down, so that
	// delivering does not slow dispatching down (nil: no waiting).
	Foreground *yield.Gauge
	YieldMost  time.Duration // default 50 ms

	once sync.Once
	wake chan struct{}
}

func (dl *Deliverer) init() {
	dl.once.Do(func() {
		dl.wake = make(chan struct{}, 1)
		if dl.Client == nil {
			dl.Client = NewClient(ClientOptions{})
		}
		if dl.Logger == nil {
			dl.Logger = slog.Default()
		}
		if dl.Now == nil {
			dl.Now = time.Now
		}
		if dl.Concurrency <= 0 {
			dl.Concurrency = 16
		}
		if dl.Poll <= 0 {
			dl.Poll = 5 * time.Second
		}
		if dl.Retention == 0 {
			dl.Retention = 7 * 24 * time.Hour
		}
		if dl.YieldMost <= 0 {
			dl.YieldMost = 50 * time.Millisecond
		}
	})
}

// Wake tells Run that deliveries may be due; it never blocks.
func (dl *Deliverer) Wake() {
	dl.init()
	select {
	case dl.wake <- struct{}{}:
	default:
	}
}

// claimedWait is the longest wait after a claim that took something: a
// retry that comes due meanwhile waits at most this long for its claim.
const claimedWait = 250 * time.Millisecond

// pruneEvery is how often finished deliveries past Retention are deleted.
const pruneEvery = time.Hour

// Run delivers until ctx is done, then waits for the attempts in flight
// (at most Client's timeout) so that each is recorded.
func (dl *Deliverer) Run(ctx context.Context) error {
	dl.init()
	// Nothing is in flight before Run: a lease left by a crash would only
	// delay its delivery.
	if err := dl.Store.ResetDeliveryLeases(ctx); err != nil {
		return fmt.Errorf("webhook deliverer: %w", err)
	}
	done := make(chan struct{}, dl.Concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	inflight := 0
	var pruned time.Time
	for {
		if ctx.Err() != nil {
			return nil
		}
		now := dl.Now()
		if dl.Retention > 0 && now.Sub(pruned) >= pruneEvery {
			pruned = now
			if n, err := dl.Store.PruneDeliveries(ctx, now.Add(-dl.Retention)); err != nil {
				dl.Logger.Error("webhook: pruning deliveries", "err", err)
			} else if n > 0 {
				dl.Logger.Info("webhook: pruned deliveries", "count", n)
			}
		}
		wait := dl.Poll
		if free := dl.Concurrency - inflight; free > 0 {
			// Under a stream of dispatches this is one claim per YieldMost:
			// the deliveries catch up when the stream ends.
			dl.Foreground.Wait(ctx, dl.YieldMost)
			ds, err := dl.Store.ClaimDueDeliveries(ctx, now, free)
			if err != nil && ctx.Err() == nil {
				dl.Logger.Error("webhook: claiming deliveries", "err", err)
				wait = time.Second
			}
			for _, d := range ds {
				inflight++
				wg.Go(func() {
					dl.deliver(ctx, context.WithoutCancel(ctx), d)
					done <- struct{}{}
				})
			}
			// With every slot taken, a completion ends the wait; otherwise
			// everything due is in flight: sleep until the next is due.
			// While deliveries were just claimed, their completions wake
			// the loop soon and a short wait bounds how late a retry of
			// another hook can be, so the query (a scan of every hook's
			// queue) is spared at each delivery of a busy hook.
			switch {
			case err != nil || len(ds) == free:
			case len(ds) > 0:
				wait = min(wait, claimedWait)
			default:
				next, err := dl.Store.NextDeliveryDue(ctx)
				if err == nil && !next.IsZero() {
					wait = min(wait, max(next.Sub(dl.Now()), time.Millisecond))
				}
			}
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-dl.wake:
		case <-done:
			inflight--
		case <-timer.C:
		}
		timer.Stop()
		// Take every completion at once, to claim for all of them together.
		for drained := false; !drained; {
			select {
			case <-done:
				inflight--
			default:
				drained = true
			}
		}
	}
}

// deliver makes an attempt at d and records it and, until Run stops (stop
// ends), goes on with the hook's next delivery when recording the attempt
// claimed it: a busy hook's deliveries follow one another in order, with
// one write each, yielding to dispatches as claims do.
func (dl *Deliverer) deliver(stop, ctx context.Context, d *dispatchd.Delivery) {
	for n := 1; d != nil; n++ {
		if d = dl.deliverOne(stop, ctx, d, n < maxChain); d != nil {
			dl.Foreground.Wait(stop, dl.YieldMost)
		}
	}
}

// maxChain bounds how many deliveries of one hook follow one another in a
// slot: then the slot goes back to the claims, where every hook's oldest
// due delivery competes.
const maxChain = 256

// deliverOne makes one attempt at d, records it, and returns the hook's
// next delivery if recording claimed it (only when more is true).
func (dl *Deliverer) deliverOne(stop, ctx context.Context, d *dispatchd.Delivery, more bool) *dispatchd.Delivery {
	a, err := dl.attempt(ctx, d)
	now := dl.Now()
	o := dl.Backoff.Outcome(d, a, err, now)
	var next *dispatchd.Delivery
	var rerr error
	if !more || stop.Err() != nil {
		rerr = dl.Store.RecordAttempt(ctx, d.ID, a, o)
	} else {
		next, rerr = dl.Store.RecordAttemptClaimNext(ctx, d.ID, a, o, now)
	}
	dl.logAttempt(ctx, d, a, o, rerr)
	return next
}

// logAttempt logs how an attempt ended; a delivery that succeeded only at
// debug level, without building the line otherwise.
func (dl *Deliverer) logAttempt(ctx context.Context, d *dispatchd.Delivery, a *dispatchd.DeliveryAttempt, o dispatchd.DeliveryOutcome, rerr error) {
	level := slog.LevelWarn
	switch {
	case rerr == nil && o.State == dispatchd.DeliveryDelivered,
		dispatchd.ErrorCode(rerr) == dispatchd.ENOTFOUND:
		level = slog.LevelDebug
	case rerr != nil:
		level = slog.LevelError
	case o.State == dispatchd.DeliveryPending:
		level = slog.LevelInfo
	}
	if !dl.Logger.Enabled(ctx, level) {
		return
	}
	log := dl.Logger.With("delivery", d.ID, "guid", d.GUID, "hook", d.HookID, "event", d.Event, "attempt", d.Attempts+1)
	switch {
	case dispatchd.ErrorCode(rerr) == dispatchd.ENOTFOUND:
		log.Debug("webhook: delivery gone before its attempt was recorded (hook deleted)")
	case rerr != nil:
		// The lease expires and the delivery is sent again: at least once.
		log.Error("webhook: recording an attempt", "err", rerr)
	case o.State == dispatchd.DeliveryDelivered:
		log.Debug("webhook: delivered", "status", a.StatusCode)
	case o.State == dispatchd.DeliveryPending:
		log.Info("webhook: delivery failed, will retry", "status", a.Status, "next", o.NextAttemptAt)
	default:
		log.Warn("webhook: delivery "+o.State, "status", a.Status)
	}
}

// attempt sends d unless it cannot be: a hook deactivated since, a secret
// that does not open.
func (dl *Deliverer) attempt(ctx context.Context, d *dispatchd.Delivery) (*dispatchd.DeliveryAttempt, error) {
	h := d.Hook
	notSent := func(err error, msg string) (*dispatchd.DeliveryAttempt, error) {
		return &dispatchd.DeliveryAttempt{DeliveryID: d.ID, At: dl.Now(), Status: msg, Error: msg}, err
	}
	if !h.Active {
		return notSent(ErrInactive, "the hook is inactive: not sent")
	}
	if len(h.SealedSecret) > 0 {
		if dl.Keys == nil {
			return notSent(errNotSendable, "the hook's secret cannot be opened: the deliverer has no keys")
		}
		if err := OpenSecret(dl.Keys, h); err != nil {
			return notSent(fmt.Errorf("%w: %v", errNotSendable, err), "the hook's secret cannot be opened: "+err.Error())
		}
	}
	return dl.Client.Send(ctx, h, d, h.Secret)
}
