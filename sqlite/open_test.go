package sqlite

import (
	"path/filepath"
	"testing"
)

// openTemp opens a store in a fresh directory, closed when the test ends.
func openTemp(t *testing.T) *DB {
	t.Helper()
	db := openAt(t, filepath.Join(t.TempDir(), "dispatchd.db"))
	t.Cleanup(func() { db.Close() })
	return db
}

// openAt opens the store at path; the caller closes it.
func openAt(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}
