package sqlite

import (
	"database/sql"
	"errors"
	"testing"
	"time"
)

// joinWhileRunning runs first as a batch of its own and, while it runs,
// queues second; it returns the transactions each ran in and second's error.
func joinWhileRunning(t *testing.T, db *DB, first, second func(*sql.Tx) error) (tx1, tx2 *sql.Tx, err2 error) {
	t.Helper()
	done := make(chan struct{})
	started := false
	err1 := db.group.do(ctx, func(tx *sql.Tx) error {
		tx1 = tx
		if started { // run again, with savepoints, after second failed
			return first(tx)
		}
		started = true
		go func() {
			defer close(done)
			err2 = db.group.do(ctx, func(tx *sql.Tx) error {
				tx2 = tx
				return second(tx)
			})
		}()
		for deadline := time.Now().Add(10 * time.Second); len(db.group.ops) == 0; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the second write was never queued")
			}
		}
		return first(tx)
	})
	<-done
	if err1 != nil {
		t.Fatalf("first write: %v", err1)
	}
	return tx1, tx2, err2
}

// A write queued while a batch runs commits in that batch's transaction,
// not in the next one; if it fails, the batch still commits without it.
func TestWritesQueuedWhileABatchRunsJoinIt(t *testing.T) {
	db := openTemp(t)
	if _, err := db.w.Exec(`CREATE TABLE marks (v TEXT)`); err != nil {
		t.Fatal(err)
	}
	mark := func(v string) func(*sql.Tx) error {
		return func(tx *sql.Tx) error { _, err := tx.Exec(`INSERT INTO marks VALUES (?)`, v); return err }
	}
	tx1, tx2, err := joinWhileRunning(t, db, mark("a"), mark("b"))
	if err != nil || tx1 != tx2 {
		t.Fatalf("second write: err %v, same transaction %v", err, tx1 == tx2)
	}

	boom := errors.New("boom")
	_, _, err = joinWhileRunning(t, db, mark("c"), func(tx *sql.Tx) error {
		if err := mark("d")(tx); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failing joined write: %v", err)
	}
	var got string
	if err := db.w.QueryRow(`SELECT group_concat(v, '') FROM (SELECT v FROM marks ORDER BY v)`).Scan(&got); err != nil || got != "abc" {
		t.Fatalf("marks %q, %v; want abc", got, err)
	}
}
