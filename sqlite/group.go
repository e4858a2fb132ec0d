package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// maxBatch bounds how many writes share one transaction.
const maxBatch = 256

// groupOp is one write waiting for its batch.
type groupOp struct {
	fn   func(*sql.Tx) error
	done chan error // the outcome, or errLead
}

// errLead tells a waiting write that its goroutine runs the next batch.
var errLead = errors.New("lead the next batch")

// errClosed is the outcome of a write after the store closed.
var errClosed = errors.New("sqlite: the store is closed")

// committer implements group commit: concurrent writes queue up while the
// previous transaction commits, and the next transaction takes all of them;
// when one fails, the batch runs again with each write in its own
// savepoint, so that it does not undo the others. SQLite has one writer;
// this turns N commits into one.
//
// The batches run on the writers' own goroutines, not on one of the
// committer's: a write that finds no batch running runs one (it leads),
// and a leader whose batch is done hands the next to the oldest write
// waiting. A lone write then costs no switch to another goroutine and
// back, which at one connection is two thread wake-ups a dispatch.
type committer struct {
	db    *sql.DB
	stmts *stmts

	mu      sync.Mutex
	queue   []*groupOp
	spare   []*groupOp // the last batch's slice, for the next queue
	leading bool       // a goroutine runs batches: the queue's writes will be run
	closed  bool
	idle    *sync.Cond // signalled when leading ends

	// finishCheckpoint asks for a checkpoint between two batches: with no
	// write in flight it catches up with the WAL, so that the next write
	// starts the WAL over instead of growing it.
	finishCheckpoint atomic.Bool
	// counters numbers runs and rows keeps the batch's new events, runs
	// and jobs; only the leader uses them.
	counters runCounters
	rows     rowBuffer
}

func newCommitter(db *sql.DB, st *stmts) *committer {
	c := &committer{db: db, stmts: st}
	c.idle = sync.NewCond(&c.mu)
	return c
}

// do runs fn in a shared transaction and returns when it is committed
// (fn's own error, or the commit's).
func (c *committer) do(ctx context.Context, fn func(*sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	op := &groupOp{fn: fn, done: make(chan error, 1)}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return errClosed
	}
	c.queue = append(c.queue, op)
	lead := !c.leading
	c.leading = true
	c.mu.Unlock()
	// Once queued, the write happens; the caller must learn its outcome.
	if !lead {
		if err := <-op.done; err != errLead {
			return err
		}
	}
	c.lead()
	return <-op.done
}

// queued returns how many writes wait for a batch.
func (c *committer) queued() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queue)
}

