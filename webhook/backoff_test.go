package webhook_test

import (
	"errors"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/webhook"
)

func TestBackoffDelay(t *testing.T) {
	b := webhook.Backoff{Jitter: -1}
	for failures, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second,
		9: 256 * time.Second, 10: 5 * time.Minute, 100: 5 * time.Minute} {
		if got := b.Delay(failures, 0); got != want {
			t.Errorf("Delay(%d) = %v, want %v", failures, got, want)
		}
	}
	// Retry-After wins when it is longer, not when it is shorter.
	if got := b.Delay(1, 30*time.Second); got != 30*time.Second {
		t.Errorf("Delay with Retry-After 30s = %v", got)
	}
	if got := b.Delay(3, time.Second); got != 4*time.Second {
		t.Errorf("Delay with a short Retry-After = %v", got)
	}
	jittered := webhook.Backoff{}
	for range 100 {
		if got := jittered.Delay(1, 0); got < 800*time.Millisecond || got > 1200*time.Millisecond {
			t.Fatalf("jittered first delay %v is not about 1s", got)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"120": 2 * time.Minute, " 7 ": 7 * time.Second, "": 0, "soon": 0, "-5": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):       0,
	} {
		if got := webhook.ParseRetryAfter(v, now); got != want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestOutcome(t *testing.T) {
	now := time.Now()
	b := webhook.Backoff{Jitter: -1, Window: time.Hour}
	d := &dispatchd.Delivery{CreatedAt: now, Attempts: 2}
	resp := func(code int, retryAfter string) *dispatchd.DeliveryAttempt {
		return &dispatchd.DeliveryAttempt{StatusCode: code, ResponseHeaders: map[string]string{"Retry-After": retryAfter}}
	}
	refused := &dispatchd.DeliveryAttempt{}
	for _, c := range []struct {
		name  string
		a     *dispatchd.DeliveryAttempt
		err   error
		state string
		delay time.Duration
	}{
		{"200", resp(200, ""), nil, dispatchd.DeliveryDelivered, 0},
		{"204", resp(204, ""), nil, dispatchd.DeliveryDelivered, 0},
		{"500", resp(500, ""), nil, dispatchd.DeliveryPending, 4 * time.Second},
		{"503 Retry-After", resp(503, "60"), nil, dispatchd.DeliveryPending, time.Minute},
		{"429 Retry-After date", resp(429, now.Add(10*time.Minute).UTC().Format(http.TimeFormat)), nil, dispatchd.DeliveryPending, 0},
		{"Retry-After past the window", resp(503, "7200"), nil, dispatchd.DeliveryFailed, 0},
		{"connection refused", refused, syscall.ECONNREFUSED, dispatchd.DeliveryPending, 4 * time.Second},
		{"404", resp(404, ""), nil, dispatchd.DeliveryFailed, 0},
		{"302", resp(302, ""), nil, dispatchd.DeliveryFailed, 0},
		{"guard", refused, &webhook.RefusedError{}, dispatchd.DeliveryFailed, 0},
		{"too large", refused, webhook.ErrTooLarge, dispatchd.DeliveryDropped, 0},
		{"inactive", refused, errors.Join(webhook.ErrInactive), dispatchd.DeliveryDropped, 0},
	} {
		o := b.Outcome(d, c.a, c.err, now)
		if o.State != c.state || (c.delay != 0 && !o.NextAttemptAt.Equal(now.Add(c.delay))) {
			t.Errorf("%s: outcome %+v, want %s after %v", c.name, o, c.state, c.delay)
		}
	}
	// Retries end with the window.
	old := &dispatchd.Delivery{CreatedAt: now.Add(-time.Hour + time.Second), Attempts: 20}
	if o := b.Outcome(old, resp(500, ""), nil, now); o.State != dispatchd.DeliveryFailed {
		t.Errorf("after the window: %+v", o)
	}
}
