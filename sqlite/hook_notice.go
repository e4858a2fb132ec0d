package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dispatchd/dispatchd"
)

// Deliveries of workflow_run and workflow_job are written in the
// transaction that changes the run's or job's state, as a notice: what
// changed and the state it changed to. The payload (the run or job object,
// the repository, the sender) is rendered when the delivery is read, by
// the renderer the server sets; the notice keeps the state of the change,
// so a late delivery still tells the state it is about.
const noticeMark = 0x01

// Notice is the stored form of a workflow_run or workflow_job delivery.
type Notice = dispatchd.Notice

// NoticeRenderer renders a notice's payload.
type NoticeRenderer func(ctx context.Context, event, action string, n Notice) ([]byte, error)

// SetNoticeRenderer sets the renderer of workflow_run and workflow_job
// payloads; without one such deliveries fail when read.
func (db *DB) SetNoticeRenderer(fn NoticeRenderer) { db.renderNotice.Store(&fn) }

// insertNotices writes a delivery of the notice to each active hook of the
// repository and its organization that subscribes to event.
func (db *DB) insertNotices(tx wtx, event, action string, ns []Notice, t time.Time) (int, error) {
	if len(ns) == 0 {
		return 0, nil
	}
	hooks, err := db.repoHooks(tx, ns[0].RepoID)
	if err != nil || len(hooks) == 0 {
		return 0, err
	}
	var ds []*dispatchd.Delivery
	for _, h := range hooks {
		if !h.wants(event) {
			continue
		}
		for _, n := range ns {
			data, _ := json.Marshal(n)
			ds = append(ds, &dispatchd.Delivery{HookID: h.id, Event: event, Action: action, RepoID: n.RepoID,
				Payload: append([]byte{noticeMark}, data...)})
		}
	}
	if len(ds) > 0 {
		db.noticed.Store(true)
	}
	return len(ds), insertDeliveries(tx, ds, t)
}

// runNotices writes workflow_run deliveries for runs entering status.
func (db *DB) runNotices(tx wtx, action string, runs ...*dispatchd.Run) error {
	byRepo := map[int64][]Notice{}
	for _, r := range runs {
		byRepo[r.RepoID] = append(byRepo[r.RepoID], Notice{RepoID: r.RepoID, RunID: r.ID, Attempt: r.RunAttempt,
			Status: r.Status, Conclusion: r.Conclusion})
	}
	for _, ns := range byRepo {
		if _, err := db.insertNotices(tx, "workflow_run", action, ns, now()); err != nil {
			return err
		}
	}
	return nil
}

// jobNotice writes a workflow_job delivery for a job entering its status.
func (db *DB) jobNotice(tx wtx, j *dispatchd.Job) error {
	_, err := db.insertNotices(tx, "workflow_job", j.Status, []Notice{{RepoID: j.RepoID, RunID: j.RunID, JobID: j.ID,
		Attempt: j.RunAttempt, Status: j.Status, Conclusion: j.Conclusion}}, now())
	return err
}

// runNoticeByID is runNotices for a run known by id, read in tx.
func (db *DB) runNoticeByID(ctx context.Context, tx *sql.Tx, action string, id int64) error {
	r, err := scanRun(tx.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs r WHERE r.id = ?`, id))
	if err != nil {
		return err
	}
	return db.runNotices(wtx{db.wstmts, tx}, action, r)
}

// renderNoticePayload turns a notice payload into the delivered one.
func (db *DB) renderNoticePayload(ctx context.Context, d *dispatchd.Delivery) error {
	if len(d.Payload) == 0 || d.Payload[0] != noticeMark {
		return nil
	}
	var n Notice
	if err := json.Unmarshal(d.Payload[1:], &n); err != nil {
		return fmt.Errorf("delivery %d: bad notice: %w", d.ID, err)
	}
	fn := db.renderNotice.Load()
	if fn == nil {
		return fmt.Errorf("delivery %d: no renderer for %s", d.ID, d.Event)
	}
	data, err := (*fn)(ctx, d.Event, d.Action, n)
	if err != nil {
		return fmt.Errorf("delivery %d: %w", d.ID, err)
	}
	d.Payload = data
	return nil
}

// noticesCommitted wakes the deliverer if the transaction just committed
// wrote notices.
func (db *DB) noticesCommitted() {
	if db.noticed.Swap(false) {
		db.deliveriesQueued()
	}
}

// runCreatedNotices writes workflow_run requested and workflow_job queued
// for a new run.
func (db *DB) runCreatedNotices(tx wtx, nr dispatchd.NewRun) error {
	if err := db.runNotices(tx, "requested", nr.Run); err != nil {
		return err
	}
	for _, j := range nr.Jobs {
		if err := db.jobNotice(tx, j); err != nil {
			return err
		}
	}
	return nil
}
