package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/dispatchd/dispatchd"
)

var _ dispatchd.HookService = (*DB)(nil)

const hookColumns = `h.id, h.scope, h.owner_id, h.name, h.url, h.content_type, h.secret, h.insecure_ssl, h.events, h.active,
	h.failures, h.last_code, h.last_status, h.last_message, h.created_at, h.updated_at`

// hookReturning is hookColumns for a RETURNING clause, which takes no alias.
var hookReturning = strings.ReplaceAll(hookColumns, "h.", "")

// hookRow is what a hook's columns scan into.
type hookRow struct {
	h                dispatchd.Hook
	events           string
	failures         int
	created, updated sql.NullInt64
}

func (r *hookRow) dest() []any {
	h := &r.h
	return []any{&h.ID, &h.Scope, &h.OwnerID, &h.Name, &h.URL, &h.ContentType, &h.SealedSecret, &h.InsecureSSL, &r.events,
		&h.Active, &r.failures, &h.LastResponse.Code, &h.LastResponse.Status, &h.LastResponse.Message, &r.created, &r.updated}
}

func (r *hookRow) hook() *dispatchd.Hook {
	h := r.h
	h.Events = strings.Split(r.events, ",")
	h.Failing = r.failures >= dispatchd.HookFailingAfter
	h.CreatedAt, h.UpdatedAt = fromTS(r.created), fromTS(r.updated)
	return &h
}

func scanHook(s scanner) (*dispatchd.Hook, error) {
	var r hookRow
	if err := s.Scan(r.dest()...); err != nil {
		return nil, err
	}
	return r.hook(), nil
}

