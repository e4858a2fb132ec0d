package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/dispatchd/dispatchd/gitrepo"
	"github.com/dispatchd/dispatchd/sqlite"
)

// dataDir is the layout of --data: the database, the repositories and the
// server key.
type dataDir struct{ path string }

func (d dataDir) db() string    { return filepath.Join(d.path, "dispatchd.db") }
func (d dataDir) repos() string { return filepath.Join(d.path, "repos") }
func (d dataDir) key() string   { return filepath.Join(d.path, "server.key") }
func (d dataDir) lock() string  { return filepath.Join(d.path, "serve.lock") }
func (d dataDir) work() string  { return filepath.Join(d.path, "work") }

// open opens the store and the repositories, creating the directory.
func (d dataDir) open(ctx context.Context) (*sqlite.DB, *gitrepo.Hub, error) {
	if err := os.MkdirAll(d.path, 0o700); err != nil {
		return nil, nil, err
	}
	db, err := sqlite.Open(ctx, d.db())
	if err != nil {
		return nil, nil, err
	}
	hub, err := gitrepo.New(d.repos())
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, hub, nil
}

// lockServe takes the data directory's exclusive serve lock, so that a
// second server on the same directory fails at once instead of sharing it.
// The lock dies with the process, even on SIGKILL.
func (d dataDir) lockServe() (release func(), err error) {
	if err := os.MkdirAll(d.path, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(d.lock(), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		owner, _ := os.ReadFile(d.lock())
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("data directory %s is in use by another dispatchd serve (pid %s); stop it or choose another --data",
				d.path, strings.TrimSpace(string(owner)))
		}
		return nil, err
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() { f.Close() }, nil
}

// serverKey returns the 32-byte server key, creating it on first use. It
// will encrypt secrets at rest and sign log URLs.
func (d dataDir) serverKey() ([]byte, error) {
	key, err := os.ReadFile(d.key())
	if err == nil {
		if len(key) != 32 {
			return nil, fmt.Errorf("%s: expected 32 bytes, found %d", d.key(), len(key))
		}
		return key, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(d.key(), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, err
	}
	return key, f.Close()
}
