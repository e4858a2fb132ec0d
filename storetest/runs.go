package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dispatchd/dispatchd"
)

// runFixture is a repository with two indexed workflows.
func runFixture(t *testing.T, s dispatchd.Store) (*dispatchd.User, *dispatchd.Repo, []*dispatchd.WorkflowFile) {
	u := mustUser(t, s, "octocat", dispatchd.UserTypeUser)
	r := mustRepo(t, s, u, "repo", false)
	return u, r, pushWorkflows(t, s, r)
}

// pushWorkflows indexes a first commit of r with two workflows.
func pushWorkflows(t *testing.T, s dispatchd.Store, r *dispatchd.Repo) []*dispatchd.WorkflowFile {
	t.Helper()
	sha := "1111111111111111111111111111111111111111"
	files := []*dispatchd.WorkflowFile{wfFile(".github/workflows/a.yml", "a", "A"), wfFile(".github/workflows/b.yml", "b", "B")}
	err := s.ApplyPush(ctx, &dispatchd.PushIndex{RepoID: r.ID, Refs: []dispatchd.RefUpdate{{Name: "refs/heads/main", NewSHA: sha}},
		Commits: []dispatchd.IndexedCommit{{SHA: sha, Files: files, Commit: dispatchd.Commit{SHA: sha, TreeSHA: "tree", Message: "first",
			AuthorName: "Mona", AuthorEmail: "mona@example.com", Timestamp: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}}}})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func newRun(wf *dispatchd.WorkflowFile, u *dispatchd.User, event string, jobs ...string) dispatchd.NewRun {
	nr := dispatchd.NewRun{Run: &dispatchd.Run{WorkflowID: wf.WorkflowID, Name: wf.Summary.Name, DisplayTitle: "title " + event,
		Path: wf.Path, Event: event, HeadBranch: "main", HeadSHA: wf.CommitSHA, ActorID: u.ID, TriggeringActorID: u.ID,
		ConcurrencyGroup: "grp"}}
	for i, k := range jobs {
		j := &dispatchd.Job{Key: k, Name: k, Labels: []string{"ubuntu-latest"}}
		if i > 0 {
			j.Needs = []string{jobs[i-1]}
		}
		nr.Jobs = append(nr.Jobs, j)
	}
	return nr
}

func testRuns(t *testing.T, s dispatchd.Store) {
	u, r, files := runFixture(t, s)
	files, _ = s.WorkflowFilesAt(ctx, r.ID, "1111111111111111111111111111111111111111")
	if c, err := s.FindCommit(ctx, r.ID, files[0].CommitSHA); err != nil || c.Message != "first" || c.AuthorName != "Mona" || c.Timestamp.Year() != 2026 {
		t.Fatalf("FindCommit = %+v, %v", c, err)
	}
	_, err := s.FindCommit(ctx, r.ID, "2222")
	wantCode(t, err, dispatchd.ENOTFOUND)
	e := &dispatchd.Event{RepoID: r.ID, Name: "repository_dispatch", Action: "deploy", Ref: "refs/heads/main", SHA: files[0].CommitSHA,
		ActorID: u.ID, Payload: []byte(`{"action":"deploy"}`)}
	runs := []dispatchd.NewRun{newRun(files[0], u, "repository_dispatch", "build", "test"), newRun(files[1], u, "repository_dispatch", "one")}
	if err = s.CreateEvent(ctx, e, runs, nil); err != nil {
		t.Fatal(err)
	}
	if e.ID == 0 || len(e.RunIDs) != 2 || runs[0].Run.RunNumber != 1 || runs[1].Run.RunNumber != 1 || runs[0].Jobs[1].ID == 0 {
		t.Fatalf("CreateEvent: event %+v, runs %+v %+v", e, runs[0].Run, runs[1].Run)
	}
	got, err := s.FindEvent(ctx, r.ID, e.ID)
	if err != nil || got.Action != "deploy" || string(got.Payload) != `{"action":"deploy"}` || len(got.RunIDs) != 2 || got.RunIDs[0] != runs[0].Run.ID {
		t.Fatalf("FindEvent = %+v, %v", got, err)
	}
	run, err := s.FindRun(ctx, r.ID, runs[0].Run.ID)
	if err != nil || run.Status != dispatchd.StatusQueued || run.RunAttempt != 1 || run.DisplayTitle != "title repository_dispatch" ||
		run.ConcurrencyGroup != "grp" || run.EventID != e.ID || run.CreatedAt.IsZero() {
		t.Fatalf("FindRun = %+v, %v", run, err)
	}
	jobs, err := s.ListJobs(ctx, run.ID, 1)
	if err != nil || len(jobs) != 2 || jobs[1].Key != "test" || jobs[1].Needs[0] != "build" || jobs[0].Labels[0] != "ubuntu-latest" ||
		jobs[0].Status != dispatchd.StatusQueued || len(jobs[0].Needs) != 0 {
		t.Fatalf("ListJobs = %+v, %v", jobs, err)
	}
	if j, err := s.FindJob(ctx, r.ID, jobs[1].ID); err != nil || j.RunID != run.ID {
		t.Fatalf("FindJob = %+v, %v", j, err)
	}
	_, err = s.FindJob(ctx, r.ID+1, jobs[1].ID)
	wantCode(t, err, dispatchd.ENOTFOUND)

	// A second event: run numbers count per workflow; an event may create no run.
	e2 := &dispatchd.Event{RepoID: r.ID, Name: "workflow_dispatch", Ref: "refs/heads/main", SHA: "x", WorkflowID: files[0].WorkflowID, ActorID: u.ID, Payload: []byte(`{}`)}
	second := newRun(files[0], u, "workflow_dispatch", "build")
	second.Run.HeadSHA = "2222222222222222222222222222222222222222"
	if err := s.CreateEvent(ctx, e2, []dispatchd.NewRun{second}, nil); err != nil {
		t.Fatal(err)
	}
	if second.Run.RunNumber != 2 {
		t.Fatalf("run number = %d, want 2", second.Run.RunNumber)
	}
	empty := &dispatchd.Event{RepoID: r.ID, Name: "repository_dispatch", Action: "nothing", Ref: "refs/heads/main", SHA: "x", ActorID: u.ID, Payload: []byte(`{}`)}
	if err := s.CreateEvent(ctx, empty, nil, nil); err != nil || empty.ID == 0 || len(empty.RunIDs) != 0 {
		t.Fatalf("event without runs: %+v, %v", empty, err)
	}
	events, total, err := s.ListEvents(ctx, r.ID, 0, 2)
	if err != nil || total != 3 || len(events) != 2 || events[0].ID != empty.ID || events[1].ID != e2.ID || len(events[1].RunIDs) != 1 {
		t.Fatalf("ListEvents = %+v (total %d), %v", events, total, err)
	}

	check := func(f dispatchd.RunFilter, want ...int64) {
		t.Helper()
		f.RepoID = r.ID
		got, total, err := s.ListRuns(ctx, f)
		if err != nil || len(got) != len(want) || total < len(want) {
			t.Fatalf("ListRuns(%+v) = %d runs (total %d), %v; want %v", f, len(got), total, err, want)
		}
		for i := range want {
			if got[i].ID != want[i] {
				t.Fatalf("ListRuns(%+v)[%d] = %d, want %v", f, i, got[i].ID, want)
			}
		}
	}
	a1, b1, a2 := runs[0].Run.ID, runs[1].Run.ID, second.Run.ID
	check(dispatchd.RunFilter{}, a2, b1, a1)
	check(dispatchd.RunFilter{WorkflowID: files[0].WorkflowID}, a2, a1)
	check(dispatchd.RunFilter{Event: "workflow_dispatch"}, a2)
	check(dispatchd.RunFilter{EventID: e.ID}, b1, a1)
	// Max cuts the listing, not the total.
	check(dispatchd.RunFilter{Max: 2, Limit: 30}, a2, b1)
	check(dispatchd.RunFilter{Max: 2, Offset: 1, Limit: 30}, b1)
	check(dispatchd.RunFilter{Max: 2, Offset: 1}, b1)
	check(dispatchd.RunFilter{Max: 2, Offset: 2, Limit: 30})
	if _, total, err := s.ListRuns(ctx, dispatchd.RunFilter{RepoID: r.ID, Max: 2, Offset: 2, Limit: 30}); err != nil || total != 3 {
		t.Fatalf("total past Max = %d, %v; want 3", total, err)
	}
	check(dispatchd.RunFilter{Status: "queued"}, a2, b1, a1)
	check(dispatchd.RunFilter{Status: "success"})
	check(dispatchd.RunFilter{Branch: "main", ActorLogin: "OCTOCAT"}, a2, b1, a1)
	check(dispatchd.RunFilter{Branch: "dev"})
	check(dispatchd.RunFilter{HeadSHA: files[0].CommitSHA}, b1, a1)
	check(dispatchd.RunFilter{CreatedMin: time.Now().Add(time.Hour)})
	check(dispatchd.RunFilter{CreatedMax: time.Now().Add(time.Hour), Limit: 1, Offset: 1}, b1)

	if err := s.DeleteRun(ctx, r.ID, a1); err != nil {
		t.Fatal(err)
	}
	_, err = s.FindRun(ctx, r.ID, a1)
	wantCode(t, err, dispatchd.ENOTFOUND)
	if jobs, _ := s.ListJobs(ctx, a1, 0); len(jobs) != 0 {
		t.Fatalf("jobs of a deleted run remain: %v", jobs)
	}
	wantCode(t, s.DeleteRun(ctx, r.ID, a1), dispatchd.ENOTFOUND)
}

func testIdempotency(t *testing.T, s dispatchd.Store) {
	u, r, files := runFixture(t, s)
	files, _ = s.WorkflowFilesAt(ctx, r.ID, "1111111111111111111111111111111111111111")
	mk := func() *dispatchd.Event {
		return &dispatchd.Event{RepoID: r.ID, Name: "repository_dispatch", Ref: "refs/heads/main", SHA: "x", ActorID: u.ID, Payload: []byte(`{}`)}
	}
	idem := &dispatchd.Idempotency{RepoID: r.ID, ActorID: u.ID, Key: "k1", RequestHash: "h1", Status: 204, Body: []byte{}}
	e := mk()
	if err := s.CreateEvent(ctx, e, []dispatchd.NewRun{newRun(files[0], u, "repository_dispatch", "j")}, idem); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindIdempotency(ctx, r.ID, u.ID, "k1", time.Now().Add(-24*time.Hour))
	if err != nil || got.EventID != e.ID || got.RequestHash != "h1" || got.Status != 204 {
		t.Fatalf("FindIdempotency = %+v, %v", got, err)
	}
	// The same key again stores nothing, runs included.
	again := mk()
	err = s.CreateEvent(ctx, again, []dispatchd.NewRun{newRun(files[0], u, "repository_dispatch", "j")},
		&dispatchd.Idempotency{RepoID: r.ID, ActorID: u.ID, Key: "k1", RequestHash: "h2", Status: 204, Body: []byte{}})
	wantCode(t, err, dispatchd.ECONFLICT)
	if _, total, _ := s.ListEvents(ctx, r.ID, 0, 0); total != 1 {
		t.Fatalf("events after a reused key = %d, want 1", total)
	}
	if _, total, _ := s.ListRuns(ctx, dispatchd.RunFilter{RepoID: r.ID}); total != 1 {
		t.Fatalf("runs after a reused key = %d, want 1", total)
	}
	_, err = s.FindIdempotency(ctx, r.ID, u.ID, "k1", time.Now().Add(time.Minute))
	wantCode(t, err, dispatchd.ENOTFOUND)
	_, err = s.FindIdempotency(ctx, r.ID, u.ID+1, "k1", time.Time{})
	wantCode(t, err, dispatchd.ENOTFOUND)
}

// Concurrent events each get their own ids and consecutive run numbers,
// and a failing one does not take the others down with it.
func testConcurrentEvents(t *testing.T, s dispatchd.Store) {
	u, r, _ := runFixture(t, s)
	files, _ := s.WorkflowFilesAt(ctx, r.ID, "1111111111111111111111111111111111111111")
	const n = 64
	var wg sync.WaitGroup
	errs := make([]error, n)
	numbers := make([]int64, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			nr := newRun(files[0], u, "repository_dispatch", "j")
			if i%8 == 7 {
				nr.Run.WorkflowID = 999999 // no such workflow: this one fails alone
			}
			e := &dispatchd.Event{RepoID: r.ID, Name: "repository_dispatch", Action: fmt.Sprint(i), Ref: "refs/heads/main", SHA: "x", ActorID: u.ID, Payload: []byte(`{}`)}
			errs[i] = s.CreateEvent(ctx, e, []dispatchd.NewRun{nr}, nil)
			numbers[i] = nr.Run.RunNumber
		}(i)
	}
	wg.Wait()
	seen := map[int64]bool{}
	for i := 0; i < n; i++ {
		if i%8 == 7 {
			if errs[i] == nil {
				t.Fatalf("event %d with a missing workflow succeeded", i)
			}
			continue
		}
		if errs[i] != nil || seen[numbers[i]] {
			t.Fatalf("event %d: %v, run number %d (duplicate: %v)", i, errs[i], numbers[i], seen[numbers[i]])
		}
		seen[numbers[i]] = true
	}
	if _, total, _ := s.ListEvents(ctx, r.ID, 0, 0); total != n-n/8 {
		t.Fatalf("events stored = %d, want %d", total, n-n/8)
	}
	if _, total, _ := s.ListRuns(ctx, dispatchd.RunFilter{RepoID: r.ID}); total != n-n/8 {
		t.Fatalf("runs stored = %d, want %d", total, n-n/8)
	}
}

