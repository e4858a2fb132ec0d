package sqlite

import (
	"context"
	"database/sql"
	"os"
	"time"
)

// checkpointEvery is how often the WAL is copied back into the database.
// SQLite would otherwise checkpoint inside the commit that crosses 1,000
// pages, fsyncs included, and every dispatch of that group commit would
// wait for it.
const checkpointEvery = 200 * time.Millisecond

// checkpointer runs passive checkpoints off the write path: they never
// block the writer, and a commit stays durable against a process crash
// without them (synchronous=NORMAL in WAL mode).
type checkpointer struct {
	stop chan struct{}
	done chan struct{}
}

// walLimit is the WAL size past which the committer finishes a checkpoint
// between two batches. A checkpoint running beside the writer copies most
// pages but never all of them under steady load, since the writer keeps
// appending; the WAL only starts over once one completed, so it would grow
// without bound.
const walLimit = 16 << 20

func startCheckpointer(r *sql.DB, path string, group *committer) *checkpointer {
	c := &checkpointer{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
				// An error (SQLITE_BUSY with another checkpointer, say)
				// only delays the copy to the next tick.
				r.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
				if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > walLimit {
					group.finishCheckpoint.Store(true)
				}
			}
		}
	}()
	return c
}

func (c *checkpointer) close() {
	close(c.stop)
	<-c.done
}
