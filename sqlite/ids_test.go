package sqlite

import (
	"database/sql"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"
)

// migrateTo opens the database at path without the store and migrates it
// up (or down) to version v.
func migrateTo(t *testing.T, path string, v int64) {
	t.Helper()
	w, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.SetMaxOpenConns(1)
	sub, _ := fs.Sub(migrations, "migrations")
	p, err := goose.NewProvider(goose.DialectSQLite3, w, sub)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v >= cur {
		_, err = p.UpTo(ctx, v)
	} else {
		_, err = p.DownTo(ctx, v)
	}
	if err != nil {
		t.Fatalf("migrate %d → %d: %v", cur, v, err)
	}
}

// Migration 17 rebuilds events, runs and jobs without AUTOINCREMENT: their
// rows, the rows that refer to them and the ids AUTOINCREMENT had used up
// all survive it, and going back restores sqlite_sequence.
func TestIDMigrationKeepsRowsAndUsedIDs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dispatchd.db")
	migrateTo(t, path, 16)
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO users (id, login, lower_login, type, created_at, updated_at) VALUES (1, 'u', 'u', 'User', 0, 0)`,
		`INSERT INTO repos (id, owner_id, name, lower_name, private, default_branch, created_at, updated_at) VALUES (1, 1, 'r', 'r', 0, 'main', 0, 0)`,
		`INSERT INTO workflows (id, repo_id, path, name, created_at, updated_at) VALUES (1, 1, 'a.yml', 'A', 0, 0)`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for i := 1; i <= 3; i++ {
		for _, q := range []string{
			`INSERT INTO events (repo_id, name, ref, sha, actor_id, payload, created_at) VALUES (1, 'push', 'main', 'x', 1, '{}', 0)`,
			`INSERT INTO runs (repo_id, workflow_id, event_id, name, display_title, path, run_number, event, status,
				head_branch, head_sha, actor_id, triggering_actor_id, created_at, updated_at)
				VALUES (1, 1, ?1, 'A', 'A', 'a.yml', ?1, 'push', 'queued', 'main', 'x', 1, 1, 0, 0)`,
			`INSERT INTO jobs (run_id, repo_id, run_attempt, key, name, status, created_at) VALUES (?1, 1, 1, 'j', 'j', 'queued', 0)`,
			`INSERT INTO log_lines (job_id, seq, step, at, line) VALUES (?1, 1, 0, 0, 'hello')`,
		} {
			if _, err := raw.Exec(q, i); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	// The newest event goes with its run, job and log: AUTOINCREMENT has
	// used up id 3 of each table, which no row holds any more.
	if _, err := raw.Exec(`DELETE FROM events WHERE id = 3`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db := openAt(t, path)
	var n int
	if err := db.w.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name IN ('events', 'runs', 'jobs') AND sql LIKE '%AUTOINCREMENT%'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d tables still AUTOINCREMENT (%v)", n, err)
	}
	if err := db.w.QueryRow(`SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM runs) + (SELECT count(*) FROM jobs)
		+ (SELECT count(*) FROM log_lines)`).Scan(&n); err != nil || n != 8 {
		t.Fatalf("%d rows after the migration, want 8 (%v)", n, err)
	}
	if rows, err := db.w.Query(`PRAGMA foreign_key_check`); err != nil || rows.Next() {
		t.Fatalf("foreign key check: a violation, or %v", err)
	} else {
		rows.Close()
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		for _, table := range []idTable{eventIDs, runIDs, jobIDs} {
			if id, err := db.ids.take(wtx{db.wstmts, tx}, table); err != nil || id != 4 {
				t.Errorf("next id of table %d = %d, %v; want 4", table, id, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Deleting through the foreign keys still cascades, down to the logs.
	if _, err := db.w.Exec(`DELETE FROM events WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	if err := db.w.QueryRow(`SELECT (SELECT count(*) FROM runs) + (SELECT count(*) FROM jobs) + (SELECT count(*) FROM log_lines)`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("%d runs, jobs and lines after deleting an event, want 3 (%v)", n, err)
	}
	db.Close()

	migrateTo(t, path, 16)
	raw, err = sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var seqs string
	if err := raw.QueryRow(`SELECT group_concat(name || '=' || seq, ' ') FROM (SELECT name, seq FROM sqlite_sequence
		WHERE name IN ('events', 'runs', 'jobs') ORDER BY name)`).Scan(&seqs); err != nil || seqs != "events=3 jobs=3 runs=3" {
		t.Fatalf("sqlite_sequence after going back: %q, %v", seqs, err)
	}
	var schema string
	if err := raw.QueryRow(`SELECT group_concat(sql, ' ') FROM sqlite_schema WHERE name IN ('events', 'runs', 'jobs')`).Scan(&schema); err != nil ||
		strings.Count(schema, "AUTOINCREMENT") != 3 {
		t.Fatalf("schema after going back: %s, %v", schema, err)
	}
}
