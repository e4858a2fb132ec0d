package sqlite

import (
	"database/sql"
	"fmt"
	"testing"
)

// TestWriteStatementsArePreparedOnDemand: a statement a write transaction
// runs unprepared is prepared before the next transaction, and from then
// on bound rather than prepared again; texts past maxStmts stay unprepared
// and still run.
func TestWriteStatementsArePreparedOnDemand(t *testing.T) {
	db := openTemp(t)
	const q = `SELECT count(*) FROM runs WHERE id > ?`
	prepared := func() bool { _, ok := db.wstmts.m.Load(q); return ok }
	run := func(q string) {
		t.Helper()
		if err := db.tx(ctx, func(tx *sql.Tx) error {
			var n int
			return wtx{db.wstmts, tx}.queryRow(q, 0).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
	}
	// Inside a transaction nothing else can prepare: it holds the
	// writer's one connection.
	var during, before, bound bool
	db.tx(ctx, func(tx *sql.Tx) error {
		var n int
		err := wtx{db.wstmts, tx}.queryRow(q, 0).Scan(&n)
		during = prepared()
		return err
	})
	db.tx(ctx, func(tx *sql.Tx) error {
		before, bound = prepared(), db.wstmts.bind(tx, q) != nil
		return nil
	})
	if during || !before || !bound {
		t.Fatalf("prepared in the transaction that first ran it %v, by the next %v, bound to it %v", during, before, bound)
	}

	for i := range maxStmts + 10 {
		run(fmt.Sprintf("SELECT %d + ?", i))
	}
	run(q) // prepares what the loop's last transaction wanted
	if n := db.wstmts.count.Load(); n > maxStmts {
		t.Fatalf("%d statements prepared, bound %d", n, maxStmts)
	}
	var got int
	if err := db.tx(ctx, func(tx *sql.Tx) error {
		return wtx{db.wstmts, tx}.queryRow(fmt.Sprintf("SELECT %d + ?", maxStmts+5), 1).Scan(&got)
	}); err != nil || got != maxStmts+6 {
		t.Fatalf("an unprepared statement past the bound: %d, %v", got, err)
	}
}
