package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/dispatchd/dispatchd"
)

const environmentColumns = `e.id, e.repo_id, e.name, e.wait_timer, e.prevent_self_review, e.created_at, e.updated_at`

func scanEnvironment(s scanner) (*dispatchd.Environment, error) {
	var e dispatchd.Environment
	var c, u sql.NullInt64
	err := s.Scan(&e.ID, &e.RepoID, &e.Name, &e.WaitTimer, &e.PreventSelfReview, &c, &u)
	e.CreatedAt, e.UpdatedAt = fromTS(c), fromTS(u)
	return &e, err
}

// withReviewers loads the reviewers of each environment, in their order.
func (db *DB) withReviewers(ctx context.Context, envs ...*dispatchd.Environment) error {
	for _, e := range envs {
		rows, err := db.query(ctx, `SELECT user_id FROM environment_reviewers WHERE environment_id = ? ORDER BY position`, e.ID)
		if e.Reviewers, err = collect(rows, err, scanID); err != nil {
			return err
		}
	}
	return nil
}

// PutEnvironment implements dispatchd.EnvironmentService.
func (db *DB) PutEnvironment(ctx context.Context, e *dispatchd.Environment) (bool, error) {
	if err := e.Normalize(); err != nil {
		return false, err
	}
	t := now()
	var created bool
	err := db.group.do(ctx, func(tx *sql.Tx) error {
		id, err := upsertEnvironment(tx, e, t)
		if err != nil {
			return err
		}
		created = id != 0
		if !created {
			err = tx.QueryRow(`UPDATE environments SET wait_timer = ?, prevent_self_review = ?, updated_at = ?
				WHERE repo_id = ? AND lower_name = ? RETURNING id`,
				e.WaitTimer, e.PreventSelfReview, toTS(t), e.RepoID, strings.ToLower(e.Name)).Scan(&id)
			if err != nil {
				return err
			}
		}
		return setReviewers(tx, id, e.Reviewers)
	})
	if err != nil {
		return false, err
	}
	got, err := db.FindEnvironment(ctx, e.RepoID, e.Name)
	if err != nil {
		return false, err
	}
	*e = *got
	return created, nil
}

// upsertEnvironment inserts e unless its name is taken, and returns the new
// id, 0 when the name was taken.
func upsertEnvironment(tx *sql.Tx, e *dispatchd.Environment, t time.Time) (int64, error) {
	res, err := tx.Exec(`INSERT INTO environments (repo_id, name, lower_name, wait_timer, prevent_self_review, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (repo_id, lower_name) DO NOTHING`,
		e.RepoID, e.Name, strings.ToLower(e.Name), e.WaitTimer, e.PreventSelfReview, toTS(t), toTS(t))
	if err != nil {
		return 0, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, nil
	}
	return res.LastInsertId()
}

func setReviewers(tx *sql.Tx, envID int64, reviewers []int64) error {
	if _, err := tx.Exec(`DELETE FROM environment_reviewers WHERE environment_id = ?`, envID); err != nil {
		return err
	}
	for i, u := range reviewers {
		if _, err := tx.Exec(`INSERT INTO environment_reviewers (environment_id, position, user_id) VALUES (?, ?, ?)`, envID, i, u); err != nil {
			return err
		}
	}
	return nil
}

// FindEnvironment implements dispatchd.EnvironmentService.
func (db *DB) FindEnvironment(ctx context.Context, repoID int64, name string) (*dispatchd.Environment, error) {
	e, err := scanEnvironment(db.queryRow(ctx, `SELECT `+environmentColumns+` FROM environments e
		WHERE e.repo_id = ? AND e.lower_name = ?`, repoID, strings.ToLower(name)))
	if err != nil {
		return nil, notFound(err)
	}
	return e, db.withReviewers(ctx, e)
}

// FindEnvironmentByID implements dispatchd.EnvironmentService.
func (db *DB) FindEnvironmentByID(ctx context.Context, repoID, id int64) (*dispatchd.Environment, error) {
	e, err := scanEnvironment(db.queryRow(ctx, `SELECT `+environmentColumns+` FROM environments e
		WHERE e.repo_id = ? AND e.id = ?`, repoID, id))
	if err != nil {
		return nil, notFound(err)
	}
	return e, db.withReviewers(ctx, e)
}

// ListEnvironments implements dispatchd.EnvironmentService.
func (db *DB) ListEnvironments(ctx context.Context, repoID int64) ([]*dispatchd.Environment, error) {
	rows, err := db.query(ctx, `SELECT `+environmentColumns+` FROM environments e WHERE e.repo_id = ? ORDER BY e.lower_name`, repoID)
	envs, err := collect(rows, err, scanEnvironment)
	if err != nil {
		return nil, err
	}
	return envs, db.withReviewers(ctx, envs...)
}

// DeleteEnvironment implements dispatchd.EnvironmentService.
func (db *DB) DeleteEnvironment(ctx context.Context, repoID int64, name string) error {
	return db.group.do(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`DELETE FROM environments WHERE repo_id = ? AND lower_name = ?`, repoID, strings.ToLower(name))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return dispatchd.ErrNotFound
		}
		return nil
	})
}

// EnsureEnvironment implements dispatchd.EnvironmentService.
func (db *DB) EnsureEnvironment(ctx context.Context, repoID int64, name string) (*dispatchd.Environment, error) {
	e, err := db.FindEnvironment(ctx, repoID, name)
	if dispatchd.ErrorCode(err) != dispatchd.ENOTFOUND {
		return e, err
	}
	e = &dispatchd.Environment{RepoID: repoID, Name: name}
	if err := e.Normalize(); err != nil {
		return nil, err
	}
	// Two jobs may name it at once: whichever inserts second keeps the first's.
	if err := db.group.do(ctx, func(tx *sql.Tx) error {
		_, err := upsertEnvironment(tx, e, now())
		return err
	}); err != nil {
		return nil, err
	}
	return db.FindEnvironment(ctx, repoID, name)
}
