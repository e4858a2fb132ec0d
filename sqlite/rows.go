package sqlite

import "strings"

// rowTable is a table whose new rows a batch inserts together: the rows
// of all its writes in a few multi-row INSERTs instead of one statement
// each (binding, stepping and resetting a statement cost ~5 µs of its own
// here, beside the row's).
type rowTable struct {
	index   int // in rowTables
	columns int
	// insert[k] inserts 1<<k rows.
	insert [6]string
}

func newRowTable(table, columns string) *rowTable {
	t := &rowTable{columns: strings.Count(columns, ",") + 1}
	row := "(?" + strings.Repeat(", ?", t.columns-1) + ")"
	for k := range t.insert {
		t.insert[k] = "INSERT INTO " + table + " (" + columns + ") VALUES " + row + strings.Repeat(", "+row, 1<<k-1)
	}
	return t
}

// The tables in the order their rows are written: a run's event before
// the run, a job's run before the job (their foreign keys are checked at
// once, not at commit).
var (
	eventRows = newRowTable("events", `id, repo_id, name, action, ref, sha, workflow_id, actor_id, payload, parts,
		cause_run_id, cause_repo_id, cause_kind, depth, created_at`)
	runRows = newRowTable("runs", `id, repo_id, workflow_id, event_id, name, display_title, path, run_number, run_attempt,
		event, status, conclusion, head_branch, head_sha, actor_id, triggering_actor_id, concurrency_group,
		cancel_in_progress, created_at, updated_at, run_started_at`)
	jobRows = newRowTable("jobs", `id, run_id, repo_id, run_attempt, key, name, needs, labels, status, conclusion, created_at`)

	rowTables = [...]*rowTable{eventRows, runRows, jobRows}
)

func init() {
	for i, t := range rowTables {
		t.index = i
	}
}

// rowBuffer holds a batch's new rows until the batch ends. A batch run
// again with savepoints (one of its writes failed) writes each row at once
// instead, so that the failing write fails alone.
type rowBuffer struct {
	deferred bool
	args     [len(rowTables)][]any // per table, the rows' values in order
}

// begin starts a batch; rows wait for flush when deferred.
func (b *rowBuffer) begin(deferred bool) {
	b.deferred = deferred
	for i := range b.args {
		clear(b.args[i])
		b.args[i] = b.args[i][:0]
	}
}

// insert writes a row of t, or keeps it for flush. A nil buffer writes it
// at once (the writes outside the group committer).
func (b *rowBuffer) insert(w wtx, t *rowTable, values ...any) error {
	if b == nil || !b.deferred {
		_, err := w.exec(t.insert[0], values...)
		return err
	}
	b.args[t.index] = append(b.args[t.index], values...)
	return nil
}

// flush writes the kept rows, table by table, in runs of the largest
// statement that fits.
func (b *rowBuffer) flush(w wtx) error {
	for i, t := range rowTables {
		args := b.args[i]
		for rows := len(args) / t.columns; rows > 0; {
			k := len(t.insert) - 1
			for 1<<k > rows {
				k--
			}
			n := (1 << k) * t.columns
			if _, err := w.exec(t.insert[k], args[:n]...); err != nil {
				return err
			}
			args, rows = args[n:], rows-1<<k
		}
	}
	return nil
}
