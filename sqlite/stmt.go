package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// stmts caches prepared statements by query text. Preparing is most of the
// cost of a small query in SQLite; a *sql.Stmt is prepared once per
// connection and reused after that.
type stmts struct {
	db *sql.DB
	m  sync.Map // query → *sql.Stmt

	// The statements bound to the current write transaction: a batch of
	// the committer runs the same few statements many times, and binding
	// one to a transaction allocates. A transaction closes its bound
	// statements when it ends; curTx keeps the old one referenced until
	// the next, so its address is never reused while it is remembered.
	boundMu sync.Mutex
	curTx   *sql.Tx
	bound   map[string]*sql.Stmt

	// wanted holds the queries a write transaction ran unprepared: they
	// are prepared before the next transaction begins (prepareWanted),
	// since one that holds the writer's only connection cannot prepare.
	// wantMu makes a transaction wait for a preparation under way.
	wanted sync.Map // query → struct{}
	wantMu sync.Mutex
	count  atomic.Int32
}

// maxStmts bounds the statements prepared on demand: a query whose text
// varies must not fill the cache.
const maxStmts = 256

func (s *stmts) get(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := s.m.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.m.LoadOrStore(q, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	s.count.Add(1)
	return st, nil
}

// prepareWanted prepares the queries write transactions ran unprepared.
// It must not run inside a transaction of the writer. A query that fails
// to prepare stays unprepared and still runs.
func (s *stmts) prepareWanted(ctx context.Context) {
	s.wantMu.Lock()
	defer s.wantMu.Unlock()
	s.wanted.Range(func(q, _ any) bool {
		s.wanted.Delete(q)
		if s.count.Load() < maxStmts {
			s.get(ctx, q.(string))
		}
		return true
	})
}

func (s *stmts) close() {
	s.m.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
}

// queryRow runs a cached read statement.
func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := db.rstmts.get(ctx, q)
	if err != nil {
		// A *sql.Row cannot carry the error; the unprepared query reports it.
		return db.r.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// query runs a cached read statement.
func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := db.rstmts.get(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// prepareWrites prepares the statements of the hot write path at open, so
// that the first dispatches find them ready. Any other statement a write
// transaction runs is prepared between transactions (prepareWanted): the
// writer pool has one connection, and a transaction holding it that asked
// to prepare would wait for itself.
func (db *DB) prepareWrites(ctx context.Context) error {
	qs := []string{qSavepoint, qRelease, qRollbackTo, qInsertPart, qSetIdempotencyEvent, qClaimIdempotency, qRunCounter, qSetRunCounter,
		qNextID[eventIDs], qNextID[runIDs], qNextID[jobIDs],
		qInsertDelivery, qRepoHooks, qInsertOutbox}
	for _, t := range rowTables {
		qs = append(qs, t.insert[:]...)
	}
	for _, q := range qs {
		if _, err := db.wstmts.get(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// bind returns the prepared statement q bound to tx, or nil when q is not
// prepared yet (it will be before the next transaction).
func (s *stmts) bind(tx *sql.Tx, q string) *sql.Stmt {
	s.boundMu.Lock()
	defer s.boundMu.Unlock()
	if s.curTx != tx {
		s.curTx = tx
		clear(s.bound)
	}
	if st, ok := s.bound[q]; ok {
		return st
	}
	st, ok := s.m.Load(q)
	if !ok {
		s.wanted.Store(q, struct{}{})
		return nil
	}
	b := tx.Stmt(st.(*sql.Stmt))
	if s.bound == nil {
		s.bound = make(map[string]*sql.Stmt)
	}
	s.bound[q] = b
	return b
}

// wtx is a write transaction whose statements are prepared once.
type wtx struct {
	stmts *stmts
	tx    *sql.Tx
}

func (w wtx) queryRow(q string, args ...any) *sql.Row {
	if st := w.stmts.bind(w.tx, q); st != nil {
		return st.QueryRow(args...)
	}
	return w.tx.QueryRow(q, args...)
}

func (w wtx) query(q string, args ...any) (*sql.Rows, error) {
	if st := w.stmts.bind(w.tx, q); st != nil {
		return st.Query(args...)
	}
	return w.tx.Query(q, args...)
}

func (w wtx) exec(q string, args ...any) (sql.Result, error) {
	if st := w.stmts.bind(w.tx, q); st != nil {
		return st.Exec(args...)
	}
	return w.tx.Exec(q, args...)
}

// collect scans every row with scan, then closes the rows.
func collect[T any](rows *sql.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
