package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/dispatchd/dispatchd"
)

// The statements of the hot write path, prepared at open (prepareWrites).
const (
	qSetIdempotencyEvent = `UPDATE idempotency_keys SET event_id = ? WHERE repo_id = ? AND actor_id = ? AND key = ?`
	qClaimIdempotency    = `INSERT INTO idempotency_keys (repo_id, actor_id, key, request_hash, status, body, event_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, 0, ?)
		ON CONFLICT (repo_id, actor_id, key) DO UPDATE SET request_hash = excluded.request_hash, status = excluded.status,
			body = excluded.body, event_id = 0, created_at = excluded.created_at
		WHERE idempotency_keys.created_at < ?`
)

// CreateEvent implements dispatchd.RunService through the group committer:
// concurrent dispatches share one transaction, and their events, runs and
// jobs are written together when it ends (rowBuffer).
func (db *DB) CreateEvent(ctx context.Context, e *dispatchd.Event, runs []dispatchd.NewRun, idem *dispatchd.Idempotency) error {
	t := now()
	var runIDs []int64
	skeleton, spec, err := splitPayload(e)
	if err != nil {
		return err
	}
	err = db.group.do(ctx, func(sqltx *sql.Tx) error {
		tx := wtx{db.wstmts, sqltx}
		runIDs = runIDs[:0]
		if idem != nil {
			if err := claimIdempotency(tx, idem, t); err != nil {
				return err
			}
		}
		if err := db.insertParts(tx, e); err != nil {
			return err
		}
		var err error
		if e.ID, err = db.ids.take(tx, eventIDs); err != nil {
			return err
		}
		// Events, runs and jobs are written when the batch ends (rows.go),
		// with the ids idCache hands out.
		err = db.group.rows.insert(tx, eventRows, e.ID, e.RepoID, e.Name, e.Action, e.Ref, e.SHA, e.WorkflowID, e.ActorID, skeleton, spec,
			e.Cause.RunID, e.Cause.RepoID, e.Cause.Kind, e.Cause.Depth, toTS(t))
		if err != nil {
			return err
		}
		// The webhook deliveries of the event and of its runs and jobs
		// are queued as one outbox row.
		ds, err := db.eventDeliveries(tx, e, skeleton, spec)
		if err != nil {
			return err
		}
		for _, nr := range runs {
			if err := db.insertRun(tx, e, nr, t); err != nil {
				return err
			}
			if ds, err = db.runCreatedNotices(tx, ds, nr); err != nil {
				return err
			}
			runIDs = append(runIDs, nr.Run.ID)
		}
		if err := db.queueDeliveries(tx, e.RepoID, ds, t); err != nil {
			return err
		}
		if idem != nil {
			_, err := tx.exec(qSetIdempotencyEvent,
				e.ID, idem.RepoID, idem.ActorID, idem.Key)
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	db.partsCommitted(e)
	db.queueCommitted()
	e.CreatedAt, e.RunIDs = t, runIDs
	if idem != nil {
		idem.EventID, idem.CreatedAt = e.ID, t
	}
	return nil
}

// claimIdempotency stores the key's answer, replacing a record older than
// 24 hours; a live record means the key is taken (ECONFLICT).
func claimIdempotency(tx wtx, k *dispatchd.Idempotency, t time.Time) error {
	res, err := tx.exec(qClaimIdempotency,
		k.RepoID, k.ActorID, k.Key, k.RequestHash, k.Status, k.Body, toTS(t), toTS(t.Add(-dispatchd.IdempotencyWindow)))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return dispatchd.Errorf(dispatchd.ECONFLICT, "Idempotency-Key %q is already in use.", k.Key)
	}
	return nil
}

func (db *DB) insertRun(tx wtx, e *dispatchd.Event, nr dispatchd.NewRun, t time.Time) error {
	r := nr.Run
	// The counter lives on the workflow so that deleting runs never reuses a number.
	var err error
	if r.RunNumber, err = db.group.counters.next(tx, r.WorkflowID); err != nil {
		return err
	}
	r.RepoID, r.EventID, r.CreatedAt, r.UpdatedAt = e.RepoID, e.ID, t, t
	if r.RunAttempt == 0 {
		r.RunAttempt = 1
	}
	if r.Status == "" {
		r.Status = dispatchd.StatusQueued
	}
	if r.ID, err = db.ids.take(tx, runIDs); err != nil {
		return err
	}
	if nr.Finish != nil {
		nr.Finish(r) // fields that depend on the id
	}
	err = db.group.rows.insert(tx, runRows, r.ID,
		r.RepoID, r.WorkflowID, r.EventID, r.Name, r.DisplayTitle, r.Path, r.RunNumber, r.RunAttempt,
		r.Event, r.Status, r.Conclusion, r.HeadBranch, r.HeadSHA, r.ActorID, r.TriggeringActorID, r.ConcurrencyGroup,
		r.CancelInProgress, toTS(t), toTS(t), toTS(r.RunStartedAt))
	if err != nil {
		return err
	}
	for _, j := range nr.Jobs {
		if err := db.insertJob(tx, &db.group.rows, r, j, t); err != nil {
			return err
		}
	}
	return nil
}

// insertJob writes a job through rows (nil: at once).
func (db *DB) insertJob(tx wtx, rows *rowBuffer, r *dispatchd.Run, j *dispatchd.Job, t time.Time) error {
	j.RunID, j.RepoID, j.RunAttempt, j.CreatedAt = r.ID, r.RepoID, r.RunAttempt, t
	if j.Status == "" {
		j.Status = dispatchd.StatusQueued
	}
	needs, _ := json.Marshal(nonNil(j.Needs))
	labels, _ := json.Marshal(nonNil(j.Labels))
	var err error
	if j.ID, err = db.ids.take(tx, jobIDs); err != nil {
		return err
	}
	return rows.insert(tx, jobRows, j.ID, j.RunID, j.RepoID, j.RunAttempt, j.Key, j.Name, needs, labels, j.Status, j.Conclusion, toTS(t))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const eventColumns = `id, repo_id, name, action, ref, sha, workflow_id, actor_id, payload, parts,
	cause_run_id, cause_repo_id, cause_kind, depth, created_at`

// storedEvent is an event as read, its payload still without its parts.
type storedEvent struct {
	*dispatchd.Event
	parts string
}

func scanEvent(s scanner) (storedEvent, error) {
	e := storedEvent{Event: &dispatchd.Event{}}
	var created sql.NullInt64
	if err := s.Scan(&e.ID, &e.RepoID, &e.Name, &e.Action, &e.Ref, &e.SHA, &e.WorkflowID, &e.ActorID, &e.Payload, &e.parts,
		&e.Cause.RunID, &e.Cause.RepoID, &e.Cause.Kind, &e.Cause.Depth, &created); err != nil {
		return e, err
	}
	e.CreatedAt = fromTS(created)
	return e, nil
}

// events joins the payloads of stored events.
func (db *DB) events(ctx context.Context, stored []storedEvent) ([]*dispatchd.Event, error) {
	out := make([]*dispatchd.Event, len(stored))
	for i, s := range stored {
		if err := db.joinPayload(ctx, s.Event, s.parts); err != nil {
			return nil, err
		}
		out[i] = s.Event
	}
	return out, db.loadRunIDs(ctx, out)
}

// FindEvent implements dispatchd.RunService.
func (db *DB) FindEvent(ctx context.Context, repoID, id int64) (*dispatchd.Event, error) {
	e, err := scanEvent(db.queryRow(ctx, `SELECT `+eventColumns+` FROM events WHERE repo_id = ? AND id = ?`, repoID, id))
	if err != nil {
		return nil, notFound(err)
	}
	out, err := db.events(ctx, []storedEvent{e})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

func (db *DB) loadRunIDs(ctx context.Context, events []*dispatchd.Event) error {
	for _, e := range events {
		rows, err := db.query(ctx, `SELECT id FROM runs WHERE event_id = ? ORDER BY id`, e.ID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			e.RunIDs = append(e.RunIDs, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// ListEvents implements dispatchd.RunService.
func (db *DB) ListEvents(ctx context.Context, repoID int64, offset, limit int) ([]*dispatchd.Event, int, error) {
	var total int
	if err := db.queryRow(ctx, `SELECT count(*) FROM events WHERE repo_id = ?`, repoID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+eventColumns+` FROM events WHERE repo_id = ? ORDER BY id DESC LIMIT ? OFFSET ?`,
		repoID, limitOrAll(limit), offset)
	stored, err := collect(rows, err, scanEvent)
	if err != nil {
		return nil, 0, err
	}
	out, err := db.events(ctx, stored)
	return out, total, err
}

func limitOrAll(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

// FindIdempotency implements dispatchd.RunService.
func (db *DB) FindIdempotency(ctx context.Context, repoID, actorID int64, key string, since time.Time) (*dispatchd.Idempotency, error) {
	k := dispatchd.Idempotency{RepoID: repoID, ActorID: actorID, Key: key}
	var created sql.NullInt64
	err := db.queryRow(ctx, `SELECT request_hash, status, body, event_id, created_at FROM idempotency_keys
		WHERE repo_id = ? AND actor_id = ? AND key = ? AND created_at >= ?`, repoID, actorID, key, toTS(since)).
		Scan(&k.RequestHash, &k.Status, &k.Body, &k.EventID, &created)
	if err != nil {
		return nil, notFound(err)
	}
	k.CreatedAt = fromTS(created)
	return &k, nil
}

const runColumns = `r.id, r.repo_id, r.workflow_id, r.event_id, r.name, r.display_title, r.path, r.run_number, r.run_attempt,
	r.event, r.status, r.conclusion, r.head_branch, r.head_sha, r.actor_id, r.triggering_actor_id, r.concurrency_group,
	r.cancel_in_progress, r.created_at, r.updated_at, r.run_started_at`

func scanRun(s scanner) (*dispatchd.Run, error) {
	var r dispatchd.Run
	var created, updated, started sql.NullInt64
	err := s.Scan(&r.ID, &r.RepoID, &r.WorkflowID, &r.EventID, &r.Name, &r.DisplayTitle, &r.Path, &r.RunNumber, &r.RunAttempt,
		&r.Event, &r.Status, &r.Conclusion, &r.HeadBranch, &r.HeadSHA, &r.ActorID, &r.TriggeringActorID, &r.ConcurrencyGroup,
		&r.CancelInProgress, &created, &updated, &started)
	if err != nil {
		return nil, err
	}
	r.CreatedAt, r.UpdatedAt, r.RunStartedAt = fromTS(created), fromTS(updated), fromTS(started)
	return &r, nil
}

// FindRun implements dispatchd.RunService.
func (db *DB) FindRun(ctx context.Context, repoID, id int64) (*dispatchd.Run, error) {
	r, err := scanRun(db.queryRow(ctx, `SELECT `+runColumns+` FROM runs r WHERE r.repo_id = ? AND r.id = ?`, repoID, id))
	return r, notFound(err)
}

// runConclusions are the values of GitHub's `status` filter that are conclusions.
var runConclusions = map[string]bool{"action_required": true, "cancelled": true, "failure": true, "neutral": true,
	"skipped": true, "stale": true, "success": true, "timed_out": true, "startup_failure": true}

// ListRuns implements dispatchd.RunService.
func (db *DB) ListRuns(ctx context.Context, f dispatchd.RunFilter) ([]*dispatchd.Run, int, error) {
	count, page, args := listRunsQueries(f)
	var total int
	if err := db.queryRow(ctx, count, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := limitOrAll(f.Limit)
	if f.Max > 0 {
		if f.Offset >= f.Max {
			return nil, total, nil
		}
		if limit < 0 || limit > f.Max-f.Offset {
			limit = f.Max - f.Offset
		}
	}
	rows, err := db.query(ctx, page, append(args, limit, f.Offset)...)
	out, err := collect(rows, err, scanRun)
	return out, total, err
}

// runLiveStatus filters runs by a status they have while they live
// (queued, in_progress, …): it repeats runs_status's condition word for
// word, so that the live runs of that status are read, not every run of the
// repository. The unary + on the repository's and the workflow's ids keeps
// runs_repo and runs_workflow (all of their runs, ever) from being the
// planner's choice for the page's ORDER BY. TestQueryPlans holds it to it.
const runLiveStatus = "r.status <> 'completed' AND r.status = ?"

// listRunsQueries returns ListRuns's count and page queries for f, and
// their arguments; the page's takes the limit and the offset after them.
func listRunsQueries(f dispatchd.RunFilter) (count, page string, args []any) {
	live := f.Status != "" && !runConclusions[f.Status] && f.Status != dispatchd.StatusCompleted
	by := "r."
	if live {
		by = "+r."
	}
	where, args := []string{by + "repo_id = ?"}, []any{f.RepoID}
	add := func(cond string, arg any) { where, args = append(where, cond), append(args, arg) }
	if f.WorkflowID != 0 {
		add(by+"workflow_id = ?", f.WorkflowID)
	}
	if f.EventID != 0 {
		add("r.event_id = ?", f.EventID)
	}
	if f.Event != "" {
		add("r.event = ?", f.Event)
	}
	switch {
	case f.Status == "":
	case runConclusions[f.Status]:
		add("r.conclusion = ?", f.Status)
	case live:
		add(runLiveStatus, f.Status)
	default:
		add("r.status = ?", f.Status)
	}
	if f.Branch != "" {
		add("r.head_branch = ?", f.Branch)
	}
	if f.HeadSHA != "" {
		add("r.head_sha = ?", f.HeadSHA)
	}
	if f.ActorLogin != "" {
		add("r.actor_id = (SELECT id FROM users WHERE lower_login = ?)", strings.ToLower(f.ActorLogin))
	}
	if !f.CreatedMin.IsZero() {
		add("r.created_at >= ?", toTS(f.CreatedMin))
	}
	if !f.CreatedMax.IsZero() {
		add("r.created_at <= ?", toTS(f.CreatedMax))
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	return `SELECT count(*) FROM runs r` + cond, `SELECT ` + runColumns + ` FROM runs r` + cond + ` ORDER BY r.id DESC LIMIT ? OFFSET ?`, args
}

// DeleteRun implements dispatchd.RunService.
func (db *DB) DeleteRun(ctx context.Context, repoID, id int64) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM runs WHERE repo_id = ? AND id = ?`, repoID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return dispatchd.ErrNotFound
		}
		return nil
	})
}

const jobColumns = `id, run_id, repo_id, run_attempt, key, name, needs, labels, status, conclusion,
	created_at, started_at, completed_at, runner_id, runner_name, leg_index, steps, outputs`

func scanJob(s scanner) (*dispatchd.Job, error) {
	var j dispatchd.Job
	var needs, labels, steps, outputs []byte
	var created, started, completed sql.NullInt64
	err := s.Scan(&j.ID, &j.RunID, &j.RepoID, &j.RunAttempt, &j.Key, &j.Name, &needs, &labels, &j.Status, &j.Conclusion,
		&created, &started, &completed, &j.RunnerID, &j.RunnerName, &j.LegIndex, &steps, &outputs)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(steps, &j.Steps); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(outputs, &j.Outputs); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(needs, &j.Needs); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(labels, &j.Labels); err != nil {
		return nil, err
	}
	j.CreatedAt, j.StartedAt, j.CompletedAt = fromTS(created), fromTS(started), fromTS(completed)
	return &j, nil
}

// ListJobs implements dispatchd.RunService.
func (db *DB) ListJobs(ctx context.Context, runID int64, attempt int) ([]*dispatchd.Job, error) {
	rows, err := db.query(ctx, `SELECT `+jobColumns+` FROM jobs WHERE run_id = ? AND (? = 0 OR run_attempt = ?)
		ORDER BY run_attempt, id`, runID, attempt, attempt)
	return collect(rows, err, scanJob)
}

// FindJob implements dispatchd.RunService.
func (db *DB) FindJob(ctx context.Context, repoID, id int64) (*dispatchd.Job, error) {
	j, err := scanJob(db.queryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE repo_id = ? AND id = ?`, repoID, id))
	return j, notFound(err)
}

// qEventsCausedBy repeats events_cause's condition (cause_run_id <> 0)
// word for word: SQLite takes a partial index only then, and without it
// every run's page read every event ever stored.
const qEventsCausedBy = `SELECT id, repo_id, name, action, cause_kind, depth FROM events
	WHERE cause_run_id <> 0 AND cause_run_id = ? ORDER BY id LIMIT 100`

// EventsCausedBy implements dispatchd.RunService.
func (db *DB) EventsCausedBy(ctx context.Context, runID int64) ([]*dispatchd.Event, error) {
	rows, err := db.query(ctx, qEventsCausedBy, runID)
	return collect(rows, err, func(s scanner) (*dispatchd.Event, error) {
		e := &dispatchd.Event{Cause: dispatchd.Cause{RunID: runID}}
		return e, s.Scan(&e.ID, &e.RepoID, &e.Name, &e.Action, &e.Cause.Kind, &e.Cause.Depth)
	})
}
