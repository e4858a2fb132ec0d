package sqlite

import (
	"database/sql"
	"strings"
	"testing"
)

// eventRow is a new event of repo as rows.insert takes it.
func eventRow(t *testing.T, db *DB, tx *sql.Tx, repo int64) (int64, []any) {
	t.Helper()
	id, err := db.ids.take(wtx{db.wstmts, tx}, eventIDs)
	if err != nil {
		t.Fatal(err)
	}
	return id, []any{id, repo, "repository_dispatch", "x", "refs/heads/main", "sha", 0, 1, []byte("{}"), "", 0, 0, "", 0, 1}
}

// A batch writes its events, runs and jobs when it ends, in one statement
// for many rows; a row that fails there fails its own write only, and the
// others of the batch commit.
func TestBatchRowsAreWrittenTogether(t *testing.T) {
	db := openTemp(t)
	_, r := userRepo(t, db, "repo")
	count := func(q string, args ...any) int {
		var n int
		if err := db.w.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	var first, second int64
	_, _, err := joinWhileRunning(t, db, func(tx *sql.Tx) error {
		id, row := eventRow(t, db, tx, r.ID)
		first = id
		if err := db.group.rows.insert(wtx{db.wstmts, tx}, eventRows, row...); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM events WHERE id = ?`, id).Scan(&n); err != nil || n != 0 {
			t.Errorf("the event was written before its batch ended: %d, %v", n, err)
		}
		return nil
	}, func(tx *sql.Tx) error {
		id, row := eventRow(t, db, tx, r.ID)
		second = id
		return db.group.rows.insert(wtx{db.wstmts, tx}, eventRows, row...)
	})
	if err != nil || count(`SELECT count(*) FROM events WHERE id IN (?, ?)`, first, second) != 2 {
		t.Fatalf("two events of one batch: %v, %d written", err, count(`SELECT count(*) FROM events`))
	}

	// The second write's run names an event that does not exist: its
	// foreign key fails when the batch's runs are written.
	var good int64
	_, _, err = joinWhileRunning(t, db, func(tx *sql.Tx) error {
		id, row := eventRow(t, db, tx, r.ID)
		good = id
		return db.group.rows.insert(wtx{db.wstmts, tx}, eventRows, row...)
	}, func(tx *sql.Tx) error {
		id, err := db.ids.take(wtx{db.wstmts, tx}, runIDs)
		if err != nil {
			return err
		}
		return db.group.rows.insert(wtx{db.wstmts, tx}, runRows, id, r.ID, 1, 1<<40, "n", "t", "p", 1, 1,
			"push", "queued", "", "main", "sha", 1, 1, "", 0, 1, 1, nil)
	})
	if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Fatalf("the run of a missing event: %v", err)
	}
	if count(`SELECT count(*) FROM events WHERE id = ?`, good) != 1 || count(`SELECT count(*) FROM runs`) != 0 {
		t.Fatal("the good write of the batch did not commit alone")
	}
}
