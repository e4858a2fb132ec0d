package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v92/github"
)

// Jobs held by their environment's required reviewers: waiting (job, run,
// webhook), listed as pending deployments, then approved, rejected or
// cancelled; and a wait that outlives a restart of the server.

const deployWorkflow = `name: Deploy
on: repository_dispatch
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo built
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: ${{ github.event.client_payload.target || 'production' }}
      url: https://example.com
    steps:
      - run: echo "deployed to production"
`

// deployWorld is a repository whose production environment needs a
// review by rev (or by admin, who triggers the runs and may not review
// them: prevent_self_review).
type deployWorld struct {
	s        *server
	repo     string
	revToken string
	envID    int64
	receiver *whReceiver
}

func deploySetup(t *testing.T, s *server) *deployWorld {
	w := &deployWorld{s: s, repo: "admin/app"}
	s.admin("user", "create", "rev")
	w.revToken = newTokenFor(t, s, "rev")
	revID := whID(s.do("GET", "/api/v3/users/rev", s.Token, nil).JSON(t)["id"])
	adminID := whID(s.do("GET", "/api/v3/users/admin", s.Token, nil).JSON(t)["id"])
	s.createRepo(s.Token, map[string]any{"name": "app", "private": true, "auto_init": true})
	if r := s.do("PUT", "/api/v3/repos/admin/app/collaborators/rev", s.Token, map[string]any{"permission": "pull"}); r.Status != 204 {
		t.Fatalf("collaborator: %d %s", r.Status, r.Body)
	}
	env := s.do("PUT", "/api/v3/repos/admin/app/environments/production", s.Token, map[string]any{"prevent_self_review": true,
		"reviewers": []any{map[string]any{"type": "User", "id": revID}, map[string]any{"type": "User", "id": adminID}}})
	if env.Status != 200 {
		t.Fatalf("PUT environment: %d %s", env.Status, env.Body)
	}
	w.envID = whID(env.JSON(t)["id"])
	w.receiver = newWHReceiver(t, "env secret")
	whCreateHook(t, s, s.Token, "/repos/admin/app", w.receiver.url, "json", "env secret", "workflow_job")
	s.pushFiles(w.repo, s.Token, "main", map[string]string{".github/workflows/deploy.yml": deployWorkflow})
	return w
}

// waitingJob waits until the run's deploy job waits, and returns it as
// GET …/actions/jobs/{id} shows it.
func (w *deployWorld) waitingJob(t *testing.T, runID float64) map[string]any {
	t.Helper()
	var job map[string]any
	whEventually(t, "the deploy job waiting", func() bool {
		j := w.s.jobsOf(w.repo, runID)["deploy"]
		if j == nil || j["status"] != "waiting" {
			return false
		}
		job = w.s.do("GET", fmt.Sprintf("/api/v3/repos/%s/actions/jobs/%d", w.repo, whID(j["id"])), w.s.Token, nil).JSON(t)
		return true
	})
	if job["status"] != "waiting" || job["conclusion"] != nil {
		t.Fatalf("GET job: %v", job)
	}
	return job
}

// pending lists the run's pending deployments as who sees them.
func (w *deployWorld) pending(t *testing.T, runID float64, token string) []map[string]any {
	t.Helper()
	var list []map[string]any
	r := w.s.do("GET", fmt.Sprintf("/api/v3/repos/%s/actions/runs/%.0f/pending_deployments", w.repo, runID), token, nil)
	if err := json.Unmarshal(r.Body, &list); r.Status != 200 || err != nil {
		t.Fatalf("GET pending_deployments: %d %s", r.Status, r.Body)
	}
	return list
}

// review POSTs a review as token and returns the response.
func (w *deployWorld) review(runID float64, token, state string) response {
	return w.s.do("POST", fmt.Sprintf("/api/v3/repos/%s/actions/runs/%.0f/pending_deployments", w.repo, runID), token,
		map[string]any{"environment_ids": []int64{w.envID}, "state": state, "comment": "reviewed by the test"})
}

