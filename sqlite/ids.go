package sqlite

import "sync"

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

// idCache hands out the ids: a table's next id is read when the store
// first needs one, and counted from there. Every row of these tables is
// inserted through it, on the store's one writer connection, by the one
// server that holds the data directory (serve.lock), so the count stays
// ahead of the table; an id taken by a transaction that rolls back stays
// unused (a gap, as AUTOINCREMENT left). Reading it anew in every
// transaction cost three queries a dispatch at one connection.
type idCache struct {
	mu   sync.Mutex
	next [len(qNextID)]int64
}

// take returns the next id of table t, reading it in w's transaction the
// first time.
func (c *idCache) take(w wtx, t idTable) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.next[t] == 0 {
		if err := w.queryRow(qNextID[t]).Scan(&c.next[t]); err != nil {
			return 0, err
		}
	}
	id := c.next[t]
	c.next[t]++
	return id, nil
}
