package storetest

import (
	"testing"

	"github.com/dispatchd/dispatchd"
)

// testIDsNeverGivenTwice: the id of a deleted event, run or job is never
// given to a later one, whether the row went alone or with its repository.
// GitHub's ids are unique for good, and clients keep them (a run id in a
// dispatch response, a webhook, a script).
func testIDsNeverGivenTwice(t *testing.T, s dispatchd.Store) {
	u, r, _ := runFixture(t, s)
	create := func(r *dispatchd.Repo) (*dispatchd.Event, dispatchd.NewRun) {
		t.Helper()
		files, err := s.WorkflowFilesAt(ctx, r.ID, "1111111111111111111111111111111111111111")
		if err != nil || len(files) == 0 {
			t.Fatalf("WorkflowFilesAt = %v, %v", files, err)
		}
		e := &dispatchd.Event{RepoID: r.ID, Name: "repository_dispatch", Action: "deploy", Ref: "refs/heads/main",
			SHA: files[0].CommitSHA, ActorID: u.ID, Payload: []byte(`{}`)}
		nr := newRun(files[0], u, "repository_dispatch", "build", "test")
		if err := s.CreateEvent(ctx, e, []dispatchd.NewRun{nr}, nil); err != nil {
			t.Fatal(err)
		}
		return e, nr
	}
	after := func(what string, old, e *dispatchd.Event, oldRun, nr dispatchd.NewRun) {
		t.Helper()
		if e.ID <= old.ID || nr.Run.ID <= oldRun.Run.ID || nr.Jobs[0].ID <= oldRun.Jobs[1].ID {
			t.Fatalf("after %s: event %d, run %d, first job %d; the deleted had event %d, run %d, last job %d",
				what, e.ID, nr.Run.ID, nr.Jobs[0].ID, old.ID, oldRun.Run.ID, oldRun.Jobs[1].ID)
		}
	}

	e1, nr1 := create(r)
	if err := s.DeleteRun(ctx, r.ID, nr1.Run.ID); err != nil {
		t.Fatal(err)
	}
	e2, nr2 := create(r)
	after("deleting the newest run", e1, e2, nr1, nr2)

	if err := s.DeleteRepo(ctx, r.ID); err != nil { // events, runs and jobs go by cascade
		t.Fatal(err)
	}
	other := mustRepo(t, s, u, "other", false)
	pushWorkflows(t, s, other)
	e3, nr3 := create(other)
	after("deleting their repository", e2, e3, nr2, nr3)
}
