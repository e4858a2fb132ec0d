package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/dispatchd/dispatchd"
)

const repoSelect = `SELECT r.id, r.owner_id, r.name, r.description, r.private, r.default_branch,
	r.created_at, r.updated_at, r.pushed_at, ` + userColumns + ` FROM repos r JOIN users u ON u.id = r.owner_id`

func scanRepo(s scanner) (*dispatchd.Repo, error) {
	var r dispatchd.Repo
	var created, updated, pushed, uc, uu sql.NullInt64
	var u dispatchd.User
	err := s.Scan(&r.ID, &r.OwnerID, &r.Name, &r.Description, &r.Private, &r.DefaultBranch, &created, &updated, &pushed,
		&u.ID, &u.Login, &u.Type, &u.SiteAdmin, &u.Name, &u.Email, &uc, &uu)
	if err != nil {
		return nil, err
	}
	r.CreatedAt, r.UpdatedAt, r.PushedAt = fromTS(created), fromTS(updated), fromTS(pushed)
	u.CreatedAt, u.UpdatedAt = fromTS(uc), fromTS(uu)
	r.Owner = &u
	return &r, nil
}

func alreadyExists() error {
	return &dispatchd.Error{Code: dispatchd.EINVALID, Message: "Repository creation failed.", Errors: []dispatchd.FieldError{{
		Resource: "Repository", Code: "custom", Field: "name", Message: "name already exists on this account",
	}}}
}

// CreateRepo implements dispatchd.RepoService.
func (db *DB) CreateRepo(ctx context.Context, r *dispatchd.Repo) error {
	if err := dispatchd.ValidateRepoName(r.Name); err != nil {
		return err
	}
	if r.DefaultBranch == "" {
		r.DefaultBranch = "main"
	}
	t := now()
	err := db.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO repos (owner_id, name, lower_name, description, private, default_branch, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.Owner.ID, r.Name, strings.ToLower(r.Name), r.Description, r.Private, r.DefaultBranch, toTS(t), toTS(t)).Scan(&r.ID)
	})
	if isUniqueViolation(err) {
		return alreadyExists()
	} else if err != nil {
		return err
	}
	r.OwnerID, r.CreatedAt, r.UpdatedAt = r.Owner.ID, t, t
	return nil
}

// FindRepoByID implements dispatchd.RepoService.
func (db *DB) FindRepoByID(ctx context.Context, id int64) (*dispatchd.Repo, error) {
	e, ok, gen := db.cache.repoIDs.get(id)
	if ok {
		return &e, nil
	}
	r, err := scanRepo(db.queryRow(ctx, repoSelect+` WHERE r.id = ?`, id))
	if err != nil {
		return nil, notFound(err)
	}
	db.cache.repoIDs.put(id, *r, gen)
	return r, nil
}

// FindRepo implements dispatchd.RepoService.
func (db *DB) FindRepo(ctx context.Context, owner, name string) (*dispatchd.Repo, error) {
	k := repoKey{strings.ToLower(owner), strings.ToLower(name)}
	e, ok, gen := db.cache.repos.get(k)
	if ok {
		return &e, nil
	}
	r, err := scanRepo(db.queryRow(ctx, repoSelect+` WHERE u.lower_login = ? AND r.lower_name = ?`, k.owner, k.name))
	if err != nil {
		return nil, notFound(err)
	}
	db.cache.repos.put(k, *r, gen)
	return r, nil
}