func testCancelAndRerun(t *testing.T, s dispatchd.Store) {
	u, r, _ := runFixture(t, s)
	files, _ := s.WorkflowFilesAt(ctx, r.ID, "1111111111111111111111111111111111111111")
	nr := newRun(files[0], u, "workflow_dispatch", "build", "test", "deploy")
	e := &dispatchd.Event{RepoID: r.ID, Name: "workflow_dispatch", Ref: "refs/heads/main", SHA: "x", ActorID: u.ID, Payload: []byte(`{}`)}
	if err := s.CreateEvent(ctx, e, []dispatchd.NewRun{nr}, nil); err != nil {
		t.Fatal(err)
	}
	id := nr.Run.ID
	_, err := s.RerunRun(ctx, r.ID, id, false)
	wantCode(t, err, dispatchd.ECONFLICT) // still queued

	run, err := s.CancelRun(ctx, r.ID, id)
	if err != nil || run.Status != dispatchd.StatusCompleted || run.Conclusion != dispatchd.ConclusionCancelled {
		t.Fatalf("CancelRun = %+v, %v", run, err)
	}
	jobs, _ := s.ListJobs(ctx, id, 1)
	for _, j := range jobs {
		if j.Status != dispatchd.StatusCompleted || j.Conclusion != dispatchd.ConclusionCancelled || j.CompletedAt.IsZero() {
			t.Fatalf("job after cancel = %+v", j)
		}
	}
	if dispatchd.Conclude(jobs) != dispatchd.ConclusionCancelled {
		t.Fatalf("Conclude = %s", dispatchd.Conclude(jobs))
	}
	_, err = s.CancelRun(ctx, r.ID, id)
	wantCode(t, err, dispatchd.ECONFLICT)
	_, err = s.CancelRun(ctx, r.ID, 99999)
	wantCode(t, err, dispatchd.ENOTFOUND)

	run, err = s.RerunRun(ctx, r.ID, id, false)
	if err != nil || run.RunAttempt != 2 || run.Status != dispatchd.StatusQueued || run.Conclusion != "" || run.RunStartedAt.IsZero() {
		t.Fatalf("RerunRun = %+v, %v", run, err)
	}
	second, _ := s.ListJobs(ctx, id, 2)
	all, _ := s.ListJobs(ctx, id, 0)
	if len(second) != 3 || len(all) != 6 || second[2].Needs[0] != "test" || second[0].Status != dispatchd.StatusQueued || second[0].RunAttempt != 2 {
		t.Fatalf("attempt 2 jobs = %+v (all %d)", second, len(all))
	}
	// Cancel again, then re-run only the failed: every job was cancelled, so all run.
	s.CancelRun(ctx, r.ID, id)
	run, err = s.RerunRun(ctx, r.ID, id, true)
	if err != nil || run.RunAttempt != 3 {
		t.Fatalf("RerunRun(failed) = %+v, %v", run, err)
	}
	if third, _ := s.ListJobs(ctx, id, 3); len(third) != 3 || third[2].Status != dispatchd.StatusQueued {
		t.Fatalf("attempt 3 = %+v", third)
	}
}

