package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/dispatchd/dispatchd"
)

// PutSecret implements dispatchd.SecretService.
func (db *DB) PutSecret(ctx context.Context, s *dispatchd.Secret) (bool, error) {
	if err := dispatchd.ValidateSecretName(s.Name); err != nil {
		return false, err
	}
	s.Name = strings.ToUpper(s.Name)
	return db.put(ctx, "secrets", "sealed", s.Scope, s.OwnerID, s.Name, s.Sealed, &s.CreatedAt, &s.UpdatedAt)
}

// PutVariable implements dispatchd.SecretService.
func (db *DB) PutVariable(ctx context.Context, v *dispatchd.Variable) (bool, error) {
	if err := dispatchd.ValidateSecretName(v.Name); err != nil {
		return false, err
	}
	v.Name = strings.ToUpper(v.Name)
	return db.put(ctx, "variables", "value", v.Scope, v.OwnerID, v.Name, v.Value, &v.CreatedAt, &v.UpdatedAt)
}

// put upserts a named value in table (secrets or variables), keeping the
// creation time of an existing one, and reports whether it was new.
func (db *DB) put(ctx context.Context, table, column, scope string, owner int64, name string, value any, created, updated *time.Time) (bool, error) {
	t := now()
	var isNew bool
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var c sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT created_at FROM `+table+` WHERE scope = ? AND owner_id = ? AND name = ?`, scope, owner, name).Scan(&c)
		if err == sql.ErrNoRows {
			isNew, *created = true, t
			_, err = tx.ExecContext(ctx, `INSERT INTO `+table+` (scope, owner_id, name, `+column+`, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?)`, scope, owner, name, value, toTS(t), toTS(t))
			return err
		} else if err != nil {
			return err
		}
		*created = fromTS(c)
		_, err = tx.ExecContext(ctx, `UPDATE `+table+` SET `+column+` = ?, updated_at = ? WHERE scope = ? AND owner_id = ? AND name = ?`,
			value, toTS(t), scope, owner, name)
		return err
	})
	*updated = t
	return isNew, err
}

const secretColumns = `scope, owner_id, name, sealed, created_at, updated_at`

func scanSecret(s scanner) (*dispatchd.Secret, error) {
	var x dispatchd.Secret
	var c, u sql.NullInt64
	err := s.Scan(&x.Scope, &x.OwnerID, &x.Name, &x.Sealed, &c, &u)
	x.CreatedAt, x.UpdatedAt = fromTS(c), fromTS(u)
	return &x, err
}

const variableColumns = `scope, owner_id, name, value, created_at, updated_at`

func scanVariable(s scanner) (*dispatchd.Variable, error) {
	var x dispatchd.Variable
	var c, u sql.NullInt64
	err := s.Scan(&x.Scope, &x.OwnerID, &x.Name, &x.Value, &c, &u)
	x.CreatedAt, x.UpdatedAt = fromTS(c), fromTS(u)
	return &x, err
}

// FindSecret implements dispatchd.SecretService.
func (db *DB) FindSecret(ctx context.Context, scope string, owner int64, name string) (*dispatchd.Secret, error) {
	x, err := scanSecret(db.queryRow(ctx, `SELECT `+secretColumns+` FROM secrets WHERE scope = ? AND owner_id = ? AND name = ?`,
		scope, owner, strings.ToUpper(name)))
	return x, notFound(err)
}

// ListSecrets implements dispatchd.SecretService.
func (db *DB) ListSecrets(ctx context.Context, scope string, owner int64) ([]*dispatchd.Secret, error) {
	rows, err := db.query(ctx, `SELECT `+secretColumns+` FROM secrets WHERE scope = ? AND owner_id = ? ORDER BY name`, scope, owner)
	return collect(rows, err, scanSecret)
}

// DeleteSecret implements dispatchd.SecretService.
func (db *DB) DeleteSecret(ctx context.Context, scope string, owner int64, name string) error {
	return db.deleteNamed(ctx, "secrets", scope, owner, name)
}

// FindVariable implements dispatchd.SecretService.
func (db *DB) FindVariable(ctx context.Context, scope string, owner int64, name string) (*dispatchd.Variable, error) {
	x, err := scanVariable(db.queryRow(ctx, `SELECT `+variableColumns+` FROM variables WHERE scope = ? AND owner_id = ? AND name = ?`,
		scope, owner, strings.ToUpper(name)))
	return x, notFound(err)
}

// ListVariables implements dispatchd.SecretService.
func (db *DB) ListVariables(ctx context.Context, scope string, owner int64) ([]*dispatchd.Variable, error) {
	rows, err := db.query(ctx, `SELECT `+variableColumns+` FROM variables WHERE scope = ? AND owner_id = ? ORDER BY name`, scope, owner)
	return collect(rows, err, scanVariable)
}

// DeleteVariable implements dispatchd.SecretService.
func (db *DB) DeleteVariable(ctx context.Context, scope string, owner int64, name string) error {
	return db.deleteNamed(ctx, "variables", scope, owner, name)
}

func (db *DB) deleteNamed(ctx context.Context, table, scope string, owner int64, name string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE scope = ? AND owner_id = ? AND name = ?`, scope, owner, strings.ToUpper(name))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return dispatchd.ErrNotFound
		}
		return nil
	})
}