// sealedOrNil stores a hook without a secret as NULL.
func sealedOrNil(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

var errHookExists = &dispatchd.Error{Code: dispatchd.ECONFLICT, Message: "Validation Failed",
	Errors: []dispatchd.FieldError{{Resource: "Hook", Code: "custom", Message: "Hook already exists on this repository"}}}

// CreateHook implements dispatchd.HookService.
func (db *DB) CreateHook(ctx context.Context, h *dispatchd.Hook) error {
	if err := h.Normalize(); err != nil {
		return err
	}
	t := now()
	defer db.purgeHooks()
	err := db.group.do(ctx, func(tx *sql.Tx) error {
		db.purgeHooks()
		return tx.QueryRow(`INSERT INTO hooks (scope, owner_id, name, url, content_type, secret, insecure_ssl, events, active,
				created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			h.Scope, h.OwnerID, h.Name, h.URL, h.ContentType, sealedOrNil(h.SealedSecret), h.InsecureSSL,
			strings.Join(h.Events, ","), h.Active, toTS(t), toTS(t)).Scan(&h.ID)
	})
	if isUniqueViolation(err) {
		return errHookExists
	} else if err != nil {
		return err
	}
	h.CreatedAt, h.UpdatedAt = t, t
	h.LastResponse = dispatchd.HookResponse{Status: dispatchd.HookStatusUnused}
	h.Failing = false
	return nil
}

// FindHook implements dispatchd.HookService.
func (db *DB) FindHook(ctx context.Context, scope string, owner, id int64) (*dispatchd.Hook, error) {
	h, err := scanHook(db.queryRow(ctx, `SELECT `+hookColumns+` FROM hooks h WHERE h.id = ? AND h.scope = ? AND h.owner_id = ?`,
		id, scope, owner))
	return h, notFound(err)
}

// ListHooks implements dispatchd.HookService.
func (db *DB) ListHooks(ctx context.Context, scope string, owner int64) ([]*dispatchd.Hook, error) {
	rows, err := db.query(ctx, `SELECT `+hookColumns+` FROM hooks h WHERE h.scope = ? AND h.owner_id = ? ORDER BY h.id`, scope, owner)
	return collect(rows, err, scanHook)
}

// UpdateHook implements dispatchd.HookService.
func (db *DB) UpdateHook(ctx context.Context, h *dispatchd.Hook) error {
	if err := h.Normalize(); err != nil {
		return err
	}
	t := now()
	var got *dispatchd.Hook
	defer db.purgeHooks()
	err := db.group.do(ctx, func(tx *sql.Tx) error {
		db.purgeHooks()
		var err error
		got, err = scanHook(tx.QueryRow(`UPDATE hooks SET url = ?, content_type = ?, secret = ?, insecure_ssl = ?, events = ?,
				active = ?, updated_at = ? WHERE id = ? AND scope = ? AND owner_id = ? RETURNING `+hookReturning,
			h.URL, h.ContentType, sealedOrNil(h.SealedSecret), h.InsecureSSL, strings.Join(h.Events, ","), h.Active, toTS(t),
			h.ID, h.Scope, h.OwnerID))
		return notFound(err)
	})
	if isUniqueViolation(err) {
		return errHookExists
	} else if err != nil {
		return err
	}
	h.UpdatedAt, h.CreatedAt, h.LastResponse, h.Failing = got.UpdatedAt, got.CreatedAt, got.LastResponse, got.Failing
	return nil
}

// DeleteHook implements dispatchd.HookService; the deliveries go with it.
func (db *DB) DeleteHook(ctx context.Context, scope string, owner, id int64) error {
	defer db.purgeHooks()
	return db.group.do(ctx, func(tx *sql.Tx) error {
		db.purgeHooks()
		res, err := tx.Exec(`DELETE FROM hooks WHERE id = ? AND scope = ? AND owner_id = ?`, id, scope, owner)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return dispatchd.ErrNotFound
		}
		return nil
	})
}

// HooksFor implements dispatchd.HookService. A repository has a handful of
// hooks at most: the event is matched in Go.
func (db *DB) HooksFor(ctx context.Context, repoID, orgID int64, event string) ([]*dispatchd.Hook, error) {
	rows, err := db.query(ctx, `SELECT `+hookColumns+` FROM hooks h WHERE h.active
		AND ((h.scope = 'repo' AND h.owner_id = ?) OR (h.scope = 'org' AND h.owner_id = ?)) ORDER BY h.id`, repoID, orgID)
	hooks, err := collect(rows, err, scanHook)
	out := hooks[:0]
	for _, h := range hooks {
		if h.Wants(event) {
			out = append(out, h)
		}
	}
	return out, err
}

// The statements of the delivery path, prepared on the writer before the
// first use (prepareHookWrites), since a transaction cannot prepare them.
const (
	qInsertDelivery = `INSERT INTO hook_deliveries (guid, hook_id, event, action, payload, repo_id, redelivery, state,
			next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`
	// queueHeads is the oldest pending delivery of each hook that has one,
	// by a loose index scan over hook_deliveries_pending.
	queueHeads = `WITH RECURSIVE q(hook_id) AS (
			SELECT min(hook_id) FROM hook_deliveries WHERE state = 'pending'
			UNION ALL
			SELECT (SELECT min(hook_id) FROM hook_deliveries WHERE state = 'pending' AND hook_id > q.hook_id)
			FROM q WHERE q.hook_id IS NOT NULL)
		SELECT d.* FROM q JOIN hook_deliveries d
			ON d.id = (SELECT min(id) FROM hook_deliveries WHERE state = 'pending' AND hook_id = q.hook_id)`
	// qDueHeads takes its limit in the text: SQLite plans for the LIMIT
	// value, and re-prepares at every step a statement whose bound limit
	// changed. A few limits occur (the deliverer's free slots), each
	// prepared once.
	qDueHeads = `SELECT id FROM (` + queueHeads + `)
		WHERE coalesce(lease_until, 0) <= ? AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT `
	qLease   = `UPDATE hook_deliveries SET lease_until = ? WHERE id IN (SELECT value FROM json_each(?))`
	qClaimed = `SELECT ` + deliveryColumns + `, ` + hookColumns + ` FROM hook_deliveries d JOIN hooks h ON h.id = d.hook_id
		WHERE d.id IN (SELECT value FROM json_each(?)) ORDER BY d.next_attempt_at, d.id`
	// qHookHead leases a hook's oldest pending delivery if it is free and
	// due; qClaimedOne reads it with its hook.
	qHookHead = `UPDATE hook_deliveries SET lease_until = ? WHERE id = (SELECT min(id) FROM hook_deliveries
			WHERE hook_id = ? AND state = 'pending') AND coalesce(lease_until, 0) <= ? AND next_attempt_at <= ? RETURNING id`
	qClaimedOne = `SELECT ` + deliveryColumns + `, ` + hookColumns + ` FROM hook_deliveries d JOIN hooks h ON h.id = d.hook_id
		WHERE d.id = ?`
	qInsertAttempt = `INSERT INTO hook_delivery_attempts (delivery_id, number, at, duration, status_code, status, error,
			request_headers, response_headers, response_body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// qFinishAttempt counts an attempt at a pending delivery and stores
	// its outcome; it returns the hook and the attempt's number.
	qFinishAttempt = `UPDATE hook_deliveries SET attempts = attempts + 1, state = ?, next_attempt_at = ?, lease_until = NULL,
			delivered_at = ?, duration = ?, status_code = ?, status = ?, error = ?, request_headers = ?, response_headers = ?,
			response_body = ? WHERE id = ? AND state = 'pending' RETURNING hook_id, attempts`
	qHookResponse = `UPDATE hooks SET last_code = ?, last_status = ?, last_message = ?,
			failures = CASE WHEN ? THEN 0 ELSE failures + 1 END WHERE id = ?`
)

func (db *DB) prepareHookWrites(ctx context.Context) {
	for _, q := range []string{qInsertDelivery, qOutboxBatch, qOutboxRow, qExpandDelivery, qDropOutbox, qKeepOutbox, qHookPending, qLease, qClaimed, qHookHead, qClaimedOne, qInsertAttempt, qFinishAttempt, qHookResponse} {
		// A statement that fails to prepare runs unprepared in the transaction.
		db.wstmts.get(ctx, q)
	}
}

const deliveryColumns = `d.id, d.guid, d.hook_id, d.event, d.action, d.payload, d.repo_id, d.redelivery, d.state, d.attempts,
	d.next_attempt_at, d.created_at, d.delivered_at, d.duration, d.status_code, d.status, d.error, d.request_headers,
	d.response_headers, d.response_body`

// deliveryListColumns leave out what a list does not show: the payload,
// the headers and the body.
const deliveryListColumns = `d.id, d.guid, d.hook_id, d.event, d.action, x'', d.repo_id, d.redelivery, d.state, d.attempts,
	d.next_attempt_at, d.created_at, d.delivered_at, d.duration, d.status_code, d.status, d.error, '{}', '{}', ''`

type deliveryRow struct {
	d                        dispatchd.Delivery
	next, created, delivered sql.NullInt64
	reqHeaders, respHeaders  string
}

func (r *deliveryRow) dest() []any {
	d := &r.d
	return []any{&d.ID, &d.GUID, &d.HookID, &d.Event, &d.Action, &d.Payload, &d.RepoID, &d.Redelivery, &d.State, &d.Attempts,
		&r.next, &r.created, &r.delivered, &d.Duration, &d.StatusCode, &d.Status, &d.Error, &r.reqHeaders, &r.respHeaders,
		&d.ResponseBody}
}

func (r *deliveryRow) delivery() *dispatchd.Delivery {
	d := r.d
	d.NextAttemptAt, d.CreatedAt, d.DeliveredAt = fromTS(r.next), fromTS(r.created), fromTS(r.delivered)
	d.RequestHeaders, d.ResponseHeaders = decodeHeaders(r.reqHeaders), decodeHeaders(r.respHeaders)
	return &d
}

func scanDelivery(s scanner) (*dispatchd.Delivery, error) {
	var r deliveryRow
	if err := s.Scan(r.dest()...); err != nil {
		return nil, err
	}
	return r.delivery(), nil
}

func encodeHeaders(h map[string]string) string {
	if len(h) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(h)
	return string(b)
}

func decodeHeaders(s string) map[string]string {
	if s == "" || s == "{}" {
		return nil
	}
	var h map[string]string
	json.Unmarshal([]byte(s), &h)
	return h
}

func idList(ids []int64) string {
	b, _ := json.Marshal(ids)
	return string(b)
}

// EnqueueDeliveries implements dispatchd.HookService.
func (db *DB) EnqueueDeliveries(ctx context.Context, ds []*dispatchd.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	db.prepareHookWrites(ctx)
	t := now()
	if err := db.group.do(ctx, func(tx *sql.Tx) error { return insertDeliveries(wtx{db.wstmts, tx}, ds, t) }); err != nil {
		return err
	}
	db.deliveriesQueued()
	return nil
}

// insertDeliveries writes new pending deliveries in tx, straight into
// hook_deliveries: for pings and redeliveries, which a caller enqueues by
// itself (events and state changes queue theirs in the outbox, see
// queueDeliveries). It fills ID, GUID (when empty), State, CreatedAt and
// NextAttemptAt (when zero). Its statement is prepared at open.
func insertDeliveries(tx wtx, ds []*dispatchd.Delivery, t time.Time) error {
	for _, d := range ds {
		if d.HookID == 0 || d.Event == "" {
			return dispatchd.Errorf(dispatchd.EINVALID, "A delivery needs a hook and an event.")
		}
		if d.GUID == "" {
			d.GUID = dispatchd.NewDeliveryGUID()
		}
		if d.NextAttemptAt.IsZero() {
			d.NextAttemptAt = t
		}
		if d.Payload == nil {
			d.Payload = []byte{}
		}
		res, err := tx.exec(qInsertDelivery, d.GUID, d.HookID, d.Event, d.Action, d.Payload, d.RepoID, d.Redelivery,
			toTS(d.NextAttemptAt), toTS(t))
		if err != nil {
			return err
		}
		if d.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		d.State, d.CreatedAt, d.Attempts = dispatchd.DeliveryPending, t, 0
	}
	return nil
}

// maxClaim bounds a claim, and so the statements prepared for claims.
const maxClaim = 256

// ClaimDueDeliveries implements dispatchd.HookService.
func (db *DB) ClaimDueDeliveries(ctx context.Context, at time.Time, limit int) ([]*dispatchd.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	limit = min(limit, maxClaim)
	qDue := qDueHeads + strconv.Itoa(limit)
	db.prepareHookWrites(ctx)
	db.wstmts.get(ctx, qDue)
	var out []*dispatchd.Delivery
	err := db.group.do(ctx, func(sqltx *sql.Tx) error {
		out = nil
		tx := wtx{db.wstmts, sqltx}
		if _, err := db.expandOutbox(tx, false); err != nil {
			return err
		}
		rows, err := txQuery(tx, qDue, toTS(at), toTS(at))
		ids, err := collect(rows, err, func(s scanner) (int64, error) {
			var id int64
			return id, s.Scan(&id)
		})
		if err != nil || len(ids) == 0 {
			return err
		}
		list := idList(ids)
		if _, err := tx.exec(qLease, toTS(at.Add(dispatchd.DeliveryLease)), list); err != nil {
			return err
		}
		rows, err = txQuery(tx, qClaimed, list)
		out, err = collect(rows, err, scanClaimed)
		return err
	})
	if err != nil {
		return nil, err
	}
	// The payloads get their parts back outside the transaction. One
	// whose parts are gone (its repository was deleted as it was claimed)
	// stays leased until the repository's deliveries are deleted.
	claimed := out[:0]
	for _, d := range out {
		if db.unpackPayload(ctx, d) == nil {
			claimed = append(claimed, d)
		}
	}
	return claimed, nil
}

// scanClaimed reads a row of qClaimed: a delivery with its hook.
func scanClaimed(s scanner) (*dispatchd.Delivery, error) {
	var dr deliveryRow
	var hr hookRow
	if err := s.Scan(append(dr.dest(), hr.dest()...)...); err != nil {
		return nil, err
	}
	d := dr.delivery()
	d.Hook = hr.hook()
	return d, nil
}

// txQuery runs a query in a write transaction, prepared when it was.
func txQuery(tx wtx, q string, args ...any) (*sql.Rows, error) {
	if st := tx.stmts.bind(tx.tx, q); st != nil {
		return st.Query(args...)
	}
	return tx.tx.Query(q, args...)
}

// NextDeliveryDue implements dispatchd.HookService.
func (db *DB) NextDeliveryDue(ctx context.Context) (time.Time, error) {
	// The outbox is not looked at: a claim moves what hooks need from it,
	// and claims follow every Wake, start and completed delivery.
	var at sql.NullInt64
	err := db.queryRow(ctx, `SELECT min(max(next_attempt_at, coalesce(lease_until, 0))) FROM (`+queueHeads+`)`).Scan(&at)
	return fromTS(at), err
}

// RecordAttempt implements dispatchd.HookService.
func (db *DB) RecordAttempt(ctx context.Context, id int64, a *dispatchd.DeliveryAttempt, o dispatchd.DeliveryOutcome) error {
	_, err := db.recordAttempt(ctx, id, a, o, time.Time{})
	return err
}

// RecordAttemptClaimNext implements dispatchd.HookService: RecordAttempt
// and, when the attempt ended the delivery, the claim of its hook's next
// one, due at `at`, in the same transaction. The deliveries of a busy hook
// follow one another with one write each, and no claim of their own.
func (db *DB) RecordAttemptClaimNext(ctx context.Context, id int64, a *dispatchd.DeliveryAttempt, o dispatchd.DeliveryOutcome,
	at time.Time) (*dispatchd.Delivery, error) {
	next, err := db.recordAttempt(ctx, id, a, o, at)
	if err != nil || next == nil {
		return nil, err
	}
	// As in a claim: one whose parts are gone stays leased.
	if db.unpackPayload(ctx, next) != nil {
		return nil, nil
	}
	return next, nil
}

// recordAttempt records an attempt; with a non-zero at it then claims the
// hook's next delivery if the attempt ended this one and the next is due.
func (db *DB) recordAttempt(ctx context.Context, id int64, a *dispatchd.DeliveryAttempt, o dispatchd.DeliveryOutcome,
	at time.Time) (*dispatchd.Delivery, error) {
	switch o.State {
	case dispatchd.DeliveryPending:
		if o.NextAttemptAt.IsZero() {
			return nil, dispatchd.Errorf(dispatchd.EINVALID, "A delivery to retry needs its next attempt time.")
		}
	case dispatchd.DeliveryDelivered, dispatchd.DeliveryFailed, dispatchd.DeliveryDropped:
	default:
		return nil, dispatchd.Errorf(dispatchd.EINVALID, "Delivery state %q is invalid.", o.State)
	}
	if a.At.IsZero() {
		a.At = now()
	}
	db.prepareHookWrites(ctx)
	req, resp := encodeHeaders(a.RequestHeaders), encodeHeaders(a.ResponseHeaders)
	var next *dispatchd.Delivery
	err := db.group.do(ctx, func(sqltx *sql.Tx) error {
		next = nil
		tx := wtx{db.wstmts, sqltx}
		hookID, err := recordIn(tx, id, a, o, req, resp)
		if err != nil || at.IsZero() || o.State == dispatchd.DeliveryPending {
			return err
		}
		next, err = db.claimHookHead(tx, hookID, at)
		return err
	})
	return next, err
}

// recordIn writes an attempt and the delivery's new state, and returns the
// delivery's hook.
func recordIn(tx wtx, id int64, a *dispatchd.DeliveryAttempt, o dispatchd.DeliveryOutcome, req, resp string) (int64, error) {
	next := a.At
	if o.State == dispatchd.DeliveryPending {
		next = o.NextAttemptAt
	}
	var hookID int64
	err := tx.queryRow(qFinishAttempt, o.State, toTS(next), toTS(a.At), a.Duration, a.StatusCode, a.Status,
		a.Error, req, resp, a.ResponseBody, id).Scan(&hookID, &a.Number)
	if err == sql.ErrNoRows {
		return 0, dispatchd.Errorf(dispatchd.ENOTFOUND, "Delivery %d is not pending.", id)
	} else if err != nil {
		return 0, err
	}
	a.DeliveryID = id
	if _, err := tx.exec(qInsertAttempt, id, a.Number, toTS(a.At), a.Duration, a.StatusCode, a.Status, a.Error,
		req, resp, a.ResponseBody); err != nil {
		return 0, err
	}
	if o.State == dispatchd.DeliveryDropped {
		return hookID, nil // nothing was sent: the hook's last response stands
	}
	status, msg := dispatchd.HookStatusActive, a.Status
	if !a.OK() {
		status = dispatchd.HookStatusFailed
	}
	if msg == "" {
		msg = a.Error
	}
	_, err = tx.exec(qHookResponse, a.StatusCode, status, msg, a.OK(), hookID)
	return hookID, err
}

// claimHookHead leases the hook's oldest pending delivery if it is due at
// `at` and free, after moving what the hook needs from the outbox.
func (db *DB) claimHookHead(tx wtx, hookID int64, at time.Time) (*dispatchd.Delivery, error) {
	if _, err := db.expandOutbox(tx, false); err != nil {
		return nil, err
	}
	var id int64
	err := tx.queryRow(qHookHead, toTS(at.Add(dispatchd.DeliveryLease)), hookID, toTS(at), toTS(at)).Scan(&id)
	if err == sql.ErrNoRows {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return scanClaimed(tx.queryRow(qClaimedOne, id))
}

// ResetDeliveryLeases implements dispatchd.HookService. It is for a single
// process starting up: with several deliverers on one database, leases
// simply expire.
func (db *DB) ResetDeliveryLeases(ctx context.Context) error {
	return db.group.do(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE hook_deliveries SET lease_until = NULL WHERE state = 'pending' AND lease_until IS NOT NULL`)
		return err
	})
}

// qPruneDeliveries deletes finished deliveries by hook_deliveries_done,
// whose condition it repeats word for word; it used to read every delivery
// kept, payloads and responses, in the writer, at every prune.
const qPruneDeliveries = `DELETE FROM hook_deliveries WHERE state <> 'pending' AND created_at < ?`

// PruneDeliveries implements dispatchd.HookService.
func (db *DB) PruneDeliveries(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := db.group.do(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(qPruneDeliveries, toTS(before))
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	return int(n), err
}

// deliveryCursor is GitHub's opaque cursor: the last id of a page.
func deliveryCursor(id int64) string { return "v1_" + strconv.FormatInt(id, 10) }

// ListDeliveries implements dispatchd.HookService.
func (db *DB) ListDeliveries(ctx context.Context, f dispatchd.DeliveryFilter) ([]*dispatchd.Delivery, string, error) {
	before := int64(1<<63 - 1)
	if f.Cursor != "" {
		id, err := strconv.ParseInt(strings.TrimPrefix(f.Cursor, "v1_"), 10, 64)
		if err != nil || !strings.HasPrefix(f.Cursor, "v1_") {
			return nil, "", dispatchd.Errorf(dispatchd.EINVALID, "Invalid cursor.")
		}
		before = id
	}
	perPage := f.PerPage
	if perPage <= 0 {
		perPage = 30
	}
	perPage = min(perPage, 100)
	cond := ""
	switch {
	case f.Redelivery == nil:
	case *f.Redelivery:
		cond += ` AND d.redelivery = 1`
	default:
		cond += ` AND d.redelivery = 0`
	}
	switch f.Status {
	case "":
	case "success":
		cond += ` AND d.state = 'delivered'`
	case "failure":
		cond += ` AND (d.state IN ('failed', 'dropped') OR d.state = 'pending' AND d.attempts > 0)`
	default:
		return nil, "", dispatchd.Errorf(dispatchd.EINVALID, "status must be success or failure.")
	}
	if err := db.flushOutbox(ctx); err != nil {
		return nil, "", err
	}
	// The limit and the filters are in the text, as in qDueHeads: a few
	// statements in all.
	rows, err := db.query(ctx, `SELECT `+deliveryListColumns+` FROM hook_deliveries d WHERE d.hook_id = ? AND d.id < ?`+cond+`
		ORDER BY d.id DESC LIMIT `+strconv.Itoa(perPage+1), f.HookID, before)
	ds, err := collect(rows, err, scanDelivery)
	if err != nil || len(ds) <= perPage {
		return ds, "", err
	}
	ds = ds[:perPage]
	return ds, deliveryCursor(ds[perPage-1].ID), nil
}

// FindDelivery implements dispatchd.HookService.
func (db *DB) FindDelivery(ctx context.Context, hookID, id int64) (*dispatchd.Delivery, error) {
	d, err := scanDelivery(db.queryRow(ctx, `SELECT `+deliveryColumns+` FROM hook_deliveries d WHERE d.id = ? AND d.hook_id = ?`,
		id, hookID))
	if err != nil {
		return nil, notFound(err)
	}
	// Parts gone with a deleted repository leave nothing to show or redeliver.
	return d, notFound(db.unpackPayload(ctx, d))
}

// ListDeliveryAttempts implements dispatchd.HookService.
func (db *DB) ListDeliveryAttempts(ctx context.Context, deliveryID int64) ([]*dispatchd.DeliveryAttempt, error) {
	rows, err := db.query(ctx, `SELECT delivery_id, number, at, duration, status_code, status, error, request_headers,
		response_headers, response_body FROM hook_delivery_attempts WHERE delivery_id = ? ORDER BY number`, deliveryID)
	return collect(rows, err, func(s scanner) (*dispatchd.DeliveryAttempt, error) {
		var a dispatchd.DeliveryAttempt
		var at sql.NullInt64
		var req, resp string
		err := s.Scan(&a.DeliveryID, &a.Number, &at, &a.Duration, &a.StatusCode, &a.Status, &a.Error, &req, &resp, &a.ResponseBody)
		a.At, a.RequestHeaders, a.ResponseHeaders = fromTS(at), decodeHeaders(req), decodeHeaders(resp)
		return &a, err
	})
}

// Redeliver implements dispatchd.HookService.
func (db *DB) Redeliver(ctx context.Context, hookID, id int64) (*dispatchd.Delivery, error) {
	d, err := db.FindDelivery(ctx, hookID, id)
	if err != nil {
		return nil, err
	}
	redo := &dispatchd.Delivery{GUID: d.GUID, HookID: d.HookID, Event: d.Event, Action: d.Action, Payload: d.Payload,
		RepoID: d.RepoID, Redelivery: true}
	if err := db.EnqueueDeliveries(ctx, []*dispatchd.Delivery{redo}); err != nil {
		return nil, notFound(err)
	}
	return redo, nil
}