// jobActions returns the workflow_job actions the receiver got for a job,
// in order, as action:status:conclusion.
func (w *deployWorld) jobActions(t *testing.T, jobID int64) []string {
	t.Helper()
	var out []string
	for _, d := range w.receiver.accepted() {
		if e, ok := d.parsed.(*github.WorkflowJobEvent); ok && e.GetWorkflowJob().GetID() == jobID {
			j := e.GetWorkflowJob()
			out = append(out, e.GetAction()+":"+j.GetStatus()+":"+j.GetConclusion())
		}
	}
	return out
}

func TestEnvironmentReviewersHoldJobs(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--allow-private-webhooks", "--embedded-runners", "1")
	w := deploySetup(t, s)

	// Approved: the job waits, is reviewed by a listed reviewer, then runs.
	runID := s.dispatchRun(w.repo, "ship")
	job := w.waitingJob(t, runID)
	jobID := whID(job["id"])
	if run := s.do("GET", fmt.Sprintf("/api/v3/repos/%s/actions/runs/%.0f", w.repo, runID), s.Token, nil).JSON(t); run["status"] != "waiting" {
		t.Fatalf("run while its job waits: %v", run["status"])
	}
	if list := s.do("GET", "/api/v3/repos/"+w.repo+"/actions/runs?status=waiting", s.Token, nil).JSON(t); list["total_count"] != float64(1) {
		t.Fatalf("runs with status waiting: %v", list)
	}
	whEventually(t, "the workflow_job waiting delivery", func() bool {
		return strings.Contains(fmt.Sprint(w.jobActions(t, jobID)), "waiting:waiting:")
	})
	list := w.pending(t, runID, w.revToken)
	if len(list) != 1 {
		t.Fatalf("pending deployments = %v", list)
	}
	env, _ := list[0]["environment"].(map[string]any)
	reviewers, _ := list[0]["reviewers"].([]any)
	if env["name"] != "production" || whID(env["id"]) != w.envID || list[0]["current_user_can_approve"] != true || len(reviewers) != 2 ||
		list[0]["wait_timer"] != float64(0) {
		t.Fatalf("pending deployment = %v", list[0])
	}
	// admin triggered the run: a reviewer, but self review is prevented.
	if mine := w.pending(t, runID, s.Token); mine[0]["current_user_can_approve"] != false {
		t.Fatalf("pending deployment as the run's actor = %v", mine[0])
	}
	if r := w.review(runID, s.Token, "approved"); r.Status != 422 {
		t.Fatalf("self review: %d %s", r.Status, r.Body)
	}
	s.admin("user", "create", "nora")
	if r := w.review(runID, newTokenFor(t, s, "nora"), "approved"); r.Status != 404 {
		t.Fatalf("review by who cannot see the repository: %d %s", r.Status, r.Body)
	}
	deployments, _, err := goGitHub(t, s, w.revToken).Actions.PendingDeployments(context.Background(), "admin", "app", int64(runID),
		github.PendingDeploymentsRequest{EnvironmentIDs: []int64{w.envID}, State: "approved", Comment: "ship it"})
	if err != nil || len(deployments) != 1 || deployments[0].GetEnvironment() != "production" || deployments[0].GetID() == 0 {
		t.Fatalf("go-github PendingDeployments = %+v, %v", deployments, err)
	}
	if r := w.review(runID, w.revToken, "approved"); r.Status != 422 {
		t.Fatalf("a second review of the same deployment: %d %s", r.Status, r.Body)
	}
	run := s.waitRun(w.repo, runID, 2*time.Minute)
	jobs := s.jobsOf(w.repo, runID)
	if run["conclusion"] != "success" || jobs["deploy"]["conclusion"] != "success" || jobs["build"]["conclusion"] != "success" {
		t.Fatalf("approved run: %v, jobs %v", run["conclusion"], jobs)
	}
	if log := s.jobLogs(w.repo, runID)["deploy"]; !strings.Contains(log, "deployed to production") {
		t.Fatalf("deploy log: %s", log)
	}
	whEventually(t, "the deploy job's deliveries", func() bool { return len(w.jobActions(t, jobID)) == 5 })
	if got := fmt.Sprint(w.jobActions(t, jobID)); got != "[queued:queued: waiting:waiting: queued:queued: in_progress:in_progress: completed:completed:success]" {
		t.Fatalf("deploy job deliveries: %s", got)
	}

	// Rejected: the job fails without running, the run fails.
	runID = s.dispatchRun(w.repo, "ship")
	w.waitingJob(t, runID)
	if r := w.review(runID, w.revToken, "rejected"); r.Status != 200 {
		t.Fatalf("reject: %d %s", r.Status, r.Body)
	}
	run = s.waitRun(w.repo, runID, 2*time.Minute)
	jobs = s.jobsOf(w.repo, runID)
	if run["conclusion"] != "failure" || jobs["deploy"]["conclusion"] != "failure" || jobs["build"]["conclusion"] != "success" {
		t.Fatalf("rejected run: %v, jobs %v", run["conclusion"], jobs)
	}
	if log := s.jobLogs(w.repo, runID)["deploy"]; !strings.Contains(log, "rejected by rev") || strings.Contains(log, "deployed to") {
		t.Fatalf("rejected deploy log: %s", log)
	}

	// Cancelled while waiting: the wait ends, nothing is pending.
	runID = s.dispatchRun(w.repo, "ship")
	w.waitingJob(t, runID)
	if r := s.do("POST", fmt.Sprintf("/api/v3/repos/%s/actions/runs/%.0f/cancel", w.repo, runID), s.Token, nil); r.Status != 202 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	run = s.waitRun(w.repo, runID, 2*time.Minute)
	if run["conclusion"] != "cancelled" || s.jobsOf(w.repo, runID)["deploy"]["conclusion"] != "cancelled" || len(w.pending(t, runID, w.revToken)) != 0 {
		t.Fatalf("cancelled run: %v, jobs %v", run["conclusion"], s.jobsOf(w.repo, runID))
	}
	if r := w.review(runID, w.revToken, "approved"); r.Status != 422 {
		t.Fatalf("review of a cancelled run: %d %s", r.Status, r.Body)
	}

	// An environment a job names that does not exist is created, without
	// rules: the job runs at once.
	r := s.do("POST", "/api/v3/repos/"+w.repo+"/dispatches", s.Token, `{"event_type":"ship","client_payload":{"target":"review-app"}}`)
	if r.Status != 204 {
		t.Fatalf("dispatch: %d %s", r.Status, r.Body)
	}
	waitFor(t, "the review-app environment", 2*time.Minute, func() bool {
		return s.do("GET", "/api/v3/repos/"+w.repo+"/environments/review-app", s.Token, nil).Status == 200
	})
	created := s.do("GET", "/api/v3/repos/"+w.repo+"/environments/review-app", s.Token, nil).JSON(t)
	if len(envRules(t, created)) != 0 {
		t.Fatalf("created environment = %v", created)
	}
}

