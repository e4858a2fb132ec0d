package storetest

import (
	"testing"

	"github.com/dispatchd/dispatchd"
)

func testEnvironments(t *testing.T, s dispatchd.Store) {
	u := mustUser(t, s, "octocat", dispatchd.UserTypeUser)
	mona := mustUser(t, s, "mona", dispatchd.UserTypeUser)
	r := mustRepo(t, s, u, "repo", false)
	other := mustRepo(t, s, u, "other", false)

	e := &dispatchd.Environment{RepoID: r.ID, Name: "Production", WaitTimer: 5, Reviewers: []int64{mona.ID, u.ID, mona.ID}}
	if created, err := s.PutEnvironment(ctx, e); err != nil || !created || e.ID == 0 || e.CreatedAt.IsZero() ||
		len(e.Reviewers) != 2 || e.Reviewers[0] != mona.ID || e.Reviewers[1] != u.ID {
		t.Fatalf("PutEnvironment = %v, %v, %+v", created, err, e)
	}
	// Names are unique per repository case-insensitively; the first spelling stays.
	again := &dispatchd.Environment{RepoID: r.ID, Name: "PRODUCTION", Reviewers: []int64{u.ID}, PreventSelfReview: true}
	if created, err := s.PutEnvironment(ctx, again); err != nil || created || again.ID != e.ID || again.Name != "Production" ||
		again.WaitTimer != 0 || len(again.Reviewers) != 1 || !again.PreventSelfReview || !again.CreatedAt.Equal(e.CreatedAt) {
		t.Fatalf("second PutEnvironment = %v, %v, %+v", created, err, again)
	}
	if got, err := s.FindEnvironment(ctx, r.ID, "production"); err != nil || got.ID != e.ID || got.Reviewers[0] != u.ID {
		t.Fatalf("FindEnvironment = %+v, %v", got, err)
	}
	_, err := s.FindEnvironment(ctx, other.ID, "production")
	wantCode(t, err, dispatchd.ENOTFOUND)
	_, err = s.FindEnvironmentByID(ctx, other.ID, e.ID)
	wantCode(t, err, dispatchd.ENOTFOUND)
	for _, bad := range []*dispatchd.Environment{
		{RepoID: r.ID, Name: "x", WaitTimer: dispatchd.MaxWaitTimer + 1},
		{RepoID: r.ID, Name: "x", WaitTimer: -1},
		{RepoID: r.ID, Name: "x", Reviewers: []int64{1, 2, 3, 4, 5, 6, 7}},
		{RepoID: r.ID, Name: ""},
		{RepoID: r.ID, Name: string(make([]byte, 256))},
	} {
		_, err := s.PutEnvironment(ctx, bad)
		wantCode(t, err, dispatchd.EINVALID)
	}

	// A job naming an environment that does not exist creates it, unprotected.
	staging, err := s.EnsureEnvironment(ctx, r.ID, "staging")
	if err != nil || staging.ID == 0 || staging.Protected() {
		t.Fatalf("EnsureEnvironment = %+v, %v", staging, err)
	}
	if same, err := s.EnsureEnvironment(ctx, r.ID, "Staging"); err != nil || same.ID != staging.ID {
		t.Fatalf("EnsureEnvironment again = %+v, %v", same, err)
	}
	if list, err := s.ListEnvironments(ctx, r.ID); err != nil || len(list) != 2 || list[0].Name != "Production" || len(list[0].Reviewers) != 1 {
		t.Fatalf("ListEnvironments = %+v, %v", list, err)
	}
	if err := s.DeleteEnvironment(ctx, r.ID, "STAGING"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteEnvironment(ctx, r.ID, "staging"), dispatchd.ENOTFOUND)
}

