package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/dispatchd/dispatchd"
)

// CreateRegistrationToken implements dispatchd.RunnerService.
func (db *DB) CreateRegistrationToken(ctx context.Context, scope string, ownerID int64, hash string, expires time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		// Expired tokens go as new ones come: the table stays small.
		if _, err := tx.ExecContext(ctx, `DELETE FROM runner_registration_tokens WHERE expires_at < ?`, toTS(now())); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO runner_registration_tokens (hash, scope, owner_id, expires_at) VALUES (?, ?, ?, ?)`,
			hash, scope, ownerID, toTS(expires))
		return err
	})
}

// RegisterRunner implements dispatchd.RunnerService. A registration token
// registers any number of runners until it expires, as on GitHub.
func (db *DB) RegisterRunner(ctx context.Context, registrationHash string, r *dispatchd.Runner) error {
	labels, _ := json.Marshal(r.Labels)
	r.CreatedAt = now()
	return db.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT scope, owner_id FROM runner_registration_tokens WHERE hash = ? AND expires_at >= ?`,
			registrationHash, toTS(r.CreatedAt)).Scan(&r.Scope, &r.OwnerID)
		if err == sql.ErrNoRows {
			return dispatchd.Errorf(dispatchd.EUNAUTHORIZED, "The registration token is invalid or has expired.")
		} else if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO runners (name, labels, scope, owner_id, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			r.Name, labels, r.Scope, r.OwnerID, r.TokenHash, toTS(r.CreatedAt))
		if err != nil {
			return err
		}
		r.ID, err = res.LastInsertId()
		return err
	})
}

const runnerColumns = `id, name, labels, scope, owner_id, token_hash, created_at`

func scanRunner(s scanner) (*dispatchd.Runner, error) {
	var r dispatchd.Runner
	var labels string
	var created sql.NullInt64
	if err := s.Scan(&r.ID, &r.Name, &labels, &r.Scope, &r.OwnerID, &r.TokenHash, &created); err != nil {
		return nil, err
	}
	r.CreatedAt = fromTS(created)
	return &r, json.Unmarshal([]byte(labels), &r.Labels)
}

// FindRunnerByTokenHash implements dispatchd.RunnerService.
func (db *DB) FindRunnerByTokenHash(ctx context.Context, hash string) (*dispatchd.Runner, error) {
	r, err := scanRunner(db.queryRow(ctx, `SELECT `+runnerColumns+` FROM runners WHERE token_hash = ?`, hash))
	return r, notFound(err)
}

// ListRunners implements dispatchd.RunnerService.
func (db *DB) ListRunners(ctx context.Context, scope string, ownerID int64) ([]*dispatchd.Runner, error) {
	rows, err := db.query(ctx, `SELECT `+runnerColumns+` FROM runners WHERE scope = ? AND owner_id = ? ORDER BY id`, scope, ownerID)
	return collect(rows, err, scanRunner)
}

// DeleteRunner implements dispatchd.RunnerService.
func (db *DB) DeleteRunner(ctx context.Context, id int64) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM runners WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return dispatchd.ErrNotFound
		}
		return nil
	})
}
