package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/dispatchd/dispatchd"
)

// ClaimQueuedRuns implements dispatchd.RunService.
func (db *DB) ClaimQueuedRuns(ctx context.Context, n int) ([]*dispatchd.Run, []int64, error) {
	var runs []*dispatchd.Run
	var cancel []int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		w, t := wtx{db.wstmts, tx}, toTS(now())
		if err := db.replacePending(w, t); err != nil {
			return err
		}
		var err error
		if cancel, err = db.cancelInProgress(w, t); err != nil {
			return err
		}
		rows, err := w.query(qClaimableRuns, n)
		runs, err = collect(rows, err, scanRun)
		if err != nil {
			return err
		}
		for _, r := range runs {
			if _, err := w.exec(qStartRun, t, t, r.ID); err != nil {
				return err
			}
			r.Status = dispatchd.StatusInProgress
		}
		return db.runNotices(w, "in_progress", runs...)
	})
	db.queueCommitted()
	return runs, cancel, err
}

// The scheduler's queries by status. SQLite uses a partial index only for
// a query that repeats the index's condition word for word, so each says
// status <> 'completed' (runs_status), that and a concurrency group not
// empty (runs_grouped), or status = 'in_progress' (jobs_in_progress): they read
// the runs and jobs still alive, not every run ever made, and a group's
// runs by the group (a unary + keeps the planner from an index that holds
// more). TestQueryPlans holds them to it.
const (
	// qClaimableRuns: the oldest queued runs whose concurrency group has
	// nothing running.
	qClaimableRuns = `SELECT ` + runColumns + ` FROM runs r WHERE r.status <> 'completed' AND r.status = 'queued'
		AND (r.concurrency_group = '' OR NOT EXISTS (SELECT 1 FROM runs o WHERE o.status <> 'completed'
			AND o.concurrency_group <> '' AND +o.status IN ('in_progress', 'waiting') AND o.repo_id = r.repo_id
			AND lower(o.concurrency_group) = lower(r.concurrency_group)))
		ORDER BY r.id LIMIT ?`
	// sameGroupNewer matches a newer queued run of the same group as runs r.
	sameGroupNewer = `EXISTS (SELECT 1 FROM runs n WHERE n.status <> 'completed' AND n.concurrency_group <> ''
		AND +n.status = 'queued' AND n.repo_id = r.repo_id AND lower(n.concurrency_group) = lower(r.concurrency_group)
		AND n.id > r.id%s)`
	qReplacedRuns = `SELECT r.id FROM runs r INDEXED BY runs_grouped WHERE r.status <> 'completed' AND r.concurrency_group <> ''
		AND r.status = 'queued' AND ` + sameGroupNewer
	qCancelledInProgress = `SELECT r.id FROM runs r WHERE r.status <> 'completed' AND r.status IN ('in_progress', 'waiting')
		AND r.concurrency_group <> '' AND ` + sameGroupNewer
	qLostJobsLog = `INSERT INTO log_lines (job_id, seq, step, at, line)
		SELECT j.id, coalesce((SELECT max(seq) FROM log_lines l WHERE l.job_id = j.id), 0) + 1, 0, ?, ?
		FROM jobs j WHERE j.status = 'in_progress'`
	qLostJobsFail = `UPDATE jobs SET status = 'completed', conclusion = 'failure', completed_at = ?
		WHERE status = 'in_progress'`
	qRequeueRuns = `UPDATE runs SET status = 'queued' WHERE status <> 'completed' AND status IN ('in_progress', 'waiting')`
)

