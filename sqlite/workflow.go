package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/dispatchd/dispatchd"
)

// Refs implements dispatchd.WorkflowService.
func (db *DB) Refs(ctx context.Context, repoID int64) (map[string]string, error) {
	rows, err := db.query(ctx, `SELECT name, sha FROM refs WHERE repo_id = ?`, repoID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, sha string
		if err := rows.Scan(&name, &sha); err != nil {
			return nil, err
		}
		out[name] = sha
	}
	return out, rows.Err()
}

// FindRef implements dispatchd.WorkflowService.
func (db *DB) FindRef(ctx context.Context, repoID int64, name string) (string, error) {
	k := refKey{repoID, name}
	sha, ok, gen := db.cache.refs.get(k)
	if ok {
		return sha, nil
	}
	if err := db.queryRow(ctx, `SELECT sha FROM refs WHERE repo_id = ? AND name = ?`, repoID, name).Scan(&sha); err != nil {
		return "", notFound(err)
	}
	db.cache.refs.put(k, sha, gen)
	return sha, nil
}

// DisabledWorkflows implements dispatchd.WorkflowService.
func (db *DB) DisabledWorkflows(ctx context.Context, repoID int64) ([]int64, error) {
	ids, ok, gen := db.cache.disabled.get(repoID)
	if ok {
		return slices.Clone(ids), nil
	}
	rows, err := db.query(ctx, `SELECT id FROM workflows WHERE repo_id = ? AND disabled = 1`, repoID)
	ids, err = collect(rows, err, scanID)
	if err == nil {
		db.cache.disabled.put(repoID, slices.Clone(ids), gen)
	}
	return ids, err
}

// IndexedCommits implements dispatchd.WorkflowService.
func (db *DB) IndexedCommits(ctx context.Context, repoID int64, shas []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(shas) == 0 {
		return out, nil
	}
	args := []any{repoID}
	for _, s := range shas {
		args = append(args, s)
	}
	rows, err := db.query(ctx, `SELECT sha FROM indexed_commits WHERE repo_id = ? AND sha IN (`+placeholders(len(shas))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out[s] = true
	}
	return out, rows.Err()
}

// ApplyPush implements dispatchd.WorkflowService.
func (db *DB) ApplyPush(ctx context.Context, p *dispatchd.PushIndex) error {
	t := now()
	defer db.cache.refs.purge()
	defer db.cache.disabled.purge() // new workflows
	defer db.cache.purgeRepos()     // pushed_at
	return db.tx(ctx, func(tx *sql.Tx) error {
		for _, c := range p.Commits {
			if err := indexCommit(ctx, tx, p.RepoID, c, t); err != nil {
				return err
			}
		}
		for _, r := range p.Refs {
			var err error
			if r.NewSHA == "" {
				_, err = tx.ExecContext(ctx, `DELETE FROM refs WHERE repo_id = ? AND name = ?`, p.RepoID, r.Name)
			} else {
				_, err = tx.ExecContext(ctx, `INSERT INTO refs (repo_id, name, sha) VALUES (?, ?, ?)
					ON CONFLICT (repo_id, name) DO UPDATE SET sha = excluded.sha`, p.RepoID, r.Name, r.NewSHA)
			}
			if err != nil {
				return err
			}
		}
		if !p.PushedAt.IsZero() {
			if _, err := tx.ExecContext(ctx, `UPDATE repos SET pushed_at = ? WHERE id = ?`, toTS(p.PushedAt), p.RepoID); err != nil {
				return err
			}
		}
		return nil
	})
}

func indexCommit(ctx context.Context, tx *sql.Tx, repoID int64, c dispatchd.IndexedCommit, t time.Time) error {
	m := c.Commit
	res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO indexed_commits (repo_id, sha, tree_sha, message,
		author_name, author_email, committer_name, committer_email, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		repoID, c.SHA, m.TreeSHA, m.Message, m.AuthorName, m.AuthorEmail, m.CommitterName, m.CommitterEmail, toTS(m.Timestamp))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // indexed before: its files are already there
	}
	for _, f := range c.Files {
		if err := indexFile(ctx, tx, repoID, c.SHA, f, t); err != nil {
			return err
		}
	}
	return nil
}

func indexFile(ctx context.Context, tx *sql.Tx, repoID int64, commit string, f *dispatchd.WorkflowFile, t time.Time) error {
	name := f.Summary.Name
	if name == "" {
		name = f.Path
	}
	// The id is stable per path; the name follows the latest version indexed.
	err := tx.QueryRowContext(ctx, `INSERT INTO workflows (repo_id, path, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (repo_id, path) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at RETURNING id`,
		repoID, f.Path, name, toTS(t), toTS(t)).Scan(&f.WorkflowID)
	if err != nil {
		return err
	}
	summary, err := json.Marshal(f.Summary)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO workflow_blobs (repo_id, blob_sha, summary, source) VALUES (?, ?, ?, ?)`,
		repoID, f.BlobSHA, summary, f.Source); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO workflow_files (repo_id, commit_sha, path, blob_sha, workflow_id) VALUES (?, ?, ?, ?, ?)`,
		repoID, commit, f.Path, f.BlobSHA, f.WorkflowID)
	return err
}

