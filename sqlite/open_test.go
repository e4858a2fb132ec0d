package sqlite

import (
	"path/filepath"
	"testing"
)

// openTemp opens a store in a fresh directory, closed when the test ends.
func openTemp(t *testing.T) *DB {
	t.Helper()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "dispatchd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
