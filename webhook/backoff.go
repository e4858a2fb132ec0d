package webhook

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dispatchd/dispatchd"
)

// Backoff is the retry schedule of a delivery.
//
// GitHub itself never retries a failed delivery: it leaves redelivery to
// the user. dispatchd's outbox retries what may succeed later —
// connection errors, timeouts, 5xx and 429 — with exponential backoff
// for Window. A 2xx is delivered. Any other answer (3xx, which is not
// followed, and 4xx) is final: the receiver saw the delivery and refused
// it, and sending it again would be refused the same way. A redelivery
// remains possible for those, as on GitHub.
type Backoff struct {
	Initial time.Duration // the first retry's delay, doubling after each failure (default 1 s)
	Max     time.Duration // the longest delay (default 5 min)
	Window  time.Duration // how long after its creation a delivery is retried (default 24 h)
	Jitter  float64       // each delay varies by ±Jitter of itself (default 0.2; negative: none)
}

func (b Backoff) withDefaults() Backoff {
	if b.Initial <= 0 {
		b.Initial = time.Second
	}
	if b.Max <= 0 {
		b.Max = 5 * time.Minute
	}
	if b.Window <= 0 {
		b.Window = 24 * time.Hour
	}
	if b.Jitter == 0 {
		b.Jitter = 0.2
	}
	return b
}

// Delay is how long to wait after the failures-th failure in a row (1 for
// the first), at least retryAfter (the receiver's Retry-After; 0 for none).
func (b Backoff) Delay(failures int, retryAfter time.Duration) time.Duration {
	b = b.withDefaults()
	d := b.Max
	if failures < 1 {
		failures = 1
	}
	if failures <= 40 { // beyond, 2^n overflows and Max applies anyway
		d = min(b.Initial<<(failures-1), b.Max)
	}
	if b.Jitter > 0 {
		// Jitter spreads the retries of many deliveries that failed together.
		d += time.Duration((rand.Float64()*2 - 1) * b.Jitter * float64(d))
	}
	return max(d, retryAfter)
}

// ParseRetryAfter reads a Retry-After header, in seconds or as an HTTP
// date; 0 when it is absent or unreadable.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Duration(max(s, 0)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// Retryable reports whether an attempt may succeed if made again: a
// transport error (not a refused address nor an oversized payload), a
// 5xx or a 429.
func Retryable(a *dispatchd.DeliveryAttempt, err error) bool {
	var refused *RefusedError
	switch {
	case err != nil:
		return !errors.As(err, &refused) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, errNotSendable)
	case a.StatusCode == http.StatusTooManyRequests:
		return true
	}
	return a.StatusCode >= 500
}

// Outcome decides where an attempt at d leaves it, at now: delivered,
// dropped (never sendable), pending for a retry within the window, or failed.
func (b Backoff) Outcome(d *dispatchd.Delivery, a *dispatchd.DeliveryAttempt, err error, now time.Time) dispatchd.DeliveryOutcome {
	b = b.withDefaults()
	switch {
	case errors.Is(err, ErrTooLarge) || errors.Is(err, ErrInactive):
		return dispatchd.DeliveryOutcome{State: dispatchd.DeliveryDropped}
	case err == nil && a.OK():
		return dispatchd.DeliveryOutcome{State: dispatchd.DeliveryDelivered}
	case !Retryable(a, err):
		return dispatchd.DeliveryOutcome{State: dispatchd.DeliveryFailed}
	}
	next := now.Add(b.Delay(d.Attempts+1, ParseRetryAfter(a.ResponseHeaders["Retry-After"], now)))
	if next.After(d.CreatedAt.Add(b.Window)) {
		return dispatchd.DeliveryOutcome{State: dispatchd.DeliveryFailed}
	}
	return dispatchd.DeliveryOutcome{State: dispatchd.DeliveryPending, NextAttemptAt: next}
}
