package storetest

import (
	"testing"
	"time"

	"github.com/dispatchd/dispatchd"
)

func testExecution(t *testing.T, s dispatchd.Store) {
	u, r, _ := runFixture(t, s)
	files, _ := s.WorkflowFilesAt(ctx, r.ID, "1111111111111111111111111111111111111111")
	var ids []int64
	for i := 0; i < 3; i++ {
		nr := newRun(files[0], u, "repository_dispatch", "build")
		nr.Run.ConcurrencyGroup = ""
		e := &dispatchd.Event{RepoID: r.ID, Name: "repository_dispatch", Ref: "refs/heads/main", SHA: "x", ActorID: u.ID, Payload: []byte(`{}`)}
		if err := s.CreateEvent(ctx, e, []dispatchd.NewRun{nr}, nil); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, nr.Run.ID)
	}
	claimed, _, err := s.ClaimQueuedRuns(ctx, 2)
	if err != nil || len(claimed) != 2 || claimed[0].ID != ids[0] || claimed[1].ID != ids[1] || claimed[0].Status != dispatchd.StatusInProgress {
		t.Fatalf("ClaimQueuedRuns = %+v, %v", claimed, err)
	}
	if again, _, _ := s.ClaimQueuedRuns(ctx, 5); len(again) != 1 || again[0].ID != ids[2] {
		t.Fatalf("second claim = %+v: each run is claimed once", again)
	}
	run, _ := s.FindRun(ctx, r.ID, ids[0])
	if run.RunStartedAt.IsZero() {
		t.Fatal("run_started_at not set by the claim")
	}

	jobs, _ := s.ListJobs(ctx, run.ID, 1)
	j := jobs[0]
	start := time.Now().UTC().Truncate(time.Second)
	j.Name, j.Status, j.StartedAt, j.RunnerName, j.RunnerID = "build (a)", dispatchd.StatusInProgress, start, "embedded-1", 1
	j.Steps = []dispatchd.JobStep{{Number: 1, Name: "Set up job", Status: dispatchd.StatusCompleted, Conclusion: "success", StartedAt: start, CompletedAt: start}}
	if err := s.UpdateJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	leg := &dispatchd.Job{Key: "build", Name: "build (b)", LegIndex: 1, Status: dispatchd.StatusInProgress, StartedAt: start}
	if err := s.AddJob(ctx, run, leg); err != nil || leg.ID == 0 || leg.RunAttempt != 1 {
		t.Fatalf("AddJob = %+v, %v", leg, err)
	}
	jobs, _ = s.ListJobs(ctx, run.ID, 1)
	if len(jobs) != 2 || jobs[0].Name != "build (a)" || jobs[0].RunnerName != "embedded-1" || len(jobs[0].Steps) != 1 ||
		jobs[0].Steps[0].Name != "Set up job" || !jobs[0].StartedAt.Equal(start) || jobs[1].LegIndex != 1 {
		t.Fatalf("jobs after update = %+v", jobs)
	}
	wantCode(t, s.UpdateJob(ctx, &dispatchd.Job{ID: 999999}), dispatchd.ENOTFOUND)

	lines := []dispatchd.LogLine{{Step: 1, At: start, Text: "hello"}, {Step: 2, At: start, Text: "world"}}
	if err := s.AppendLog(ctx, j.ID, lines); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendLog(ctx, j.ID, []dispatchd.LogLine{{Step: 2, At: start, Text: "again"}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.JobLog(ctx, j.ID, 0)
	if err != nil || len(got) != 3 || got[0].Text != "hello" || got[2].Text != "again" || got[1].Step != 2 || !got[0].At.Equal(start) ||
		got[0].Seq != 1 || got[2].Seq != 3 {
		t.Fatalf("JobLog = %+v, %v", got, err)
	}
	if after, err := s.JobLog(ctx, j.ID, 2); err != nil || len(after) != 1 || after[0].Text != "again" {
		t.Fatalf("JobLog after 2 = %+v, %v", after, err)
	}

	// A server that stopped leaves runs in_progress: they go back to the
	// queue; the job that was running failed, lost.
	if n, err := s.ResetInProgressRuns(ctx, "lost"); err != nil || n != 3 {
		t.Fatalf("ResetInProgressRuns = %d, %v", n, err)
	}
	if jobs, _ := s.ListJobs(ctx, run.ID, 1); jobs[0].Status != dispatchd.StatusCompleted || jobs[0].Conclusion != "failure" {
		t.Fatalf("job after reset = %+v", jobs[0])
	}
	if got, _ := s.JobLog(ctx, j.ID, 3); len(got) != 1 || got[0].Text != "##[error]lost" || got[0].Seq != 4 {
		t.Fatalf("log after reset = %+v", got)
	}
	if done, err := s.CompleteRun(ctx, run.ID, "success"); !done || err != nil {
		t.Fatalf("CompleteRun = %v, %v", done, err)
	}
	if done, _ := s.CompleteRun(ctx, run.ID, "failure"); done {
		t.Fatal("a completed run completed again")
	}
	if run, _ := s.FindRun(ctx, r.ID, run.ID); run.Status != dispatchd.StatusCompleted || run.Conclusion != "success" {
		t.Fatalf("run = %s/%s", run.Status, run.Conclusion)
	}
}

func testConcurrencyGroups(t *testing.T, s dispatchd.Store) {
	u, r, _ := runFixture(t, s)
	files, _ := s.WorkflowFilesAt(ctx, r.ID, "1111111111111111111111111111111111111111")
	queue := func(group string, cancelInProgress bool) int64 {
		nr := newRun(files[0], u, "workflow_dispatch", "build")
		nr.Run.ConcurrencyGroup, nr.Run.CancelInProgress = group, cancelInProgress
		e := &dispatchd.Event{RepoID: r.ID, Name: "workflow_dispatch", Ref: "refs/heads/main", SHA: "x", ActorID: u.ID, Payload: []byte(`{}`)}
		if err := s.CreateEvent(ctx, e, []dispatchd.NewRun{nr}, nil); err != nil {
			t.Fatal(err)
		}
		return nr.Run.ID
	}
	claim := func() (ids, cancel []int64) {
		runs, cancel, err := s.ClaimQueuedRuns(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			ids = append(ids, r.ID)
		}
		return ids, cancel
	}
	conclusion := func(id int64) string {
		run, _ := s.FindRun(ctx, r.ID, id)
		return run.Status + "/" + run.Conclusion
	}
	a := queue("deploy-prod", false)
	if ids, _ := claim(); len(ids) != 1 || ids[0] != a {
		t.Fatalf("first claim = %v", ids)
	}
	b := queue("Deploy-Prod", false) // groups are case-insensitive
	other := queue("", false)        // no group: runs at once
	if ids, _ := claim(); len(ids) != 1 || ids[0] != other {
		t.Fatalf("claim with the group busy = %v, want only %d", ids, other)
	}
	c := queue("deploy-prod", false)
	if ids, _ := claim(); len(ids) != 0 {
		t.Fatalf("claim = %v, want none", ids)
	}
	if got := conclusion(b); got != "completed/cancelled" {
		t.Fatalf("replaced pending run = %s", got)
	}
	if jobs, _ := s.ListJobs(ctx, b, 1); jobs[0].Conclusion != dispatchd.ConclusionCancelled {
		t.Fatalf("replaced run's job = %+v", jobs[0])
	}
	s.CompleteRun(ctx, a, "success")
	if ids, _ := claim(); len(ids) != 1 || ids[0] != c {
		t.Fatalf("claim after the running one ended = %v, want %d", ids, c)
	}
	d := queue("deploy-prod", true)
	ids, cancel := claim()
	if len(cancel) != 1 || cancel[0] != c || len(ids) != 1 || ids[0] != d || conclusion(c) != "completed/cancelled" {
		t.Fatalf("cancel-in-progress: claimed %v, cancelled %v, c is %s", ids, cancel, conclusion(c))
	}
}
