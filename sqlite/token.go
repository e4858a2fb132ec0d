package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/dispatchd/dispatchd"
)

// CreateToken implements dispatchd.TokenService.
func (db *DB) CreateToken(ctx context.Context, t *dispatchd.Token) error {
	if t.Kind != dispatchd.TokenClassic && t.Kind != dispatchd.TokenFineGrained {
		return dispatchd.Errorf(dispatchd.EINVALID, "Token kind %q is invalid.", t.Kind)
	}
	if len(t.Hash) != 64 {
		return dispatchd.Errorf(dispatchd.EINVALID, "A token is stored by its SHA-256 hash.")
	}
	created := now()
	err := db.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO tokens (user_id, kind, name, hash, hint, scopes, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			t.UserID, t.Kind, t.Name, t.Hash, t.Hint, strings.Join(t.Scopes, ","), toTS(created), toTS(t.ExpiresAt)).Scan(&t.ID)
		if err != nil {
			return err
		}
		for _, g := range t.Repos {
			if _, err := tx.ExecContext(ctx, `INSERT INTO token_repos (token_id, repo_id, permissions) VALUES (?, ?, ?)`,
				t.ID, g.RepoID, g.Permissions.String()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	t.CreatedAt = created
	return nil
}

const tokenColumns = `t.id, t.user_id, t.kind, t.name, t.hash, t.hint, t.scopes, t.created_at, t.expires_at, t.revoked_at`

func scanToken(s scanner, extra ...any) (*dispatchd.Token, error) {
	var t dispatchd.Token
	var scopes string
	var created, expires, revoked sql.NullInt64
	dest := append([]any{&t.ID, &t.UserID, &t.Kind, &t.Name, &t.Hash, &t.Hint, &scopes, &created, &expires, &revoked}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	if scopes != "" {
		t.Scopes = strings.Split(scopes, ",")
	}
	t.CreatedAt, t.ExpiresAt, t.RevokedAt = fromTS(created), fromTS(expires), fromTS(revoked)
	return &t, nil
}

// FindTokenByHash implements dispatchd.TokenService.
func (db *DB) FindTokenByHash(ctx context.Context, hash string) (*dispatchd.Token, error) {
	e, ok, gen := db.cache.tokens.get(hash)
	if ok {
		return e.token(), nil
	}
	t, err := db.findTokenByHash(ctx, hash)
	if err != nil {
		return nil, err
	}
	db.cache.tokens.put(hash, tokenEntry{t: *t, u: *t.User}, gen)
	return t, nil
}

func (db *DB) findTokenByHash(ctx context.Context, hash string) (*dispatchd.Token, error) {
	var u dispatchd.User
	var uc, uu sql.NullInt64
	row := db.queryRow(ctx, `SELECT `+tokenColumns+`, `+userColumns+` FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?`, hash)
	t, err := scanToken(row, &u.ID, &u.Login, &u.Type, &u.SiteAdmin, &u.Name, &u.Email, &uc, &uu)
	if err != nil {
		return nil, notFound(err)
	}
	u.CreatedAt, u.UpdatedAt = fromTS(uc), fromTS(uu)
	t.User = &u
	if t.Kind == dispatchd.TokenFineGrained {
		if t.Repos, err = db.tokenRepos(ctx, t.ID); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (db *DB) tokenRepos(ctx context.Context, tokenID int64) ([]dispatchd.RepoGrant, error) {
	rows, err := db.query(ctx, `SELECT repo_id, permissions FROM token_repos WHERE token_id = ? ORDER BY repo_id`, tokenID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []dispatchd.RepoGrant
	for rows.Next() {
		var g dispatchd.RepoGrant
		var perms string
		if err := rows.Scan(&g.RepoID, &perms); err != nil {
			return nil, err
		}
		if g.Permissions, err = dispatchd.ParsePermissions(perms); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// ListTokens implements dispatchd.TokenService.
func (db *DB) ListTokens(ctx context.Context, userID int64) ([]*dispatchd.Token, error) {
	rows, err := db.query(ctx, `SELECT `+tokenColumns+` FROM tokens t WHERE ? = 0 OR t.user_id = ? ORDER BY t.id`, userID, userID)
	out, err := collect(rows, err, func(s scanner) (*dispatchd.Token, error) { return scanToken(s) })
	if err != nil {
		return nil, err
	}
	for _, t := range out {
		if t.Kind == dispatchd.TokenFineGrained {
			if t.Repos, err = db.tokenRepos(ctx, t.ID); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// RevokeToken implements dispatchd.TokenService.
func (db *DB) RevokeToken(ctx context.Context, id int64) error {
	defer db.cache.tokens.purge()
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`, toTS(now()), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return dispatchd.ErrNotFound
		}
		return nil
	})
}
