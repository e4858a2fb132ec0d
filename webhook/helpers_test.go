package webhook_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/seal"
	"github.com/dispatchd/dispatchd/sqlite"
	"github.com/dispatchd/dispatchd/webhook"
)

var ctx = context.Background()

var testKeys = seal.New([]byte("0123456789abcdef0123456789abcdef"))

func openStore(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "dispatchd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newHook creates an active hook on repository 42 (or organization 7 for
// ScopeOrg) with its secret sealed as the API would.
func newHook(t testing.TB, db *sqlite.DB, scope, url, contentType, secret string) *dispatchd.Hook {
	t.Helper()
	owner := int64(42)
	if scope == dispatchd.ScopeOrg {
		owner = 7
	}
	h := &dispatchd.Hook{Scope: scope, OwnerID: owner, URL: url, ContentType: contentType, Secret: secret,
		Events: []string{"*"}, Active: true}
	webhook.SealSecret(testKeys, h)
	if err := db.CreateHook(ctx, h); err != nil {
		t.Fatal(err)
	}
	return h
}

func enqueue(t testing.TB, db *sqlite.DB, ds ...*dispatchd.Delivery) {
	t.Helper()
	if err := db.EnqueueDeliveries(ctx, ds); err != nil {
		t.Fatal(err)
	}
}

// fastBackoff retries within milliseconds, for tests.
var fastBackoff = webhook.Backoff{Initial: 5 * time.Millisecond, Max: 20 * time.Millisecond, Window: time.Hour}

// start runs a deliverer that may reach loopback until the test ends.
func start(t testing.TB, db *sqlite.DB, allowPrivate bool) *webhook.Deliverer {
	t.Helper()
	return run(t, newDeliverer(db, allowPrivate))
}

func newDeliverer(db *sqlite.DB, allowPrivate bool) *webhook.Deliverer {
	return &webhook.Deliverer{Store: db, Keys: testKeys, Backoff: fastBackoff, Poll: 50 * time.Millisecond,
		Client: webhook.NewClient(webhook.ClientOptions{AllowPrivate: allowPrivate}),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// run runs dl until the test ends.
func run(t testing.TB, dl *webhook.Deliverer) *webhook.Deliverer {
	t.Helper()
	runCtx, cancel := context.WithCancel(ctx)
	stopped := make(chan error)
	go func() { stopped <- dl.Run(runCtx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-stopped; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return dl
}

// waitFor polls cond until it holds; the deadline is generous, for slow
// machines, and no assertion depends on timing.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// finished waits until the delivery leaves pending and returns it. It
// polls the list, which leaves out payloads: some are 26 MB.
func finished(t testing.TB, db *sqlite.DB, hookID, id int64) *dispatchd.Delivery {
	t.Helper()
	waitFor(t, "delivery to finish", func() bool {
		ds, _, err := db.ListDeliveries(ctx, dispatchd.DeliveryFilter{HookID: hookID, PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.ID == id {
				return d.State != dispatchd.DeliveryPending
			}
		}
		t.Fatalf("delivery %d is not among the newest 100 of hook %d", id, hookID)
		return false
	})
	d, err := db.FindDelivery(ctx, hookID, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
