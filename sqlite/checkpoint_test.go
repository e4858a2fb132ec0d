package sqlite

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The committer finishes a checkpoint when the WAL is long, not when its
// file is large: the file keeps its size after the WAL starts over, and
// going by it stalled the writer at every tick once it had grown.
func TestCheckpointGoesByWALLength(t *testing.T) {
	defer func(n int) { walLimitFrames = n }(walLimitFrames)
	walLimitFrames = 64
	path := filepath.Join(t.TempDir(), "dispatchd.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.ckpt.close() // the test checkpoints by itself, at known moments
	if _, err := db.w.Exec(`CREATE TABLE filler (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	write := func(pages int) {
		err := db.group.do(ctx, func(tx *sql.Tx) error {
			for range pages {
				if _, err := tx.Exec(`INSERT INTO filler VALUES (?)`, bytes.Repeat([]byte{1}, 4000)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	write(2 * walLimitFrames) // one transaction: no checkpoint can interrupt it
	checkpoint(db.r, db.group)
	if !db.group.finishCheckpoint.Load() {
		t.Fatal("a WAL past the limit did not ask the committer for a checkpoint")
	}
	write(1) // the committer finishes the checkpoint after this batch
	write(1) // and this one starts the WAL over
	if db.group.finishCheckpoint.Load() {
		t.Fatal("the committer did not finish the checkpoint")
	}
	fi, err := os.Stat(path + "-wal")
	if err != nil || fi.Size() <= int64(walLimitFrames)*4096 {
		t.Fatalf("WAL file %v, %v: the test needs it larger than the limit", fi, err)
	}
	checkpoint(db.r, db.group)
	if db.group.finishCheckpoint.Load() {
		t.Fatal("a short WAL in a large file asked for a checkpoint")
	}
}

// A WAL file grown past walFileLimit is cut back once the WAL has not
// grown for idleBeforeTruncate, never while writes go on (the cut holds
// the writer).
func TestIdleStoreTruncatesTheWAL(t *testing.T) {
	defer func(n int64, d time.Duration) { walFileLimit, idleBeforeTruncate = n, d }(walFileLimit, idleBeforeTruncate)
	walFileLimit, idleBeforeTruncate = 64<<10, 100*time.Millisecond
	path := filepath.Join(t.TempDir(), "dispatchd.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.ckpt.close() // the test ticks by itself
	if _, err := db.w.Exec(`CREATE TABLE filler (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	write := func() {
		err := db.group.do(ctx, func(tx *sql.Tx) error {
			_, err := tx.Exec(`INSERT INTO filler VALUES (?)`, bytes.Repeat([]byte{1}, 64<<10))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	walSize := func() int64 {
		fi, err := os.Stat(path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	tick := func() {
		db.ckpt.truncateIfIdle(db.r, checkpoint(db.r, db.group))
	}
	for range 4 {
		write()
	}
	tick() // writes since the last tick: busy
	write()
	tick()
	if walSize() <= walFileLimit {
		t.Fatalf("WAL file %d bytes while writing: cut back, or the test wrote too little", walSize())
	}
	tick() // nothing written since the last tick, but not for long
	if walSize() <= walFileLimit {
		t.Fatalf("WAL file %d bytes after a short quiet: cut too soon", walSize())
	}
	time.Sleep(idleBeforeTruncate)
	tick()
	if n := walSize(); n != 0 {
		t.Fatalf("WAL file %d bytes after a long quiet, want 0", n)
	}
	write()
	var n int
	if err := db.r.QueryRow(`SELECT count(*) FROM filler`).Scan(&n); err != nil || n != 6 {
		t.Fatalf("%d rows after the cut, want 6 (%v)", n, err)
	}
}
