package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/dispatchd/dispatchd"
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

// userRepo creates the user octocat and its repository name.
func userRepo(t *testing.T, db *DB, name string) (*dispatchd.User, *dispatchd.Repo) {
	t.Helper()
	u := &dispatchd.User{Login: "octocat", Type: dispatchd.UserTypeUser}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	r := &dispatchd.Repo{Owner: u, Name: name}
	if err := db.CreateRepo(ctx, r); err != nil {
		t.Fatal(err)
	}
	return u, r
}
