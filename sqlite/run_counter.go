package sqlite

import (
	"database/sql"
	"maps"
)

// runCounters numbers runs per workflow on the committer, instead of an
// UPDATE … RETURNING per run: the numbers a batch hands out are written
// once per workflow just before the batch commits, and become the known
// counters once it has. Only the committer's writes use them (CreateEvent
// is the only writer of run_counter), so they need no lock; workflow ids
// are never reused (AUTOINCREMENT), so a known counter never goes stale.
type runCounters struct {
	known   map[int64]int64 // committed counters
	pending map[int64]int64 // this batch's
}

const (
	qRunCounter    = `SELECT run_counter FROM workflows WHERE id = ?`
	qSetRunCounter = `UPDATE workflows SET run_counter = ? WHERE id = ?`
)

// begin starts a batch.
func (c *runCounters) begin() {
	if c.known == nil {
		c.known = map[int64]int64{}
	}
	c.pending = map[int64]int64{}
}

// next returns the next run number of workflow wf in this batch.
func (c *runCounters) next(tx wtx, wf int64) (int64, error) {
	n, ok := c.pending[wf]
	if !ok {
		if n, ok = c.known[wf]; !ok {
			if err := tx.queryRow(qRunCounter, wf).Scan(&n); err != nil {
				return 0, notFound(err)
			}
		}
	}
	n++
	c.pending[wf] = n
	return n, nil
}

// mark and restore undo the numbers of one write whose savepoint rolled back.
func (c *runCounters) mark() map[int64]int64 { return maps.Clone(c.pending) }

func (c *runCounters) restore(m map[int64]int64) { c.pending = m }

// flush writes the batch's counters in its transaction.
func (c *runCounters) flush(tx *sql.Tx, st *stmts) error {
	w := wtx{st, tx}
	for wf, n := range c.pending {
		if _, err := w.exec(qSetRunCounter, n, wf); err != nil {
			return err
		}
	}
	return nil
}

// committed makes the batch's counters the known ones; a batch that did
// not commit leaves them as they were.
func (c *runCounters) committed() {
	maps.Copy(c.known, c.pending)
	c.pending = nil
}