// FindCommit implements dispatchd.WorkflowService.
func (db *DB) FindCommit(ctx context.Context, repoID int64, sha string) (*dispatchd.Commit, error) {
	c := dispatchd.Commit{SHA: sha}
	var at sql.NullInt64
	err := db.queryRow(ctx, `SELECT tree_sha, message, author_name, author_email, committer_name, committer_email, committed_at
		FROM indexed_commits WHERE repo_id = ? AND sha = ?`, repoID, sha).
		Scan(&c.TreeSHA, &c.Message, &c.AuthorName, &c.AuthorEmail, &c.CommitterName, &c.CommitterEmail, &at)
	if err != nil {
		return nil, notFound(err)
	}
	c.Timestamp = fromTS(at)
	return &c, nil
}

// WorkflowFilesAt implements dispatchd.WorkflowService.
func (db *DB) WorkflowFilesAt(ctx context.Context, repoID int64, commitSHA string) ([]*dispatchd.WorkflowFile, error) {
	rows, err := db.query(ctx, `SELECT f.path, f.blob_sha, f.workflow_id, b.summary, b.source
		FROM workflow_files f JOIN workflow_blobs b ON b.repo_id = f.repo_id AND b.blob_sha = f.blob_sha
		WHERE f.repo_id = ? AND f.commit_sha = ? ORDER BY f.path`, repoID, commitSHA)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*dispatchd.WorkflowFile
	for rows.Next() {
		f := &dispatchd.WorkflowFile{RepoID: repoID, CommitSHA: commitSHA}
		var summary []byte
		if err := rows.Scan(&f.Path, &f.BlobSHA, &f.WorkflowID, &summary, &f.Source); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(summary, &f.Summary); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		var one int
		err := db.queryRow(ctx, `SELECT 1 FROM indexed_commits WHERE repo_id = ? AND sha = ?`, repoID, commitSHA).Scan(&one)
		if err != nil {
			return nil, notFound(err)
		}
	}
	return out, nil
}

// workflowSelect computes Present and the name from the default branch head,
// so that a push or a change of default branch needs no second bookkeeping.
const workflowSelect = `SELECT w.id, w.repo_id, w.path, coalesce(json_extract(b.summary, '$.name'), ''), w.name, w.disabled,
	f.path IS NOT NULL, w.created_at, w.updated_at
	FROM workflows w
	JOIN repos r ON r.id = w.repo_id
	LEFT JOIN refs h ON h.repo_id = w.repo_id AND h.name = 'refs/heads/' || r.default_branch
	LEFT JOIN workflow_files f ON f.repo_id = w.repo_id AND f.commit_sha = h.sha AND f.path = w.path
	LEFT JOIN workflow_blobs b ON b.repo_id = f.repo_id AND b.blob_sha = f.blob_sha`

func scanWorkflow(s scanner) (*dispatchd.Workflow, error) {
	var w dispatchd.Workflow
	var headName, lastName string
	var created, updated sql.NullInt64
	if err := s.Scan(&w.ID, &w.RepoID, &w.Path, &headName, &lastName, &w.Disabled, &w.Present, &created, &updated); err != nil {
		return nil, err
	}
	w.Name = lastName
	if w.Present {
		w.Name = headName
		if w.Name == "" {
			w.Name = w.Path
		}
	}
	w.CreatedAt, w.UpdatedAt = fromTS(created), fromTS(updated)
	return &w, nil
}

// FindWorkflowByID implements dispatchd.WorkflowService.
func (db *DB) FindWorkflowByID(ctx context.Context, repoID, id int64) (*dispatchd.Workflow, error) {
	w, err := scanWorkflow(db.queryRow(ctx, workflowSelect+` WHERE w.repo_id = ? AND w.id = ?`, repoID, id))
	return w, notFound(err)
}

// FindWorkflowByFile implements dispatchd.WorkflowService. A bare file name
// is looked for in .github/workflows/, as GitHub does.
func (db *DB) FindWorkflowByFile(ctx context.Context, repoID int64, file string) (*dispatchd.Workflow, error) {
	path := file
	if !strings.Contains(file, "/") {
		path = ".github/workflows/" + file
	}
	w, err := scanWorkflow(db.queryRow(ctx, workflowSelect+` WHERE w.repo_id = ? AND w.path = ?`, repoID, path))
	return w, notFound(err)
}

// ListWorkflows implements dispatchd.WorkflowService.
func (db *DB) ListWorkflows(ctx context.Context, repoID int64, offset, limit int) ([]*dispatchd.Workflow, int, error) {
	var total int
	if err := db.queryRow(ctx, `SELECT count(*) FROM workflows WHERE repo_id = ?`, repoID).Scan(&total); err != nil {
		return nil, 0, err
	}
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.query(ctx, workflowSelect+` WHERE w.repo_id = ? ORDER BY w.id LIMIT ? OFFSET ?`, repoID, limit, offset)
	out, err := collect(rows, err, scanWorkflow)
	return out, total, err
}

// SetWorkflowDisabled implements dispatchd.WorkflowService.
func (db *DB) SetWorkflowDisabled(ctx context.Context, repoID, id int64, disabled bool) error {
	defer db.cache.disabled.purge()
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE workflows SET disabled = ?, updated_at = ? WHERE repo_id = ? AND id = ?`,
			disabled, toTS(now()), repoID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return dispatchd.ErrNotFound
		}
		return nil
	})
}
