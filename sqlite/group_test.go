package sqlite

import (
	"database/sql"
	"errors"
	"runtime"
	"strings"
	"sync"
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
		for deadline := time.Now().Add(10 * time.Second); db.group.queued() == 0; time.Sleep(time.Millisecond) {
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

// goroutineID is the id runtime.Stack prints for the calling goroutine.
func goroutineID() string {
	var buf [64]byte
	return strings.Fields(string(buf[:runtime.Stack(buf[:], false)]))[1]
}

// A write with no batch running runs its batch on its own goroutine;
// concurrent writes all commit, in fewer transactions than writes; closing
// waits for the queued ones, and a write after it fails.
func TestWritesLeadTheirOwnBatches(t *testing.T) {
	db := openTemp(t)
	if _, err := db.w.Exec(`CREATE TABLE marks (v INTEGER)`); err != nil {
		t.Fatal(err)
	}
	// (The janitor writes at start: a write may join its batch.)
	caller, ranOn := goroutineID(), ""
	for i := 0; i < 20 && ranOn != caller; i++ {
		if err := db.group.do(ctx, func(tx *sql.Tx) error { ranOn = goroutineID(); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if ranOn != caller {
		t.Fatalf("a lone write ran on goroutine %s, its caller is %s", ranOn, caller)
	}

	const writers, each = 32, 50
	var mu sync.Mutex
	txs := map[*sql.Tx]bool{}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				err := db.group.do(ctx, func(tx *sql.Tx) error {
					mu.Lock()
					txs[tx] = true
					mu.Unlock()
					_, err := tx.Exec(`INSERT INTO marks VALUES (?)`, w*each+i)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	var n int
	if err := db.w.QueryRow(`SELECT count(DISTINCT v) FROM marks`).Scan(&n); err != nil || n != writers*each {
		t.Fatalf("%d writes committed, want %d (%v)", n, writers*each, err)
	}
	if len(txs) >= writers*each {
		t.Errorf("%d writes in %d transactions: no batch was shared", writers*each, len(txs))
	}

	// A write queued behind a running batch still commits when the store
	// closes meanwhile.
	_, _, err := joinWhileRunning(t, db, func(tx *sql.Tx) error {
		go db.group.close()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
			db.group.mu.Lock()
			closed := db.group.closed
			db.group.mu.Unlock()
			if closed {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("close did not begin")
			}
		}
		return nil
	}, func(tx *sql.Tx) error { _, err := tx.Exec(`INSERT INTO marks VALUES (-1)`); return err })
	if err != nil {
		t.Fatalf("the write queued before close: %v", err)
	}
	if err := db.group.do(ctx, func(*sql.Tx) error { return nil }); !errors.Is(err, errClosed) {
		t.Fatalf("a write after close: %v", err)
	}
	if err := db.w.QueryRow(`SELECT count(*) FROM marks WHERE v = -1`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the write queued before close committed %d times (%v)", n, err)
	}
}
