package sqlite

import (
	"strings"
	"testing"

	"github.com/dispatchd/dispatchd"
)

// explain returns the plan of q, one line per step.
func explain(t *testing.T, db *DB, q string) []string {
	t.Helper()
	args := make([]any, strings.Count(q, "?")) // the driver wants every one bound
	rows, err := db.w.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// TestQueryPlans holds the queries that read tables growing without bound
// (events, runs, deliveries, deployments, workflow files) to the index
// each was written for: a query that names a partial index's condition
// other than word for word, or whose planner prefers an index holding every
// row of a repository, reads the whole table or most of it, with nothing
// wrong to see but the time it takes. Deletes are in too: their plans show
// the look-ups of the foreign keys that reference the deleted rows.
func TestQueryPlans(t *testing.T) {
	db := openTemp(t)
	type check struct {
		name, q string
		want    string   // a step the plan must have, or the index it must use; "" for none in particular
		not     []string // indexes it must not use
	}
	checks := []check{
		{"events caused by a run", qEventsCausedBy, "events_cause", nil},
		{"prune of deliveries", qPruneDeliveries, "hook_deliveries_done", nil},
		{"prune of idempotency keys", qPruneIdempotency, "idempotency_keys_created", nil},
		{"review of deployments", qReviewDeployments, "pending_deployments_run", []string{"pending_deployments_environment"}},
		// A workflow goes with its repository; its files are found by
		// their foreign key.
		{"delete of a workflow", `DELETE FROM workflows WHERE id = ?`, "workflow_files_workflow", nil},
		{"delete of a repository", `DELETE FROM repos WHERE id = ?`, "runs_repo", nil},
		{"delete of a run", `DELETE FROM runs WHERE repo_id = ? AND id = ?`, "jobs_run", nil},
		{"delete of an event", `DELETE FROM events WHERE id = ?`, "runs_event", nil},
		{"delete of a job", `DELETE FROM jobs WHERE id = ?`, "", nil},
		{"delete of a hook", `DELETE FROM hooks WHERE id = ? AND scope = ? AND owner_id = ?`, "hook_deliveries_hook", nil},
		{"delete of a delivery", `DELETE FROM hook_deliveries WHERE id = ?`, "", nil},
		{"delete of an environment", `DELETE FROM environments WHERE repo_id = ? AND lower_name = ?`, "pending_deployments_environment", nil},
		// The scheduler: the live runs and the running jobs, not every run
		// ever made nor every run of a repository; the queued runs in order
		// up to the claim's limit, and a group's runs by the group, not all
		// the queued runs (a backlog) for each claim.
		{"claimable runs", qClaimableRuns, "SEARCH r USING INDEX runs_status (status=?)", []string{"runs_repo"}},
		{"group of a claimable run", qClaimableRuns, "SEARCH o USING INDEX runs_grouped (repo_id=? AND <expr>=?)", nil},
		{"replaced runs", qReplaced, "SCAN r USING INDEX runs_grouped", []string{"runs_repo", "runs_status"}},
		{"newer run of a replaced run", qReplaced, "SEARCH n EXISTS USING INDEX runs_grouped (repo_id=? AND <expr>=? AND id>?)", nil},
		{"cancelled runs", qCancelled, "SEARCH r USING INDEX runs_status (status=?)", []string{"runs_repo"}},
		{"newer run of a cancelled run", qCancelled, "SEARCH n EXISTS USING INDEX runs_grouped (repo_id=? AND <expr>=? AND id>?)", nil},
		{"requeued runs", qRequeueRuns, "runs_status", []string{"runs_repo"}},
		{"log of lost jobs", qLostJobsLog, "jobs_in_progress", nil},
		{"lost jobs fail", qLostJobsFail, "jobs_in_progress", nil},
		// The delivery path.
		{"pending of a hook", qHookPending, "hook_deliveries_pending", nil},
		{"due heads", qDueHeads + "16", "hook_deliveries_pending", nil},
		{"head of a hook", qHookHead, "hook_deliveries_pending", nil},
		{"claimed deliveries", qClaimed, "", nil},
		// A transaction's first new id: the largest, not a count of all.
		{"next event id", qNextID[eventIDs], "SEARCH events", nil},
		{"next run id", qNextID[runIDs], "SEARCH runs", nil},
		{"next job id", qNextID[jobIDs], "SEARCH jobs", nil},
	}
	// Listing runs by a status they have while they live reads runs_status,
	// the live runs, whatever else filters them; not every run of the
	// repository (runs_repo) or of the workflow (runs_workflow).
	for _, status := range []string{dispatchd.StatusQueued, dispatchd.StatusInProgress, dispatchd.StatusWaiting,
		dispatchd.StatusRequested, dispatchd.StatusPending} {
		for _, f := range []dispatchd.RunFilter{{}, {WorkflowID: 1}, {Branch: "main"}, {WorkflowID: 1, Event: "push", HeadSHA: "a"}} {
			f.RepoID, f.Status = 1, status
			count, page, _ := listRunsQueries(f)
			not := []string{"runs_repo", "runs_workflow"}
			checks = append(checks, check{"count of runs " + status, count, "runs_status", not},
				check{"page of runs " + status, page, "runs_status", not})
		}
	}
	// The other filters read a repository's runs by runs_repo at worst.
	for _, f := range []dispatchd.RunFilter{{}, {Status: "completed"}, {Status: "success"}, {Branch: "main"}, {EventID: 1},
		{WorkflowID: 1, Status: "failure"}, {ActorLogin: "octocat"}} {
		f.RepoID = 1
		count, page, _ := listRunsQueries(f)
		checks = append(checks, check{"count of runs", count, "", nil}, check{"page of runs", page, "", nil})
	}
	for _, c := range checks {
		plan := explain(t, db, c.q)
		text := strings.Join(plan, "\n")
		for _, d := range plan {
			// SCAN without USING reads the table itself, all of it.
			if strings.HasPrefix(d, "SCAN ") && !strings.Contains(d, " USING ") && !strings.Contains(d, "CONSTANT ROW") &&
				!strings.Contains(d, "json_each") && d != "SCAN q" && !strings.HasPrefix(d, "SCAN (subquery") {
				t.Errorf("%s reads a whole table:\n%s\n%s", c.name, text, c.q)
			}
		}
		if c.want != "" && !strings.Contains(text, c.want) {
			t.Errorf("%s does not use %s:\n%s\n%s", c.name, c.want, text, c.q)
		}
		for _, n := range c.not {
			if strings.Contains(text, n) {
				t.Errorf("%s uses %s:\n%s\n%s", c.name, n, text, c.q)
			}
		}
	}
}