// lead runs one batch, which holds the leader's own write (the first
// queued), then hands the writes queued since to the oldest of them.
func (c *committer) lead() {
	// Let the goroutines that are ready to run queue their writes first:
	// under load a batch grows from ~4 writes to ~15, and a commit's cost
	// (WAL frames, one write each) is paid per batch. With nothing else
	// runnable this returns at once.
	runtime.Gosched()
	c.stmts.prepareWanted(context.Background())
	batch := c.commit(c.take(nil, maxBatch))
	if c.finishCheckpoint.Swap(false) {
		c.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`) // failing only delays it
	}
	c.mu.Lock()
	clear(batch)
	c.spare = batch[:0]
	if len(c.queue) == 0 {
		c.leading = false
		c.idle.Broadcast()
		c.mu.Unlock()
		return
	}
	next := c.queue[0]
	c.mu.Unlock()
	next.done <- errLead
}

// close waits for the queued writes to commit; writes after it fail.
func (c *committer) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for c.leading {
		c.idle.Wait()
	}
}

// commit runs a batch and tells each write its outcome; it returns the
// batch with the writes that joined it.
func (c *committer) commit(batch []*groupOp) []*groupOp {
	batch, results, err := c.run(batch, false)
	if err == nil && failed(results) && len(batch) > 1 {
		// Something failed: the transaction was rolled back whole. Run the
		// batch again with a savepoint around each write, so that only the
		// failing ones fail. Failures are rare; savepoints cost two
		// statements per write, so the common path goes without.
		_, results, err = c.run(batch, true)
	}
	for i, op := range batch {
		if err != nil {
			op.done <- fmt.Errorf("group commit: %w", err)
		} else {
			op.done <- results[i]
		}
	}
	return batch
}

// run executes a batch in one transaction and returns it with the writes
// that joined it. Without savepoints it stops at the first failure and
// rolls back, and writes join; with them (the second run of a batch that
// failed) the batch stays as it is.
func (c *committer) run(batch []*groupOp, savepoints bool) ([]*groupOp, []error, error) {
	results := make([]error, 0, len(batch))
	tx, err := c.db.BeginTx(context.Background(), nil)
	if err != nil {
		return batch, nil, err
	}
	c.counters.begin()
	c.rows.begin(!savepoints)
	w := wtx{stmts: c.stmts, tx: tx}
	for i := 0; i < len(batch); i++ {
		op := batch[i]
		if savepoints {
			m := c.counters.mark()
			if results = append(results, savepoint(w, op.fn)); results[i] != nil {
				c.counters.restore(m)
			}
			continue
		}
		if results = append(results, op.fn(tx)); results[i] != nil {
			tx.Rollback()
			return batch, results, nil
		}
		if i == len(batch)-1 {
			batch = c.take(batch, joinLimit) // see joinLimit
		}
	}
	if err := c.rows.flush(w); err != nil {
		// Some write's row failed, and which one is unknown: every write
		// fails, so that the batch runs again with each row written in its
		// write's savepoint (or the lone write learns its failure).
		tx.Rollback()
		for i := range results {
			results[i] = err
		}
		return batch, results, nil
	}
	if err := c.counters.flush(tx, c.stmts); err != nil {
		tx.Rollback()
		return batch, nil, err
	}
	if err := tx.Commit(); err != nil {
		return batch, nil, err
	}
	c.counters.committed()
	return batch, results, nil
}

// take moves the queued writes to batch, until it holds limit.
func (c *committer) take(batch []*groupOp, limit int) []*groupOp {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := min(limit-len(batch), len(c.queue))
	if batch == nil && n == len(c.queue) {
		// The whole queue: it becomes the batch, the spare the queue.
		batch, c.queue, c.spare = c.queue, c.spare, nil
		return batch
	}
	batch = append(batch, c.queue[:n]...)
	c.queue = append(c.queue[:0], c.queue[n:]...)
	return batch
}

// joinLimit bounds a batch that grows while it runs. Writes queued while a
// batch ran join it before it commits, instead of waiting for it to commit
// and then for their own batch: under load most writes arrive while a batch
// runs, and a request that just missed one waited for a long one and the
// next (the p99 of dispatches at 64 connections). Joining them also writes
// fewer commits: −20 µs of server CPU a dispatch, p99 −1 to −4 ms in
// alternating A/B rounds. The bound is for the batch's first write, which
// waits for the others to run before it commits (~80 µs each).
const joinLimit = 64

func failed(results []error) bool {
	for _, err := range results {
		if err != nil {
			return true
		}
	}
	return false
}

// Savepoint statements, prepared like the writes they wrap.
const (
	qSavepoint  = "SAVEPOINT op"
	qRelease    = "RELEASE op"
	qRollbackTo = "ROLLBACK TO op"
)

// savepoint runs fn so that its writes are undone alone if it fails.
func savepoint(w wtx, fn func(*sql.Tx) error) error {
	if _, err := w.exec(qSavepoint); err != nil {
		return err
	}
	if err := fn(w.tx); err != nil {
		if _, rerr := w.exec(qRollbackTo); rerr != nil {
			return rerr
		}
		w.exec(qRelease)
		return err
	}
	_, err := w.exec(qRelease)
	return err
}
