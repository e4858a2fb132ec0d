// Package sqlite is dispatchd's embedded store: SQLite in WAL mode through
// the pure-Go modernc.org/sqlite driver, schema migrated by goose.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/pressly/goose/v3"
	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the store. Writes go through one connection (SQLite has one writer;
// queuing in Go is cheaper than retrying on SQLITE_BUSY), reads through a pool.
type DB struct {
	w      *sql.DB
	r      *sql.DB
	group  *committer
	rstmts *stmts // prepared on the read pool
	wstmts *stmts // prepared on the writer
	cache  caches
	ids    idCache // the ids of new events, runs and jobs
	parts  partStore
	ckpt   *checkpointer
	jan    *janitor
	// onDeliveries is called after a commit that enqueued deliveries.
	onDeliveries atomic.Pointer[func()]
	renderNotice atomic.Pointer[NoticeRenderer]
	queued       atomic.Bool // a transaction wrote an outbox row: wake the deliverer after it
}

var _ dispatchd.Store = (*DB)(nil)

// Open opens (creating if needed) the database file and migrates it.
func Open(ctx context.Context, path string) (*DB, error) {
	dsn := func(txlock string, extra ...string) string {
		q := url.Values{}
		for _, p := range append([]string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)",
			"temp_store(MEMORY)"}, extra...) {
			q.Add("_pragma", p)
		}
		q.Set("_txlock", txlock)
		return "file:" + path + "?" + q.Encode()
	}
	w, err := sql.Open("sqlite", dsn("immediate", "wal_autocheckpoint(0)")) // see checkpointer
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn("deferred"))
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)
	db := &DB{w: w, r: r, cache: newCaches()}
	if err := db.migrate(ctx); err != nil {
		errors.Join(r.Close(), w.Close())
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	db.rstmts, db.wstmts = &stmts{db: r}, &stmts{db: w}
	db.group = newCommitter(w, db.wstmts)
	db.ckpt = startCheckpointer(r, db.group, path)
	if err := db.prepareWrites(ctx); err != nil {
		db.Close()
		return nil, err
	}
	db.jan = startJanitor(db)
	return db, nil
}

func (db *DB) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.w, sub)
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}

// Close closes both pools; WAL content is checkpointed by SQLite on the last close.
func (db *DB) Close() error {
	if db.jan != nil {
		db.jan.close()
	}
	db.group.close()
	db.ckpt.close()
	db.rstmts.close()
	db.wstmts.close()
	return errors.Join(db.r.Close(), db.w.Close())
}

// tx runs fn in a write transaction and commits it; the commit is durable
// against a process crash before tx returns.
func (db *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	db.wstmts.prepareWanted(ctx)
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// now is the store's clock, in microseconds as the columns keep it.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func toTS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

func fromTS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).UTC()
}

func isUniqueViolation(err error) bool {
	var se *sqlite3.Error
	return errors.As(err, &se) && (se.Code() == sqlite3lib.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3lib.SQLITE_CONSTRAINT_PRIMARYKEY)
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return dispatchd.ErrNotFound
	}
	return err
}

// placeholders returns "?,?,…" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
