package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dispatchd/dispatchd"
)

// The deliveries of one write (an event with its runs and jobs, a state
// change) are queued as one hook_outbox row in that write's transaction.
// The deliverer's claims move them into hook_deliveries, oldest first, for
// the hooks with fewer than refillBelow deliveries pending there, up to
// readyAhead: a fast
// receiver always finds its next deliveries ready, a slow one does not
// hold back the others, and under a burst of dispatches the rows wait in
// the outbox instead of costing the writer an indexed row per delivery
// while the burst lasts. Nothing is lost in between: a crash leaves the
// rows, which the next claim moves.

const (
	qInsertOutbox = `INSERT INTO hook_outbox (repo_id, hooks, created_at, deliveries) VALUES (?, ?, ?, ?)`
	// The hooks of the oldest rows; a row's deliveries are read only when
	// one of its hooks takes them. A claim looks 16 rows ahead: a hook
	// whose deliveries are further back than that behind a busy hook's
	// waits until the busy one has taken some (a claim follows each of
	// its deliveries).
	qOutboxBatch = `SELECT id, hooks FROM hook_outbox ORDER BY id LIMIT 16`
	qOutboxRow   = `SELECT created_at, deliveries FROM hook_outbox WHERE id = ?`
	qDropOutbox  = `DELETE FROM hook_outbox WHERE id = ?`
	qKeepOutbox  = `UPDATE hook_outbox SET hooks = ?, deliveries = ? WHERE id = ?`
	qOutboxEmpty = `SELECT NOT EXISTS (SELECT 1 FROM hook_outbox)`
	// A hook's pending deliveries, counted up to readyAhead.
	qHookPending = `SELECT count(*) FROM (SELECT 1 FROM hook_deliveries WHERE state = 'pending' AND hook_id = ? LIMIT 64)`
	readyAhead   = 64
	// refillBelow: a hook with this many pending takes none. Claims follow
	// each delivery of a busy hook; taking one delivery at each would split
	// an outbox row (rewrite its blob) per delivery.
	refillBelow = readyAhead / 2
	// A delivery queued for a hook deleted since is dropped with it.
	qExpandDelivery = `INSERT INTO hook_deliveries (guid, hook_id, event, action, payload, repo_id, state,
			next_attempt_at, created_at) SELECT ?, ?, ?, ?, ?, ?, 'pending', ?, ? WHERE EXISTS (SELECT 1 FROM hooks WHERE id = ?)`
)

// queueDeliveries writes ds as one outbox row and marks the transaction
// for waking the deliverer once it commits.
func (db *DB) queueDeliveries(tx wtx, repoID int64, ds []*dispatchd.Delivery, t time.Time) error {
	if len(ds) == 0 {
		return nil
	}
	if _, err := tx.exec(qInsertOutbox, repoID, hookList(ds), toTS(t), encodeOutbox(ds)); err != nil {
		return err
	}
	db.queued.Store(true)
	return nil
}

// queueCommitted wakes the deliverer if the transaction just committed
// queued deliveries.
func (db *DB) queueCommitted() {
	if db.queued.Swap(false) {
		db.deliveriesQueued()
	}
}

// hookList is ",1,5," for deliveries to hooks 1 and 5.
func hookList(ds []*dispatchd.Delivery) string {
	b := []byte{','}
	for i, d := range ds {
		if slices.ContainsFunc(ds[:i], func(o *dispatchd.Delivery) bool { return o.HookID == d.HookID }) {
			continue
		}
		b = strconv.AppendInt(b, d.HookID, 10)
		b = append(b, ',')
	}
	return string(b)
}

