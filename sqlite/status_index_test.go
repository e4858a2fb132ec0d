package sqlite

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// The scheduler's queries by status read the live runs and jobs through the
// partial indexes. SQLite takes a partial index only when the query repeats
// its condition word for word; without it, claiming queued runs read every
// run ever made (60 ms for 220,000 runs, at every claim).
func TestStatusQueriesUseIndexes(t *testing.T) {
	db, err := Open(ctx, filepath.Join(t.TempDir(), "dispatchd.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for name, q := range map[string]string{
		"claimable runs":   qClaimableRuns,
		"replaced runs":    fmt.Sprintf(qReplacedRuns, ""),
		"cancelled runs":   fmt.Sprintf(qCancelledInProgress, " AND n.cancel_in_progress = 1"),
		"log of lost jobs": qLostJobsLog,
		"lost jobs fail":   qLostJobsFail,
		"requeued runs":    qRequeueRuns,
	} {
		plan := explain(t, db, q)
		text := strings.Join(plan, "\n")
		for _, d := range plan {
			if strings.HasPrefix(d, "SCAN ") && !strings.Contains(d, "INDEX") || strings.Contains(d, "runs_repo") {
				t.Errorf("%s reads a whole table, or every run of a repository:\n%s", name, text)
			}
		}
		if !strings.Contains(text, "runs_status") && !strings.Contains(text, "jobs_in_progress") {
			t.Errorf("%s does not use a status index:\n%s", name, text)
		}
	}
}
