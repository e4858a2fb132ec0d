package sqlite

import (
	"context"
	"database/sql"

	"github.com/dispatchd/dispatchd"
)

// CancelRun implements dispatchd.RunService.
func (db *DB) CancelRun(ctx context.Context, repoID, id int64) (*dispatchd.Run, error) {
	defer db.queueCommitted()
	err := db.tx(ctx, func(tx *sql.Tx) error {
		run, err := scanRun(tx.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs r WHERE r.repo_id = ? AND r.id = ?`, repoID, id))
		if err != nil {
			return notFound(err)
		}
		if run.Status == dispatchd.StatusCompleted {
			return dispatchd.Errorf(dispatchd.ECONFLICT, "Cannot cancel a workflow run that is completed.")
		}
		return db.cancelRuns(wtx{db.wstmts, tx}, []int64{id}, toTS(now()), jobsNotStarted)
	})
	if err != nil {
		return nil, err
	}
	return db.FindRun(ctx, repoID, id)
}

// RerunRun implements dispatchd.RunService.
func (db *DB) RerunRun(ctx context.Context, repoID, id int64, failedOnly bool) (*dispatchd.Run, error) {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		run, err := scanRun(tx.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs r WHERE r.repo_id = ? AND r.id = ?`, repoID, id))
		if err != nil {
			return notFound(err)
		}
		if run.Status != dispatchd.StatusCompleted {
			return dispatchd.Errorf(dispatchd.ECONFLICT, "This workflow run cannot be rerun while it is not completed.")
		}
		prev, err := jobsOf(ctx, tx, id, run.RunAttempt)
		if err != nil {
			return err
		}
		again := rerunSet(prev, failedOnly)
		if failedOnly && len(again) == 0 {
			return dispatchd.Errorf(dispatchd.ECONFLICT, "This workflow run has no failed jobs to rerun.")
		}
		t := now()
		run.RunAttempt++
		queued := map[string]bool{} // one row per job run again: its matrix expands anew
		for _, j := range prev {
			next := &dispatchd.Job{Key: j.Key, Name: j.Key, Needs: j.Needs, Labels: j.Labels}
			if !again[j.Key] {
				// Kept as it ended, with what dependents read of it.
				kept := *j
				kept.RunAttempt = run.RunAttempt
				if err := db.insertJob(wtx{db.wstmts, tx}, nil, run, &kept, t); err != nil {
					return err
				}
				if err := db.saveJob(wtx{db.wstmts, tx}, &kept); err != nil {
					return err
				}
				continue
			}
			if queued[j.Key] {
				continue
			}
			queued[j.Key] = true
			if err := db.insertJob(wtx{db.wstmts, tx}, nil, run, next, t); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE runs SET run_attempt = ?, status = 'queued', conclusion = '', updated_at = ?,
			run_started_at = ? WHERE id = ?`, run.RunAttempt, toTS(t), toTS(t), id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.FindRun(ctx, repoID, id)
}

func jobsOf(ctx context.Context, tx *sql.Tx, runID int64, attempt int) ([]*dispatchd.Job, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE run_id = ? AND run_attempt = ? ORDER BY id`, runID, attempt)
	return collect(rows, err, scanJob)
}

// rerunSet is the keys of the jobs to run again: all of them, or the failed
// and cancelled ones and, transitively, the jobs that need them.
func rerunSet(jobs []*dispatchd.Job, failedOnly bool) map[string]bool {
	again := map[string]bool{}
	for _, j := range jobs {
		if !failedOnly || j.Conclusion == dispatchd.ConclusionFailure || j.Conclusion == dispatchd.ConclusionCancelled ||
			j.Conclusion == dispatchd.ConclusionTimedOut {
			again[j.Key] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for _, j := range jobs {
			for _, n := range j.Needs {
				if again[n] && !again[j.Key] {
					again[j.Key], changed = true, true
				}
			}
		}
	}
	return again
}