// expandOutbox moves deliveries from outbox rows, oldest first, into
// hook_deliveries: all of them (16 rows at most) when every is true, else
// those of hooks that need more. A hook that needs none is passed over in
// all later rows too, so that its deliveries keep their order; the others
// go on. A row keeps what it did not give and goes when it is empty. Each
// delivery keeps the time it was queued at. It returns how many rows it
// changed.
func (db *DB) expandOutbox(tx wtx, every bool) (int, error) {
	rows, err := txQuery(tx, qOutboxBatch)
	type queued struct {
		id    int64
		hooks string
	}
	batch, err := collect(rows, err, func(s scanner) (queued, error) {
		var q queued
		return q, s.Scan(&q.id, &q.hooks)
	})
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	pending := map[int64]int{} // per hook, counted up to readyAhead
	passed := map[int64]bool{} // hooks passed over
	takes := func(h int64) (bool, error) {
		if every {
			return true, nil
		}
		if passed[h] {
			return false, nil
		}
		n, ok := pending[h]
		if !ok {
			if err := tx.queryRow(qHookPending, h).Scan(&n); err != nil {
				return false, err
			}
			pending[h] = n
			if n >= refillBelow {
				passed[h] = true
				return false, nil
			}
		}
		passed[h] = n >= readyAhead
		return !passed[h], nil
	}
	// anyTakes reports whether one of a row's hooks takes its deliveries.
	anyTakes := func(list string) (bool, error) {
		for _, f := range strings.Split(strings.Trim(list, ","), ",") {
			h, _ := strconv.ParseInt(f, 10, 64)
			if ok, err := takes(h); ok || err != nil {
				return ok, err
			}
		}
		return false, nil
	}
	changed := 0
	for _, q := range batch {
		if ok, err := anyTakes(q.hooks); err != nil {
			return 0, err
		} else if !ok {
			continue // its hooks are passed over: the row stays as it is
		}
		var at int64
		var data []byte
		if err := tx.queryRow(qOutboxRow, q.id).Scan(&at, &data); err != nil {
			return 0, err
		}
		ds, err := decodeOutbox(data)
		if err != nil {
			ds = nil // unreadable (never, as this package writes them): dropped, not blocking the queue
		}
		var kept []*dispatchd.Delivery
		for _, d := range ds {
			ok, err := takes(d.HookID)
			if err != nil {
				return 0, err
			}
			if !ok {
				kept = append(kept, d)
				continue
			}
			if _, err := tx.exec(qExpandDelivery, dispatchd.NewDeliveryGUID(), d.HookID, d.Event, d.Action, d.Payload,
				d.RepoID, at, at, d.HookID); err != nil {
				return 0, err
			}
			pending[d.HookID]++
		}
		switch {
		case len(kept) == 0:
			_, err = tx.exec(qDropOutbox, q.id)
		case len(kept) < len(ds):
			_, err = tx.exec(qKeepOutbox, hookList(kept), encodeOutbox(kept), q.id)
		default:
			continue
		}
		if err != nil {
			return 0, err
		}
		changed++
	}
	return changed, nil
}

// flushOutbox moves the whole outbox, so that what was queued before a
// listing of deliveries is listed by it.
func (db *DB) flushOutbox(ctx context.Context) error {
	var empty bool
	if err := db.queryRow(ctx, qOutboxEmpty).Scan(&empty); err != nil || empty {
		return err
	}
	for {
		n := 0
		err := db.group.do(ctx, func(sqltx *sql.Tx) error {
			var err error
			n, err = db.expandOutbox(wtx{db.wstmts, sqltx}, true)
			return err
		})
		if err != nil || n == 0 {
			return err
		}
	}
}

// The encoding of an outbox row: a version byte, then per delivery the
// hook id, the repository id, the event and the action (each with its
// length), and a flag: 0 followed by the payload with its length, or 1
// for the payload of the delivery before (an event to several hooks
// stores its payload once).
const outboxVersion = 1

func encodeOutbox(ds []*dispatchd.Delivery) []byte {
	size := 1
	for _, d := range ds {
		size += 32 + len(d.Event) + len(d.Action) + len(d.Payload)
	}
	b := make([]byte, 0, size)
	b = append(b, outboxVersion)
	var prev []byte
	for i, d := range ds {
		b = binary.AppendUvarint(b, uint64(d.HookID))
		b = binary.AppendUvarint(b, uint64(d.RepoID))
		b = appendBytes(b, []byte(d.Event))
		b = appendBytes(b, []byte(d.Action))
		if i > 0 && sameBytes(prev, d.Payload) {
			b = append(b, 1) // as before
			continue
		}
		b = append(b, 0)
		b = appendBytes(b, d.Payload)
		prev = d.Payload
	}
	return b
}

func appendBytes(b, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// sameBytes reports whether a and b are one slice (the same payload
// handed to several deliveries), not whether their contents match.
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

var errBadOutbox = errors.New("malformed outbox row")

func decodeOutbox(b []byte) ([]*dispatchd.Delivery, error) {
	if len(b) == 0 || b[0] != outboxVersion {
		return nil, errBadOutbox
	}
	r := outboxReader{b: b[1:]}
	var out []*dispatchd.Delivery
	var prev []byte
	for len(r.b) > 0 && r.err == nil {
		d := &dispatchd.Delivery{HookID: int64(r.uvarint()), RepoID: int64(r.uvarint())}
		d.Event, d.Action = string(r.bytes()), string(r.bytes())
		switch r.byte() {
		case 0:
			prev = r.bytes()
		case 1:
			if len(out) == 0 {
				r.err = errBadOutbox
			}
		default:
			r.err = errBadOutbox
		}
		d.Payload = prev
		out = append(out, d)
	}
	if r.err != nil {
		return nil, r.err
	}
	return out, nil
}

type outboxReader struct {
	b   []byte
	err error
}

func (r *outboxReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 || v > 1<<62 {
		r.err, r.b = errBadOutbox, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *outboxReader) byte() byte {
	if len(r.b) == 0 {
		r.err = errBadOutbox
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *outboxReader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		r.err, r.b = errBadOutbox, nil
		return nil
	}
	s := r.b[:n:n]
	r.b = r.b[n:]
	return s
}
