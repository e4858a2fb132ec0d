package sqlite

import (
	"context"
	"database/sql"
	"os"
	"sync"
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
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	walPath string
	frames  int       // the WAL's length at the last tick
	quiet   time.Time // since when it has not changed
}

// walLimitFrames is the WAL length (in frames, a page each) past which
// the committer finishes a checkpoint between two batches. A checkpoint
// running beside the writer copies the WAL back but never lets it start
// over under steady load, since the writer keeps appending; only one with
// no write in flight does, and it stalls the writer for its copy and
// fsyncs: 10 ms at a few MB, 40 ms at 64 MB here. At the heaviest load
// measured (28 MB/s of WAL) 256 MB is 9 s: shorter bursts never stall,
// and a longer one stalls well below its 99th percentile. (At 16 MB, the
// stalls were every 200 ms.) The length is the checkpoint's own count: the
// file keeps its size when the WAL starts over, and going by the file's
// size forced a checkpoint at every tick once it had grown.
var walLimitFrames = 256 << 20 / 4096

// walFileLimit is the WAL file size past which the file is cut back once
// the store is idle, so that a burst leaves no 256 MB file behind. SQLite
// can cut it itself (journal_size_limit) but does so in the first commit
// after the WAL starts over: an ftruncate of ~200 MB in a batch, which
// held it 210 ms here every ~30 s of full load.
var walFileLimit int64 = 64 << 20

func startCheckpointer(r *sql.DB, group *committer, dbPath string) *checkpointer {
	c := &checkpointer{stop: make(chan struct{}), done: make(chan struct{}), walPath: dbPath + "-wal"}
	dbFile, err := os.Open(dbPath)
	if err != nil {
		dbFile = nil // not synced between checkpoints; SQLite's own syncs still hold
	}
	go func() {
		defer close(c.done)
		if dbFile != nil {
			defer dbFile.Close()
		}
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
				frames := checkpoint(r, group)
				syncDB(dbFile)
				c.truncateIfIdle(r, frames)
			}
		}
	}()
	return c
}

// syncDB flushes the database file after a checkpoint that wrote to it.
// SQLite syncs the file only in a checkpoint that reaches the end of the
// WAL, which under steady load is the committer's finishing one: it then
// waited for every page the checkpoints beside the writer had copied since
// the last, ~30 s of them (an fsync of 164 and 186 ms by strace, the
// writer held throughout). Synced here at each tick, off the write path,
// the finishing one finds a tick's worth. (An fsync never makes anything
// less durable.)
func syncDB(f *os.File) {
	if f != nil {
		f.Sync()
	}
}

// idleBeforeTruncate is how long the WAL must not have grown before its
// file is cut back: a pause between bursts is not idleness.
var idleBeforeTruncate = 5 * time.Second

// truncateIfIdle cuts a WAL file larger than walFileLimit back to nothing
// once the WAL's length (frames, -1 when unknown) has not changed for
// idleBeforeTruncate: no write wrote a page. The TRUNCATE checkpoint holds
// the writer while it runs (~200 ms for 200 MB here), so only a write
// arriving in that moment waits; it gives up at once on a reader still in
// the WAL (a busy timeout of 100 ms) and tries again at the next tick.
func (c *checkpointer) truncateIfIdle(r *sql.DB, frames int) {
	now := time.Now()
	if frames < 0 || frames != c.frames || c.quiet.IsZero() {
		c.frames, c.quiet = frames, now
		return
	}
	if now.Sub(c.quiet) < idleBeforeTruncate {
		return
	}
	if fi, err := os.Stat(c.walPath); err != nil || fi.Size() <= walFileLimit {
		return
	}
	ctx := context.Background()
	conn, err := r.Conn(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA busy_timeout = 100`); err != nil {
		return
	}
	conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`) // failing only delays it
	conn.ExecContext(ctx, `PRAGMA busy_timeout = 10000`)
}

// checkpoint copies the WAL back into the database beside the writer, and
// asks the committer to finish one when the WAL has grown too long; it
// returns the WAL's length in frames (-1 on an error). An error
// (SQLITE_BUSY with another checkpointer, say) only delays the copy to the
// next tick.
func checkpoint(r *sql.DB, group *committer) (frames int) {
	var busy, copied int
	err := r.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied)
	if err != nil {
		return -1
	}
	if frames > walLimitFrames {
		group.finishCheckpoint.Store(true)
	}
	return frames
}

// close stops the checkpointer; once stopped, it returns at once.
func (c *checkpointer) close() {
	c.once.Do(func() { close(c.stop) })
	<-c.done
}