// testPayloadParts: the repeated parts of payloads come back in place.
func testPayloadParts(t *testing.T, s dispatchd.Store) {
	u, r, files := runFixture(t, s)
	repoJSON, senderJSON := `{"id":1,"name":"repo"}`, `{"login":"octocat"}`
	payload := func(action string) ([]byte, []dispatchd.PayloadPart) {
		head := `{"action":"` + action + `","repository":`
		mid := `,"sender":`
		p := head + repoJSON + mid + senderJSON + `,"z":1}`
		return []byte(p), []dispatchd.PayloadPart{
			{Offset: len(head) + len(repoJSON) + len(mid), Len: len(senderJSON), Hash: "s1"}, // out of order on purpose
			{Offset: len(head), Len: len(repoJSON), Hash: "r1"},
		}
	}
	var want [][]byte
	var ids []int64
	for _, action := range []string{"one", "two"} {
		p, parts := payload(action)
		e := &dispatchd.Event{RepoID: r.ID, Name: "repository_dispatch", Action: action, Ref: "refs/heads/main",
			SHA: files[0].CommitSHA, ActorID: u.ID, Payload: p, Parts: parts}
		if err := s.CreateEvent(ctx, e, nil, nil); err != nil {
			t.Fatal(err)
		}
		want, ids = append(want, p), append(ids, e.ID)
	}
	for i, id := range ids {
		got, err := s.FindEvent(ctx, r.ID, id)
		if err != nil || string(got.Payload) != string(want[i]) {
			t.Fatalf("FindEvent(%d) payload = %s, %v; want %s", id, got.Payload, err, want[i])
		}
	}
	list, _, err := s.ListEvents(ctx, r.ID, 0, 10)
	if err != nil || len(list) != 2 || string(list[0].Payload) != string(want[1]) || string(list[1].Payload) != string(want[0]) {
		t.Fatalf("ListEvents = %v, %v", list, err)
	}
	bad := &dispatchd.Event{RepoID: r.ID, Name: "repository_dispatch", Ref: "refs/heads/main", SHA: "x", ActorID: u.ID,
		Payload: []byte(`{}`), Parts: []dispatchd.PayloadPart{{Offset: 1, Len: 5, Hash: "h"}}}
	if err := s.CreateEvent(ctx, bad, nil, nil); err == nil {
		t.Fatal("a part beyond the payload was accepted")
	}
}
