package sqlite

import (
	"database/sql"
	"sync"
)

// idTable names a table whose ids the store hands out.
type idTable int

const (
	eventIDs idTable = iota
	runIDs
	jobIDs
)

// qNextID gives a table's next id: one past the largest in it, or past
// the largest ever deleted from it (id_floors, raised by a trigger on
// delete), so that an id is never given twice — what AUTOINCREMENT did at
// the cost of a read and a write of sqlite_sequence at every insert.
var qNextID = [...]string{
	eventIDs: `SELECT max(coalesce((SELECT max(id) FROM events), 0),
		coalesce((SELECT floor FROM id_floors WHERE name = 'events'), 0)) + 1`,
	runIDs: `SELECT max(coalesce((SELECT max(id) FROM runs), 0),
		coalesce((SELECT floor FROM id_floors WHERE name = 'runs'), 0)) + 1`,
	jobIDs: `SELECT max(coalesce((SELECT max(id) FROM jobs), 0),
		coalesce((SELECT floor FROM id_floors WHERE name = 'jobs'), 0)) + 1`,
}

// idCache hands out ids within one write transaction: the first id of a
// table is read, the next ones counted, so that a batch of dispatches
// reads each table's next id once. It starts over with every transaction:
// a rolled-back one leaves its ids unused (gaps, as AUTOINCREMENT left),
// and what another process or a rolled-back savepoint did is read anew.
type idCache struct {
	mu sync.Mutex
	// tx is the transaction the counts belong to; holding it keeps its
	// address from being reused by the next one.
	tx   *sql.Tx
	next [len(qNextID)]int64
}

// take returns the next id of table t in w's transaction.
func (c *idCache) take(w wtx, t idTable) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tx != w.tx {
		c.tx, c.next = w.tx, [len(qNextID)]int64{}
	}
	if c.next[t] == 0 {
		if err := w.queryRow(qNextID[t]).Scan(&c.next[t]); err != nil {
			return 0, err
		}
	}
	id := c.next[t]
	c.next[t]++
	return id, nil
}
