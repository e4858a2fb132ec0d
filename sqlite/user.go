package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/dispatchd/dispatchd"
)

const userColumns = `u.id, u.login, u.type, u.site_admin, u.name, u.email, u.created_at, u.updated_at`

type scanner interface{ Scan(...any) error }

func scanUser(s scanner) (*dispatchd.User, error) {
	var u dispatchd.User
	var created, updated sql.NullInt64
	if err := s.Scan(&u.ID, &u.Login, &u.Type, &u.SiteAdmin, &u.Name, &u.Email, &created, &updated); err != nil {
		return nil, err
	}
	u.CreatedAt, u.UpdatedAt = fromTS(created), fromTS(updated)
	return &u, nil
}

// CreateUser implements dispatchd.UserService.
func (db *DB) CreateUser(ctx context.Context, u *dispatchd.User) error {
	if err := dispatchd.ValidateLogin(u.Login); err != nil {
		return err
	}
	if u.Type == "" {
		u.Type = dispatchd.UserTypeUser
	}
	t := now()
	err := db.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO users (login, lower_login, type, site_admin, name, email, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			u.Login, strings.ToLower(u.Login), u.Type, u.SiteAdmin, u.Name, u.Email, toTS(t), toTS(t)).Scan(&u.ID)
	})
	if isUniqueViolation(err) {
		return dispatchd.Errorf(dispatchd.ECONFLICT, "Login %q is already taken.", u.Login)
	} else if err != nil {
		return err
	}
	u.CreatedAt, u.UpdatedAt = t, t
	return nil
}

// FindUserByID implements dispatchd.UserService.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*dispatchd.User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id))
	return u, notFound(err)
}

// FindUserByLogin implements dispatchd.UserService.
func (db *DB) FindUserByLogin(ctx context.Context, login string) (*dispatchd.User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.lower_login = ?`, strings.ToLower(login)))
	return u, notFound(err)
}

// ListUsers implements dispatchd.UserService.
func (db *DB) ListUsers(ctx context.Context) ([]*dispatchd.User, error) {
	return db.queryUsers(ctx, `SELECT `+userColumns+` FROM users u ORDER BY u.id`)
}

// CountUsers implements dispatchd.UserService.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT count(*) FROM users WHERE type = 'User'`).Scan(&n)
	return n, err
}

func (db *DB) queryUsers(ctx context.Context, q string, args ...any) ([]*dispatchd.User, error) {
	rows, err := db.query(ctx, q, args...)
	return collect(rows, err, scanUser)
}

// SetOrgMember implements dispatchd.UserService.
func (db *DB) SetOrgMember(ctx context.Context, orgID, userID int64, role string) error {
	if role != dispatchd.OrgRoleAdmin && role != dispatchd.OrgRoleMember {
		return dispatchd.Errorf(dispatchd.EINVALID, "Organization role %q is invalid: use admin or member.", role)
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		var orgType, userType string
		if err := tx.QueryRowContext(ctx, `SELECT type FROM users WHERE id = ?`, orgID).Scan(&orgType); err != nil {
			return notFound(err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT type FROM users WHERE id = ?`, userID).Scan(&userType); err != nil {
			return notFound(err)
		}
		if orgType != dispatchd.UserTypeOrg || userType != dispatchd.UserTypeUser {
			return dispatchd.Errorf(dispatchd.EINVALID, "Only users can be members, and only of organizations.")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO org_members (org_id, user_id, role) VALUES (?, ?, ?)
			ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role`, orgID, userID, role)
		return err
	})
}

// RemoveOrgMember implements dispatchd.UserService.
func (db *DB) RemoveOrgMember(ctx context.Context, orgID, userID int64) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM org_members WHERE org_id = ? AND user_id = ?`, orgID, userID)
		return err
	})
}

// OrgRole implements dispatchd.UserService.
func (db *DB) OrgRole(ctx context.Context, orgID, userID int64) (string, error) {
	var role string
	err := db.queryRow(ctx, `SELECT role FROM org_members WHERE org_id = ? AND user_id = ?`, orgID, userID).Scan(&role)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return role, err
}

// ListOrgMembers implements dispatchd.UserService.
func (db *DB) ListOrgMembers(ctx context.Context, orgID int64) ([]*dispatchd.User, error) {
	return db.queryUsers(ctx, `SELECT `+userColumns+` FROM users u JOIN org_members m ON m.user_id = u.id
		WHERE m.org_id = ? ORDER BY u.id`, orgID)
}
