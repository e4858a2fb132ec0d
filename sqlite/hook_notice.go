package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/dispatchd/dispatchd"
)

// Deliveries of workflow_run and workflow_job are written in the
// transaction that changes the run's or job's state, as a notice: what
// changed and the state it changed to. The payload (the run or job object,
// the repository, the sender) is rendered when the delivery is read, by
// the renderer the server sets; the notice keeps the state of the change,
// so a late delivery still tells the state it is about.
const noticeMark = 0x01

// NoticeRenderer renders a notice's payload.
type NoticeRenderer func(ctx context.Context, event, action string, n dispatchd.Notice) ([]byte, error)

// SetNoticeRenderer sets the renderer of workflow_run and workflow_job
// payloads; without one such deliveries fail when read.
func (db *DB) SetNoticeRenderer(fn NoticeRenderer) { db.renderNotice.Store(&fn) }

// insertNotice queues a delivery of the notice to each active hook of the
// repository and its organization that subscribes to event.
func (db *DB) insertNotice(tx wtx, event, action string, n dispatchd.Notice) error {
	ds, err := db.noticeDeliveries(tx, nil, event, action, n)
	if err != nil {
		return err
	}
	return db.queueDeliveries(tx, n.RepoID, ds, now())
}

// noticeDeliveries appends to ds a delivery of the notice to each hook
// that subscribes to event.
func (db *DB) noticeDeliveries(tx wtx, ds []*dispatchd.Delivery, event, action string, n dispatchd.Notice) ([]*dispatchd.Delivery, error) {
	hooks, err := db.hooksWanting(tx, n.RepoID, event)
	if err != nil || len(hooks) == 0 {
		return ds, err
	}
	payload := appendNotice([]byte{noticeMark}, n)
	for _, h := range hooks {
		ds = append(ds, &dispatchd.Delivery{HookID: h.id, Event: event, Action: action, RepoID: n.RepoID, Payload: payload})
	}
	return ds, nil
}

// appendNotice appends n as json.Marshal writes it, without reflection:
// two notices go with every hooked dispatch, on the one writer.
func appendNotice(b []byte, n dispatchd.Notice) []byte {
	if !plainJSON(n.Status) || !plainJSON(n.Conclusion) {
		data, _ := json.Marshal(n)
		return append(b, data...)
	}
	b = strconv.AppendInt(append(b, `{"repo_id":`...), n.RepoID, 10)
	b = strconv.AppendInt(append(b, `,"run_id":`...), n.RunID, 10)
	if n.JobID != 0 {
		b = strconv.AppendInt(append(b, `,"job_id":`...), n.JobID, 10)
	}
	b = strconv.AppendInt(append(b, `,"attempt":`...), int64(n.Attempt), 10)
	b = append(append(append(b, `,"status":"`...), n.Status...), '"')
	if n.Conclusion != "" {
		b = append(append(append(b, `,"conclusion":"`...), n.Conclusion...), '"')
	}
	return append(b, '}')
}

// plainJSON reports whether s needs no escaping in JSON (json.Marshal
// escapes <, > and & too).
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// hooksWanting returns the active hooks of a repository and its
// organization that subscribe to event; from the cache, as a rule.
func (db *DB) hooksWanting(tx wtx, repoID int64, event string) ([]hookTarget, error) {
	hooks, err := db.repoHooks(tx, repoID)
	if err != nil {
		return nil, err
	}
	var out []hookTarget
	for _, h := range hooks {
		if h.wants(event) {
			out = append(out, h)
		}
	}
	return out, nil
}

// runNotices writes workflow_run deliveries for runs entering status.
func (db *DB) runNotices(tx wtx, action string, runs ...*dispatchd.Run) error {
	for _, r := range runs {
		if err := db.insertNotice(tx, "workflow_run", action, runNoticeOf(r)); err != nil {
			return err
		}
	}
	return nil
}

// jobNotice writes a workflow_job delivery for a job entering its status.
func (db *DB) jobNotice(tx wtx, j *dispatchd.Job) error {
	return db.insertNotice(tx, "workflow_job", j.Status, jobNoticeOf(j))
}

// runNoticeOf and jobNoticeOf record the state a run or job enters.
func runNoticeOf(r *dispatchd.Run) dispatchd.Notice {
	return dispatchd.Notice{RepoID: r.RepoID, RunID: r.ID, Attempt: r.RunAttempt, Status: r.Status, Conclusion: r.Conclusion}
}

func jobNoticeOf(j *dispatchd.Job) dispatchd.Notice {
	return dispatchd.Notice{RepoID: j.RepoID, RunID: j.RunID, JobID: j.ID, Attempt: j.RunAttempt, Status: j.Status,
		Conclusion: j.Conclusion}
}

// runNoticeByID is runNotices for a run known by id, read in w.
func (db *DB) runNoticeByID(w wtx, action string, id int64) error {
	r, err := scanRun(w.queryRow(qRunByID, id))
	if err != nil {
		return err
	}
	return db.runNotices(w, action, r)
}

const qRunByID = `SELECT ` + runColumns + ` FROM runs r WHERE r.id = ?`

// renderNoticePayload turns a notice payload into the delivered one.
func (db *DB) renderNoticePayload(ctx context.Context, d *dispatchd.Delivery) error {
	if len(d.Payload) == 0 || d.Payload[0] != noticeMark {
		return nil
	}
	var n dispatchd.Notice
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

// runCreatedNotices appends to ds the workflow_run requested and
// workflow_job queued deliveries of a new run.
func (db *DB) runCreatedNotices(tx wtx, ds []*dispatchd.Delivery, nr dispatchd.NewRun) ([]*dispatchd.Delivery, error) {
	ds, err := db.noticeDeliveries(tx, ds, "workflow_run", "requested", runNoticeOf(nr.Run))
	if err != nil {
		return nil, err
	}
	for _, j := range nr.Jobs {
		if ds, err = db.noticeDeliveries(tx, ds, "workflow_job", j.Status, jobNoticeOf(j)); err != nil {
			return nil, err
		}
	}
	return ds, nil
}
