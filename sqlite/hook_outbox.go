package sqlite

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/dispatchd/dispatchd"
)

// The webhook outbox of events: CreateEvent writes an event's deliveries
// in the transaction that stores the event, so that a committed event has
// its deliveries and a rolled-back one has none.

// outboxEvents are the events whose deliveries CreateEvent writes;
// workflow_run and workflow_job are not delivered yet.
var outboxEvents = map[string]bool{"repository_dispatch": true, "workflow_dispatch": true, "push": true}

// hookTarget is what the outbox needs of an active hook.
type hookTarget struct {
	id     int64
	events []string
}

func (h hookTarget) wants(event string) bool {
	return slices.Contains(h.events, event) || slices.Contains(h.events, "*")
}

// qRepoHooks reads the active hooks of a repository and of its
// organization (a user owns no hooks of scope org). Prepared at open.
const qRepoHooks = `SELECT id, events FROM hooks WHERE active
	AND ((scope = 'repo' AND owner_id = ?) OR (scope = 'org' AND owner_id = (SELECT owner_id FROM repos WHERE id = ?)))
	ORDER BY id`

// repoHooks returns the active hooks of a repository and of its
// organization, from the cache or read in tx.
//
// It runs on the committer, inside the transaction, as every hook write
// does (CreateHook, UpdateHook and DeleteHook purge the cache from inside
// their transaction and again after it): what it returns is what the
// transaction sees, so a hook deleted a moment ago is never the target of
// a delivery, and a hook created a moment ago is.
func (db *DB) repoHooks(tx wtx, repoID int64) ([]hookTarget, error) {
	hooks, ok, gen := db.cache.hooks.get(repoID)
	if ok {
		return hooks, nil
	}
	rows, err := txQuery(tx, qRepoHooks, repoID, repoID)
	hooks, err = collect(rows, err, func(s scanner) (hookTarget, error) {
		var h hookTarget
		var events string
		err := s.Scan(&h.id, &events)
		h.events = strings.Split(events, ",")
		return h, err
	})
	if err != nil {
		return nil, err
	}
	db.cache.hooks.put(repoID, hooks, gen)
	return hooks, nil
}

// eventDeliveries returns a delivery of e to each active hook of its
// repository and organization that subscribes to it. Each keeps e's
// payload as the event row does, skeleton and parts spec, its parts being
// stored once (see packPayload).
func (db *DB) eventDeliveries(tx wtx, e *dispatchd.Event, skeleton []byte, spec string) ([]*dispatchd.Delivery, error) {
	if !outboxEvents[e.Name] {
		return nil, nil
	}
	hooks, err := db.repoHooks(tx, e.RepoID)
	if err != nil || len(hooks) == 0 {
		return nil, err
	}
	var ds []*dispatchd.Delivery
	var stored []byte
	for _, h := range hooks {
		if h.wants(e.Name) {
			if stored == nil {
				stored = packPayload(skeleton, spec)
			}
			ds = append(ds, &dispatchd.Delivery{HookID: h.id, Event: e.Name, Action: e.Action, Payload: stored, RepoID: e.RepoID})
		}
	}
	return ds, nil
}

// payloadMark starts a stored delivery payload whose parts (the
// repository, the sender: most of its 5 KB) are kept once in
// payload_parts, as an event's are: the mark, the parts spec, a newline,
// then the skeleton. An event's deliveries so cost the outbox a few
// hundred bytes each, not a copy of the whole payload. A JSON payload
// never starts with the mark; those are stored whole (pings, redeliveries).
const payloadMark = 0x00

func packPayload(skeleton []byte, spec string) []byte {
	if spec == "" {
		return skeleton
	}
	b := make([]byte, 0, 2+len(spec)+len(skeleton))
	b = append(b, payloadMark)
	b = append(b, spec...)
	b = append(b, '\n')
	return append(b, skeleton...)
}

// unpackPayload puts the parts of d's stored payload back in: d.Payload
// is then the whole payload, as delivered.
func (db *DB) unpackPayload(ctx context.Context, d *dispatchd.Delivery) error {
	if len(d.Payload) > 0 && d.Payload[0] == noticeMark {
		return db.renderNoticePayload(ctx, d)
	}
	if len(d.Payload) == 0 || d.Payload[0] != payloadMark {
		return nil
	}
	spec, skeleton, ok := bytes.Cut(d.Payload[1:], []byte{'\n'})
	if !ok {
		return fmt.Errorf("delivery %d: stored payload without its parts spec", d.ID)
	}
	e := &dispatchd.Event{ID: d.ID, RepoID: d.RepoID, Payload: skeleton}
	if err := db.joinPayload(ctx, e, string(spec)); err != nil {
		return fmt.Errorf("delivery %d: %w", d.ID, err)
	}
	d.Payload = e.Payload
	return nil
}

// OnDeliveries sets fn (the deliverer's Wake) to be called after every
// commit that enqueued deliveries: an event's, a ping, a redelivery. fn
// must not block.
func (db *DB) OnDeliveries(fn func()) {
	if fn == nil {
		db.onDeliveries.Store(nil)
		return
	}
	db.onDeliveries.Store(&fn)
}

func (db *DB) deliveriesQueued() {
	if fn := db.onDeliveries.Load(); fn != nil {
		(*fn)()
	}
}

// purgeHooks forgets the cached hooks of every repository. Hook writes
// call it inside their transaction, so that the events after them in the
// same or a later batch read the hooks again, and after it (deferred), so
// that nothing read while it was uncommitted stays.
func (db *DB) purgeHooks() { db.cache.hooks.purge() }