// The execution path's statements: constant texts, so that each is
// prepared once (stmts.prepareWanted) rather than at every job update.
const (
	qStartRun = `UPDATE runs SET status = 'in_progress', updated_at = ?, run_started_at = coalesce(run_started_at, ?)
		WHERE id = ?`
	qCancelRun  = `UPDATE runs SET status = 'completed', conclusion = 'cancelled', updated_at = ? WHERE id = ?`
	qCancelJobs = `UPDATE jobs SET status = 'completed', conclusion = 'cancelled', completed_at = ?
		WHERE run_id = ? AND `
	qJobStatus = `SELECT status FROM jobs WHERE id = ?`
	qSaveJob   = `UPDATE jobs SET name = ?, status = ?, conclusion = ?, started_at = ?, completed_at = ?,
		runner_id = ?, runner_name = ?, leg_index = ?, steps = ?, outputs = ? WHERE id = ?`
	qResumeRun = `UPDATE runs SET status = 'in_progress', updated_at = ? WHERE id = ? AND status = 'waiting'
		AND NOT EXISTS (SELECT 1 FROM jobs WHERE run_id = ? AND status = 'waiting')`
	qCompleteRun = `UPDATE runs SET status = 'completed', conclusion = ?, updated_at = ?
		WHERE id = ? AND status <> 'completed'`
	qLastLogSeq    = `SELECT coalesce(max(seq), 0) FROM log_lines WHERE job_id = ?`
	qInsertLogLine = `INSERT INTO log_lines (job_id, seq, step, at, line) VALUES (?, ?, ?, ?, ?)`
)

// The scheduler's queries with their variable part filled in.
var (
	qReplaced  = fmt.Sprintf(qReplacedRuns, "")
	qCancelled = fmt.Sprintf(qCancelledInProgress, " AND n.cancel_in_progress = 1")
)

// replacePending cancels queued runs that a newer queued run of their
// group replaces: a group keeps one pending run.
func (db *DB) replacePending(w wtx, t any) error {
	rows, err := w.query(qReplaced)
	ids, err := collect(rows, err, scanID)
	if err != nil {
		return err
	}
	return db.cancelRuns(w, ids, t, "status <> 'completed'")
}

// cancelInProgress cancels running runs whose group has a newer queued run
// with cancel-in-progress, and returns their ids.
func (db *DB) cancelInProgress(w wtx, t any) ([]int64, error) {
	rows, err := w.query(qCancelled)
	ids, err := collect(rows, err, scanID)
	if err != nil {
		return nil, err
	}
	return ids, db.cancelRuns(w, ids, t, jobsNotStarted)
}

// jobsNotStarted selects the jobs a cancel ends at once: a running job ends
// when its runner has cancelled it. Earlier attempts' jobs have all ended.
const jobsNotStarted = "status NOT IN ('completed', 'in_progress')"

// cancelRuns completes runs as cancelled with their jobs matching jobCond.
func (db *DB) cancelRuns(w wtx, ids []int64, t any, jobCond string) error {
	for _, id := range ids {
		if _, err := w.exec(qCancelJobs+jobCond, t, id); err != nil {
			return err
		}
		if _, err := w.exec(qCancelRun, t, id); err != nil {
			return err
		}
		if err := db.runNoticeByID(w, "completed", id); err != nil {
			return err
		}
	}
	return nil
}

func scanID(s scanner) (int64, error) {
	var id int64
	return id, s.Scan(&id)
}

// ResetInProgressRuns implements dispatchd.RunService.
func (db *DB) ResetInProgressRuns(ctx context.Context, lost string) (int, error) {
	var n int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		t := toTS(now())
		if _, err := tx.ExecContext(ctx, qLostJobsLog, t, "##[error]"+lost); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, qLostJobsFail, t); err != nil {
			return err
		}
		// A waiting run goes back to the queue too; its waiting jobs stay
		// waiting, and their pending deployments hold them again.
		res, err := tx.ExecContext(ctx, qRequeueRuns)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}

// AddJob implements dispatchd.RunService.
func (db *DB) AddJob(ctx context.Context, run *dispatchd.Run, j *dispatchd.Job) error {
	defer db.queueCommitted()
	return db.tx(ctx, func(tx *sql.Tx) error {
		w := wtx{db.wstmts, tx}
		if err := db.insertJob(w, nil, run, j, now()); err != nil {
			return err
		}
		if err := db.jobNotice(w, j); err != nil {
			return err
		}
		return db.saveJob(w, j)
	})
}