// UpdateRepo implements dispatchd.RepoService.
func (db *DB) UpdateRepo(ctx context.Context, id int64, upd dispatchd.RepoUpdate) (*dispatchd.Repo, error) {
	defer db.cache.purgeRepos()
	if upd.Name != nil {
		if err := dispatchd.ValidateRepoName(*upd.Name); err != nil {
			return nil, err
		}
	}
	if upd.DefaultBranch != nil {
		if err := dispatchd.ValidateBranchName(*upd.DefaultBranch); err != nil {
			return nil, err
		}
	}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE repos SET
			name = coalesce(?, name), lower_name = coalesce(lower(?), lower_name),
			description = coalesce(?, description), private = coalesce(?, private),
			default_branch = coalesce(?, default_branch), updated_at = ? WHERE id = ?`,
			upd.Name, upd.Name, upd.Description, upd.Private, upd.DefaultBranch, toTS(now()), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return dispatchd.ErrNotFound
		}
		return nil
	})
	if isUniqueViolation(err) {
		return nil, alreadyExists()
	} else if err != nil {
		return nil, err
	}
	db.cache.purgeRepos() // before the read: the deferred purge comes after it
	return db.FindRepoByID(ctx, id)
}

// DeleteRepo implements dispatchd.RepoService.
func (db *DB) DeleteRepo(ctx context.Context, id int64) error {
	defer db.cache.purgeAll() // tokens lose their grants on it too
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM repos WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return dispatchd.ErrNotFound
		}
		// Its hooks go with it, and their deliveries with them; its
		// organization's hooks lose the deliveries still pending, whose
		// payload parts go with the repository.
		if _, err := tx.ExecContext(ctx, `DELETE FROM hooks WHERE scope = 'repo' AND owner_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM hook_outbox WHERE repo_id = ?`, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM hook_deliveries WHERE state = 'pending' AND repo_id = ?`, id)
		return err
	})
}

// visibleClause limits repositories to those user may read: public ones, its
// own, those of organizations it belongs to, and those it collaborates on.
const (
	affiliatedClause = `(r.owner_id = ? OR r.owner_id IN (SELECT org_id FROM org_members WHERE user_id = ?)
	OR r.id IN (SELECT repo_id FROM collaborators WHERE user_id = ?))`
	visibleClause = `(r.private = 0 OR ` + affiliatedClause + `)`
)

// ListRepos implements dispatchd.RepoService.
func (db *DB) ListRepos(ctx context.Context, f dispatchd.RepoFilter) ([]*dispatchd.Repo, int, error) {
	var where []string
	var args []any
	if f.OwnerID != 0 {
		where, args = append(where, "r.owner_id = ?"), append(args, f.OwnerID)
	}
	switch {
	case f.Affiliated != 0:
		where, args = append(where, affiliatedClause), append(args, f.Affiliated, f.Affiliated, f.Affiliated)
	case f.VisibleTo != 0:
		where, args = append(where, visibleClause), append(args, f.VisibleTo, f.VisibleTo, f.VisibleTo)
	case !f.All:
		where = append(where, "r.private = 0")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := db.queryRow(ctx, `SELECT count(*) FROM repos r JOIN users u ON u.id = r.owner_id`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.query(ctx, repoSelect+cond+` ORDER BY r.id LIMIT ? OFFSET ?`, append(args, limit, f.Offset)...)
	out, err := collect(rows, err, scanRepo)
	return out, total, err
}

// SetCollaborator implements dispatchd.RepoService.
func (db *DB) SetCollaborator(ctx context.Context, repoID, userID int64, role dispatchd.Role) error {
	if role == dispatchd.RoleNone {
		return dispatchd.Errorf(dispatchd.EINVALID, "A collaborator needs a role: read, write or admin.")
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO collaborators (repo_id, user_id, role) VALUES (?, ?, ?)
			ON CONFLICT (repo_id, user_id) DO UPDATE SET role = excluded.role`, repoID, userID, string(role))
		return err
	})
}

// RemoveCollaborator implements dispatchd.RepoService.
func (db *DB) RemoveCollaborator(ctx context.Context, repoID, userID int64) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM collaborators WHERE repo_id = ? AND user_id = ?`, repoID, userID)
		return err
	})
}

// CollaboratorRole implements dispatchd.RepoService.
func (db *DB) CollaboratorRole(ctx context.Context, repoID, userID int64) (dispatchd.Role, error) {
	var role string
	err := db.queryRow(ctx, `SELECT role FROM collaborators WHERE repo_id = ? AND user_id = ?`, repoID, userID).Scan(&role)
	if err == sql.ErrNoRows {
		return dispatchd.RoleNone, nil
	}
	return dispatchd.Role(role), err
}
