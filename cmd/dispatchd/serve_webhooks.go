package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/dispatchd/dispatchd/internal/yield"
	"github.com/dispatchd/dispatchd/seal"
	"github.com/dispatchd/dispatchd/sqlite"
	"github.com/dispatchd/dispatchd/webhook"
)

// startWebhooks runs the webhook deliverer on db's outbox: it sends what
// dispatches, pings and redeliveries enqueue (woken by each commit that
// enqueued deliveries), retries what may succeed later, and opens hook
// secrets with the server key. Deliveries left by the previous run are
// sent again at once. Unless allowPrivate, no delivery reaches a loopback,
// private or link-local address. It yields to the dispatches counted on
// foreground. The returned stop ends it once the attempts in flight are
// recorded (at most a delivery's 10 s timeout); call it before closing db.
func startWebhooks(ctx context.Context, db *sqlite.DB, key []byte, allowPrivate bool, foreground *yield.Gauge, logger *slog.Logger) (stop func()) {
	dl := &webhook.Deliverer{
		Store:      db,
		Client:     webhook.NewClient(webhook.ClientOptions{AllowPrivate: allowPrivate}),
		Keys:       seal.New(key),
		Logger:     logger,
		Foreground: foreground,
	}
	wake, stopWakes := coalesce(dl.Wake, wakeEvery)
	db.OnDeliveries(wake)
	if allowPrivate {
		logger.Warn("webhooks may reach loopback and private addresses (--allow-private-webhooks)")
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := dl.Run(runCtx); err != nil {
			logger.Error("webhook deliverer stopped; deliveries wait for the next start", "err", err)
		}
	}()
	return func() {
		db.OnDeliveries(nil)
		stopWakes()
		cancel()
		<-done
	}
}

// dispatchQuiet is how long no dispatch must have begun before the
// deliverer takes more work (it waits at most its YieldMost, 50 ms). A busy
// client leaves gaps of a few µs between its dispatches; the deliveries of
// a lone dispatch wait 2 ms.
const dispatchQuiet = 2 * time.Millisecond

// wakeEvery bounds how often commits wake the deliverer. Under a stream of
// dispatches each commit would wake it to claim again while it is still
// sending; the first wake after a quiet spell goes at once, the rest are
// gathered into one per interval. A delivery that completes makes the
// deliverer claim the next at once, whatever the wakes.
const wakeEvery = 20 * time.Millisecond

// coalesce returns notify, which calls wake at once unless it did less
// than every ago, and then at the end of that interval; notify never
// blocks. stop ends it.
func coalesce(wake func(), every time.Duration) (notify func(), stop func()) {
	pending := make(chan struct{}, 1)
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-quit:
				return
			case <-pending:
			}
			wake()
			select {
			case <-quit:
				return
			case <-time.After(every):
			}
		}
	}()
	notify = func() {
		select {
		case pending <- struct{}{}:
		default:
		}
	}
	return notify, func() { close(quit); <-done }
}
