package sqlite

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/dispatchd/dispatchd"
)

// Keys past their window are deleted, in chunks, and the live ones stay;
// the janitor does it when the store opens.
func TestJanitorPrunesIdempotencyKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dispatchd.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.jan.close() // the first part prunes by itself, at a known moment
	u, r := userRepo(t, db, "repo")
	insert := func(key string, at time.Time) {
		t.Helper()
		if _, err := db.w.Exec(`INSERT INTO idempotency_keys (repo_id, actor_id, key, request_hash, status, body, event_id, created_at)
			VALUES (?, ?, ?, 'h', 204, x'', 0, ?)`, r.ID, u.ID, key, toTS(at)); err != nil {
			t.Fatal(err)
		}
	}
	count := func() (n int) {
		t.Helper()
		if err := db.w.QueryRow(`SELECT count(*) FROM idempotency_keys`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	old := time.Now().Add(-dispatchd.IdempotencyWindow - time.Minute)
	for i := range 2*pruneChunk + 500 {
		insert("old-"+strconv.Itoa(i), old)
	}
	insert("live", time.Now())
	n, err := db.pruneIdempotency(ctx, time.Now().Add(-dispatchd.IdempotencyWindow))
	if err != nil || n != 2*pruneChunk+500 || count() != 1 {
		t.Fatalf("pruned %d (%v), %d left; want %d pruned, 1 left", n, err, count(), 2*pruneChunk+500)
	}
	if _, err := db.FindIdempotency(ctx, r.ID, u.ID, "live", time.Now().Add(-time.Hour)); err != nil {
		t.Fatalf("the live key went: %v", err)
	}

	// Expired keys left by an earlier run go when the store opens.
	insert("stale", old)
	db.Close()
	if db, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for deadline := time.Now().Add(10 * time.Second); count() != 1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d keys after reopening; the stale one was not pruned", count())
		}
	}
}
