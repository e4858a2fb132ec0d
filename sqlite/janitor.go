package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/dispatchd/dispatchd"
)

// pruneEvery is how often the janitor deletes what the store need not keep.
const pruneEvery = time.Hour

// pruneChunk bounds the rows one write deletes: a backlog goes in many
// short writes, with the dispatches' commits between them.
const pruneChunk = 1000

// qPruneIdempotency deletes up to pruneChunk keys created before a time,
// found by idempotency_keys_created.
const qPruneIdempotency = `DELETE FROM idempotency_keys WHERE rowid IN
	(SELECT rowid FROM idempotency_keys WHERE created_at < ? LIMIT ?)`

// janitor deletes idempotency keys whose window has passed, at start and
// then every pruneEvery: without it every key a client ever sent stays, its
// answer with it.
type janitor struct {
	stop context.CancelFunc
	done chan struct{}
}

func startJanitor(db *DB) *janitor {
	ctx, stop := context.WithCancel(context.Background())
	j := &janitor{stop: stop, done: make(chan struct{})}
	go func() {
		defer close(j.done)
		t := time.NewTicker(pruneEvery)
		defer t.Stop()
		for {
			db.pruneIdempotency(ctx, now().Add(-dispatchd.IdempotencyWindow)) // failing only delays it
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return j
}

// close stops the janitor, between two writes of a prune; once stopped, it
// returns at once.
func (j *janitor) close() {
	j.stop()
	<-j.done
}

// pruneIdempotency deletes the keys created before t and returns how many.
func (db *DB) pruneIdempotency(ctx context.Context, t time.Time) (int, error) {
	total := 0
	for {
		var n int64
		err := db.group.do(ctx, func(tx *sql.Tx) error {
			res, err := tx.Exec(qPruneIdempotency, toTS(t), pruneChunk)
			if err == nil {
				n, err = res.RowsAffected()
			}
			return err
		})
		total += int(n)
		if err != nil || n < pruneChunk || ctx.Err() != nil {
			return total, err
		}
	}
}
