package sqlite

import (
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/dispatchd/dispatchd"
)

// Runs are numbered 1, 2, 3… per workflow with no gap, though a write of
// the same batch that numbered a run and then failed was undone, and
// numbering goes on after a reopen.
func TestRunNumbersHaveNoGaps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dispatchd.db")
	f := newOutboxFixtureAt(t, path)
	wf := f.workflowID
	event := func(runs ...int64) error {
		e := &dispatchd.Event{RepoID: f.repo.ID, Name: "repository_dispatch", Action: "x", Ref: "refs/heads/main", SHA: f.sha,
			ActorID: f.user.ID, Payload: []byte(`{}`)}
		var nrs []dispatchd.NewRun
		for _, w := range runs {
			nrs = append(nrs, dispatchd.NewRun{Run: &dispatchd.Run{WorkflowID: w, Name: "A", DisplayTitle: "A", Path: "a.yml",
				Event: "repository_dispatch", HeadBranch: "main", HeadSHA: f.sha, ActorID: f.user.ID, TriggeringActorID: f.user.ID}})
		}
		return f.db.CreateEvent(ctx, e, nrs, nil)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 100 {
		wg.Go(func() {
			if i%2 == 0 {
				errs <- event(wf)
			} else if err := event(wf, 1<<40); dispatchd.ErrorCode(err) != dispatchd.ENOTFOUND {
				t.Errorf("a run of a missing workflow: %v, want ENOTFOUND", err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	numbers := func() []int64 {
		rows, err := f.db.r.Query(`SELECT run_number FROM runs WHERE workflow_id = ? ORDER BY run_number`, wf)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var n int64
			rows.Scan(&n)
			out = append(out, n)
		}
		return out
	}
	want := make([]int64, 50)
	for i := range want {
		want[i] = int64(i + 1)
	}
	if got := numbers(); !slices.Equal(got, want) {
		t.Fatalf("run numbers %v, want 1…50", got)
	}
	f.db.Close()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f.db = db
	if err := event(wf); err != nil {
		t.Fatal(err)
	}
	if got := numbers(); got[len(got)-1] != 51 {
		t.Fatalf("after a reopen the next run is number %d, want 51", got[len(got)-1])
	}
}