func testPendingDeployments(t *testing.T, s dispatchd.Store) {
	u, r, files := runFixture(t, s)
	reviewer := mustUser(t, s, "mona", dispatchd.UserTypeUser)
	files, _ = s.WorkflowFilesAt(ctx, r.ID, "1111111111111111111111111111111111111111")
	nr := newRun(files[0], u, "repository_dispatch", "deploy", "after")
	e := &dispatchd.Event{RepoID: r.ID, Name: "repository_dispatch", Ref: "refs/heads/main", SHA: "x", ActorID: u.ID, Payload: []byte(`{}`)}
	if err := s.CreateEvent(ctx, e, []dispatchd.NewRun{nr}, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.ClaimQueuedRuns(ctx, 1); err != nil {
		t.Fatal(err)
	}
	env := &dispatchd.Environment{RepoID: r.ID, Name: "production", Reviewers: []int64{reviewer.ID}}
	if _, err := s.PutEnvironment(ctx, env); err != nil {
		t.Fatal(err)
	}
	jobs, _ := s.ListJobs(ctx, nr.Run.ID, 1)
	job := jobs[0]
	d, err := s.HoldJob(ctx, job, env)
	if err != nil || d.State != dispatchd.DeploymentWaiting || d.JobID != job.ID || d.Environment.Name != "production" ||
		len(d.Environment.Reviewers) != 1 || d.StartedAt.IsZero() || d.Ready(d.StartedAt) {
		t.Fatalf("HoldJob = %+v, %v", d, err)
	}
	// The job and its run wait, as GitHub shows them.
	if got, _ := s.FindJob(ctx, r.ID, job.ID); got.Status != dispatchd.StatusWaiting {
		t.Fatalf("held job status = %q", got.Status)
	}
	if run, _ := s.FindRun(ctx, r.ID, nr.Run.ID); run.Status != dispatchd.StatusWaiting {
		t.Fatalf("run status while a job waits = %q", run.Status)
	}
	// A waiting run holds its concurrency group as a running one does.
	later := newRun(files[0], u, "repository_dispatch", "deploy")
	if err := s.CreateEvent(ctx, &dispatchd.Event{RepoID: r.ID, Name: "repository_dispatch", Ref: "refs/heads/main", SHA: "x",
		ActorID: u.ID, Payload: []byte(`{}`)}, []dispatchd.NewRun{later}, nil); err != nil {
		t.Fatal(err)
	}
	if claimed, _, err := s.ClaimQueuedRuns(ctx, 5); err != nil || len(claimed) != 0 {
		t.Fatalf("ClaimQueuedRuns while the group's run waits = %+v, %v", claimed, err)
	}
	// Holding it again (after a restart) keeps the deployment as it was.
	if again, err := s.HoldJob(ctx, job, env); err != nil || again.ID != d.ID || !again.StartedAt.Equal(d.StartedAt) {
		t.Fatalf("HoldJob again = %+v, %v", again, err)
	}
	if list, err := s.ListPendingDeployments(ctx, nr.Run.ID); err != nil || len(list) != 1 || list[0].ID != d.ID {
		t.Fatalf("ListPendingDeployments = %+v, %v", list, err)
	}
	_, err = s.ReviewDeployments(ctx, nr.Run.ID, []int64{env.ID + 100}, dispatchd.DeploymentApproved, reviewer.ID, "")
	wantCode(t, err, dispatchd.EINVALID)
	reviewed, err := s.ReviewDeployments(ctx, nr.Run.ID, []int64{env.ID}, dispatchd.DeploymentApproved, reviewer.ID, "ship it")
	if err != nil || len(reviewed) != 1 || reviewed[0].State != dispatchd.DeploymentApproved || reviewed[0].ReviewerID != reviewer.ID ||
		reviewed[0].Comment != "ship it" || !reviewed[0].Ready(reviewed[0].ReviewedAt) {
		t.Fatalf("ReviewDeployments = %+v, %v", reviewed, err)
	}
	// Reviewed once: a second review finds nothing to review.
	_, err = s.ReviewDeployments(ctx, nr.Run.ID, []int64{env.ID}, dispatchd.DeploymentRejected, reviewer.ID, "")
	wantCode(t, err, dispatchd.EINVALID)
	if got, err := s.FindPendingDeployment(ctx, job.ID); err != nil || got.State != dispatchd.DeploymentApproved {
		t.Fatalf("FindPendingDeployment = %+v, %v", got, err)
	}
	// Released, the job is queued and the run in progress again.
	job.Status = dispatchd.StatusQueued
	if err := s.UpdateJob(ctx, job); err != nil {
		t.Fatal(err)
	}
	if run, _ := s.FindRun(ctx, r.ID, nr.Run.ID); run.Status != dispatchd.StatusInProgress {
		t.Fatalf("run status after the release = %q", run.Status)
	}
	if list, _ := s.ListPendingDeployments(ctx, nr.Run.ID); len(list) != 0 {
		t.Fatalf("pending deployments after the release = %+v", list)
	}

	// A waiting run is queued again by a restart; its waiting job stays waiting.
	second := jobs[1]
	if _, err := s.HoldJob(ctx, second, env); err != nil {
		t.Fatal(err)
	}
	if run, _ := s.FindRun(ctx, r.ID, nr.Run.ID); run.Status != dispatchd.StatusWaiting {
		t.Fatalf("run status while its second job waits = %q", run.Status)
	}
	if n, err := s.ResetInProgressRuns(ctx, "lost"); err != nil || n != 1 {
		t.Fatalf("ResetInProgressRuns = %d, %v", n, err)
	}
	if got, _ := s.FindJob(ctx, r.ID, second.ID); got.Status != dispatchd.StatusWaiting {
		t.Fatalf("waiting job after a restart = %q", got.Status)
	}
	// Deleting the environment deletes the wait.
	if err := s.DeleteEnvironment(ctx, r.ID, "production"); err != nil {
		t.Fatal(err)
	}
	_, err = s.FindPendingDeployment(ctx, second.ID)
	wantCode(t, err, dispatchd.ENOTFOUND)
}