// A server stopped while a job waits: the restart holds the job again,
// and the review it then gets lets it run.
func TestEnvironmentWaitSurvivesRestart(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	s := startServerIn(t, data, "--allow-private-webhooks", "--embedded-runners", "1")
	w := deploySetup(t, s)
	runID := s.dispatchRun(w.repo, "ship")
	jobID := whID(w.waitingJob(t, runID)["id"])
	before := w.pending(t, runID, w.revToken)
	s.stop()

	s = startServerIn(t, data, "--allow-private-webhooks", "--embedded-runners", "1")
	w.s = s
	w.waitingJob(t, runID)
	after := w.pending(t, runID, w.revToken)
	if len(before) != 1 || len(after) != 1 || after[0]["environment"].(map[string]any)["id"] != before[0]["environment"].(map[string]any)["id"] {
		t.Fatalf("pending deployments before the restart %v, after %v", before, after)
	}
	if r := w.review(runID, w.revToken, "approved"); r.Status != 200 {
		t.Fatalf("approve after the restart: %d %s", r.Status, r.Body)
	}
	run := s.waitRun(w.repo, runID, 2*time.Minute)
	jobs := s.jobsOf(w.repo, runID)
	if run["conclusion"] != "success" || jobs["deploy"]["conclusion"] != "success" || whID(jobs["deploy"]["id"]) != jobID {
		t.Fatalf("run after the restart: %v, jobs %v", run["conclusion"], jobs)
	}
	if log := s.jobLogs(w.repo, runID)["deploy"]; !strings.Contains(log, "deployed to production") {
		t.Fatalf("deploy log: %s", log)
	}
}
