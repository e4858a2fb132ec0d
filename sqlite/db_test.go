package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/sqlite"
	"github.com/dispatchd/dispatchd/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) dispatchd.Store {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "dispatchd.db"))
		if err != nil {
			t.Fatal(err)
		}
		return db
	})
}

// Reopening a database runs no migration twice and keeps the data.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dispatchd.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateUser(ctx, &dispatchd.User{Login: "octocat"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.FindUserByLogin(ctx, "octocat"); err != nil {
		t.Fatalf("user lost across reopen: %v", err)
	}
}