// UpdateJob implements dispatchd.RunService.
func (db *DB) UpdateJob(ctx context.Context, j *dispatchd.Job) error {
	defer db.queueCommitted()
	return db.tx(ctx, func(tx *sql.Tx) error { return db.saveJob(wtx{db.wstmts, tx}, j) })
}

func (db *DB) saveJob(w wtx, j *dispatchd.Job) error {
	// The status it had tells whether workflow_job hooks hear of a change;
	// without such hooks (the rule) it is not read: jobs are saved at every step.
	hooks, err := db.hooksWanting(w, j.RepoID, "workflow_job")
	if err != nil {
		return err
	}
	was := j.Status
	if len(hooks) > 0 {
		if err := w.queryRow(qJobStatus, j.ID).Scan(&was); err != nil {
			return notFound(err)
		}
	}
	steps, err := json.Marshal(nonNilSteps(j.Steps))
	if err != nil {
		return err
	}
	outputs, err := json.Marshal(nonNilMap(j.Outputs))
	if err != nil {
		return err
	}
	res, err := w.exec(qSaveJob,
		j.Name, j.Status, j.Conclusion, toTS(j.StartedAt), toTS(j.CompletedAt), j.RunnerID, j.RunnerName, j.LegIndex, steps, outputs, j.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return dispatchd.ErrNotFound
	}
	if err := resumeRun(w, j); err != nil {
		return err
	}
	if j.Status != was {
		return db.jobNotice(w, j)
	}
	return nil
}

// resumeRun puts a waiting run back in progress when a job leaves the
// waiting status (HoldJob enters it) and no other job of the run waits.
// A job leaves it queued (its rules passed) or completed (rejected,
// cancelled); saves with other statuses, one per step, skip the query.
func resumeRun(w wtx, j *dispatchd.Job) error {
	if j.Status != dispatchd.StatusQueued && j.Status != dispatchd.StatusCompleted {
		return nil
	}
	_, err := w.exec(qResumeRun, toTS(now()), j.RunID, j.RunID)
	return err
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func nonNilSteps(s []dispatchd.JobStep) []dispatchd.JobStep {
	if s == nil {
		return []dispatchd.JobStep{}
	}
	return s
}

// CompleteRun implements dispatchd.RunService.
func (db *DB) CompleteRun(ctx context.Context, runID int64, conclusion string) (bool, error) {
	var done bool
	err := db.tx(ctx, func(tx *sql.Tx) error {
		w := wtx{db.wstmts, tx}
		res, err := w.exec(qCompleteRun, conclusion, toTS(now()), runID)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		if done = n == 1; done {
			return db.runNoticeByID(w, "completed", runID)
		}
		return nil
	})
	db.queueCommitted()
	return done, err
}

// AppendLog implements dispatchd.RunService.
func (db *DB) AppendLog(ctx context.Context, jobID int64, lines []dispatchd.LogLine) error {
	if len(lines) == 0 {
		return nil
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		w := wtx{db.wstmts, tx}
		var last int64
		if err := w.queryRow(qLastLogSeq, jobID).Scan(&last); err != nil {
			return err
		}
		// One prepared statement a line: a statement of as many rows as
		// lines would be parsed anew for each count of lines.
		for i, l := range lines {
			if _, err := w.exec(qInsertLogLine, jobID, last+int64(i)+1, l.Step, toTS(l.At), l.Text); err != nil {
				return err
			}
		}
		return nil
	})
}

// JobLog implements dispatchd.RunService.
func (db *DB) JobLog(ctx context.Context, jobID, afterSeq int64) ([]dispatchd.LogLine, error) {
	rows, err := db.query(ctx, `SELECT seq, step, at, line FROM log_lines WHERE job_id = ? AND seq > ? ORDER BY seq`, jobID, afterSeq)
	return collect(rows, err, func(s scanner) (dispatchd.LogLine, error) {
		var l dispatchd.LogLine
		var at sql.NullInt64
		err := s.Scan(&l.Seq, &l.Step, &at, &l.Text)
		l.At = fromTS(at)
		return l, err
	})
}
