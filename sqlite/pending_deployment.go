package sqlite

import (
	"context"
	"database/sql"

	"github.com/dispatchd/dispatchd"
)

// A pending deployment is read with its environment (the rules as they are
// now) in one row.
const pendingSelect = `SELECT d.id, d.repo_id, d.run_id, d.job_id, d.environment_id, d.state, d.started_at,
	d.reviewer_id, d.comment, d.reviewed_at, ` + environmentColumns + `
	FROM pending_deployments d JOIN environments e ON e.id = d.environment_id`

func scanPending(s scanner) (*dispatchd.PendingDeployment, error) {
	var d dispatchd.PendingDeployment
	var e dispatchd.Environment
	var started, reviewed, c, u sql.NullInt64
	err := s.Scan(&d.ID, &d.RepoID, &d.RunID, &d.JobID, &d.EnvironmentID, &d.State, &started, &d.ReviewerID, &d.Comment, &reviewed,
		&e.ID, &e.RepoID, &e.Name, &e.WaitTimer, &e.PreventSelfReview, &c, &u)
	d.StartedAt, d.ReviewedAt = fromTS(started), fromTS(reviewed)
	e.CreatedAt, e.UpdatedAt = fromTS(c), fromTS(u)
	d.Environment = &e
	return &d, err
}

// withEnvironmentReviewers loads the reviewers of the deployments' environments.
func (db *DB) withEnvironmentReviewers(ctx context.Context, ds []*dispatchd.PendingDeployment) error {
	for _, d := range ds {
		if err := db.withReviewers(ctx, d.Environment); err != nil {
			return err
		}
	}
	return nil
}

// HoldJob implements dispatchd.EnvironmentService.
func (db *DB) HoldJob(ctx context.Context, j *dispatchd.Job, env *dispatchd.Environment) (*dispatchd.PendingDeployment, error) {
	t := toTS(now())
	defer db.queueCommitted()
	err := db.group.do(ctx, func(tx *sql.Tx) error {
		// A job keeps the deployment it had before a restart: the same
		// start, the same review.
		if _, err := tx.Exec(`INSERT INTO pending_deployments (repo_id, run_id, job_id, environment_id, state, started_at)
			VALUES (?, ?, ?, ?, 'waiting', ?) ON CONFLICT (job_id) DO NOTHING`, j.RepoID, j.RunID, j.ID, env.ID, t); err != nil {
			return err
		}
		j.Status = dispatchd.StatusWaiting
		if err := db.saveJob(wtx{db.wstmts, tx}, j); err != nil {
			return err
		}
		_, err := tx.Exec(`UPDATE runs SET status = 'waiting', updated_at = ? WHERE id = ? AND status = 'in_progress'`, t, j.RunID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.FindPendingDeployment(ctx, j.ID)
}

// FindPendingDeployment implements dispatchd.EnvironmentService.
func (db *DB) FindPendingDeployment(ctx context.Context, jobID int64) (*dispatchd.PendingDeployment, error) {
	d, err := scanPending(db.queryRow(ctx, pendingSelect+` WHERE d.job_id = ?`, jobID))
	if err != nil {
		return nil, notFound(err)
	}
	return d, db.withReviewers(ctx, d.Environment)
}

// ListPendingDeployments implements dispatchd.EnvironmentService.
func (db *DB) ListPendingDeployments(ctx context.Context, runID int64) ([]*dispatchd.PendingDeployment, error) {
	rows, err := db.query(ctx, pendingSelect+` JOIN jobs j ON j.id = d.job_id
		WHERE d.run_id = ? AND j.status = 'waiting' ORDER BY d.id`, runID)
	ds, err := collect(rows, err, scanPending)
	if err != nil {
		return nil, err
	}
	return ds, db.withEnvironmentReviewers(ctx, ds)
}

// qReviewDeployments reviews a run's deployments waiting in an environment.
// It finds them by the run (pending_deployments_run: a few rows); the unary
// + keeps the planner off pending_deployments_environment, which holds
// every deployment the environment ever had.
const qReviewDeployments = `UPDATE pending_deployments SET state = ?, reviewer_id = ?, comment = ?, reviewed_at = ?
	WHERE run_id = ? AND +environment_id = ? AND state = 'waiting'
	AND job_id IN (SELECT id FROM jobs WHERE run_id = ? AND status = 'waiting') RETURNING id`

// ReviewDeployments implements dispatchd.EnvironmentService.
func (db *DB) ReviewDeployments(ctx context.Context, runID int64, envIDs []int64, state string, reviewerID int64,
	comment string) ([]*dispatchd.PendingDeployment, error) {
	if state != dispatchd.DeploymentApproved && state != dispatchd.DeploymentRejected {
		return nil, dispatchd.Errorf(dispatchd.EINVALID, "state must be approved or rejected.")
	}
	var ids []int64
	err := db.group.do(ctx, func(tx *sql.Tx) error {
		ids = nil
		for _, envID := range envIDs {
			rows, err := tx.Query(qReviewDeployments, state, reviewerID, comment, toTS(now()), runID, envID, runID)
			got, err := collect(rows, err, scanID)
			if err != nil {
				return err
			}
			if len(got) == 0 {
				return dispatchd.Errorf(dispatchd.EINVALID, "There is no deployment of this run waiting for a review in environment %d.", envID)
			}
			ids = append(ids, got...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]*dispatchd.PendingDeployment, 0, len(ids))
	for _, id := range ids {
		d, err := scanPending(db.queryRow(ctx, pendingSelect+` WHERE d.id = ?`, id))
		if err != nil {
			return nil, notFound(err)
		}
		out = append(out, d)
	}
	return out, db.withEnvironmentReviewers(ctx, out)
}
