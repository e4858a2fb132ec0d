package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-github/v92/github"
)

const cdWorkflow = `name: CD Pipeline
run-name: Deploy ${{ github.event.client_payload.image_tag }}
on:
  repository_dispatch:
    types: [trigger-deploy]
concurrency: deploy-${{ github.event.client_payload.environment }}
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - name: Deploy Application
        run: |
          echo "Deploying image tag: ${{ github.event.client_payload.image_tag }}"
  verify:
    needs: deploy
    runs-on: [self-hosted, linux]
    steps:
      - run: echo ok
`

const greetWorkflow = `name: Greet
on:
  workflow_dispatch:
    inputs:
      source:
        description: "Where the API is triggered"
        required: true
        default: "CLI"
      debug:
        type: boolean
jobs:
  print:
    runs-on: ubuntu-latest
    steps:
      - run: echo "Triggered from ${{ github.event.inputs.source }}!"
`

const anyDispatchWorkflow = `on: repository_dispatch
jobs:
  any:
    runs-on: ubuntu-latest
    steps:
      - run: echo any
`

// dispatchRepo makes admin/svc with the seeds' workflows.
func dispatchRepo(t *testing.T, s *server) {
	s.createRepo(s.Token, map[string]any{"name": "svc", "auto_init": true})
	s.pushFiles("admin/svc", s.Token, "main", map[string]string{
		".github/workflows/cd.yml":    cdWorkflow,
		".github/workflows/greet.yml": greetWorkflow,
		".github/workflows/any.yml":   anyDispatchWorkflow,
	})
}

func goGitHub(t *testing.T, s *server, token string) *github.Client {
	c, err := github.NewClient(github.WithAuthToken(token), github.WithEnterpriseURLs(s.URL+"/", s.URL+"/"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The go-github calls a GitHub client makes, pointed at dispatchd.
func TestGoGitHubDispatchAndRuns(t *testing.T) {
	s := startServer(t, noRunners...) // the runs stay queued, so their queued state can be checked
	dispatchRepo(t, s)
	c := goGitHub(t, s, s.Token)
	ctx := context.Background()

	payload := json.RawMessage(`{"image_tag":"sha-1234567","environment":"production"}`)
	_, resp, err := c.Repositories.Dispatch(ctx, "admin", "svc", github.DispatchRequestOptions{EventType: "trigger-deploy", ClientPayload: &payload})
	if err != nil || resp.StatusCode != 204 || resp.Header.Get("X-Dispatch-Id") == "" {
		t.Fatalf("Dispatch: %v %v", resp, err)
	}
	dispatchID := resp.Header.Get("X-Dispatch-Id")

	// Both repository_dispatch workflows run: cd.yml (types match) and any.yml (no types).
	runs, _, err := c.Actions.ListRepositoryWorkflowRuns(ctx, "admin", "svc", &github.ListWorkflowRunsOptions{Event: "repository_dispatch"})
	if err != nil || runs.GetTotalCount() != 2 {
		t.Fatalf("ListRepositoryWorkflowRuns: %v %v", runs, err)
	}
	var cd *github.WorkflowRun
	for _, r := range runs.WorkflowRuns {
		if r.GetPath() == ".github/workflows/cd.yml" {
			cd = r
		}
	}
	if cd == nil || cd.GetDisplayTitle() != "Deploy sha-1234567" || cd.GetStatus() != "queued" || cd.GetRunNumber() != 1 ||
		cd.GetEvent() != "repository_dispatch" || cd.GetHeadBranch() != "main" || cd.GetActor().GetLogin() != "admin" ||
		cd.HeadCommit == nil || cd.GetHeadCommit().GetMessage() != "update" || cd.GetName() != "CD Pipeline" {
		t.Fatalf("cd run = %+v", cd)
	}
	got, _, err := c.Actions.GetWorkflowRunByID(ctx, "admin", "svc", cd.GetID())
	if err != nil || got.GetID() != cd.GetID() || got.GetRunAttempt() != 1 {
		t.Fatalf("GetWorkflowRunByID: %v %v", got, err)
	}
	jobs, _, err := c.Actions.ListWorkflowJobs(ctx, "admin", "svc", cd.GetID(), nil)
	if err != nil || jobs.GetTotalCount() != 2 || jobs.Jobs[0].GetName() != "deploy" || jobs.Jobs[1].Labels[0] != "self-hosted" ||
		jobs.Jobs[0].GetStatus() != "queued" {
		t.Fatalf("ListWorkflowJobs: %+v %v", jobs, err)
	}

	// The dispatch extension names the runs the dispatch created.
	ev := s.do("GET", "/api/v3/repos/admin/svc/dispatches/"+dispatchID, s.Token, nil).JSON(t)
	evRuns, _ := ev["workflow_runs"].([]any)
	pl, _ := ev["payload"].(map[string]any)
	if ev["event_type"] != "trigger-deploy" || len(evRuns) != 2 || pl["action"] != "trigger-deploy" || pl["branch"] != "main" ||
		pl["client_payload"].(map[string]any)["image_tag"] != "sha-1234567" || pl["sender"].(map[string]any)["login"] != "admin" {
		t.Fatalf("dispatch event = %v", ev)
	}
	byDispatch := s.do("GET", "/api/v3/repos/admin/svc/actions/runs?dispatch_id="+dispatchID, s.Token, nil).JSON(t)
	if byDispatch["total_count"] != float64(2) {
		t.Fatalf("runs by dispatch_id = %v", byDispatch["total_count"])
	}

	// workflow_dispatch by file name and by id, with run details.
	yes := true
	details, resp, err := c.Actions.CreateWorkflowDispatchEventByFileName(ctx, "admin", "svc", "greet.yml",
		github.CreateWorkflowDispatchEventRequest{Ref: "main", Inputs: map[string]any{"source": "go-github", "debug": true}, ReturnRunDetails: &yes})
	if err != nil || resp.StatusCode != 200 || details.GetWorkflowRunID() == 0 || !strings.HasSuffix(details.GetRunURL(), "/actions/runs/"+strconv.FormatInt(details.GetWorkflowRunID(), 10)) {
		t.Fatalf("CreateWorkflowDispatchEventByFileName: %+v %v %v", details, resp, err)
	}
	wf, _, err := c.Actions.GetWorkflowByFileName(ctx, "admin", "svc", "greet.yml")
	if err != nil {
		t.Fatal(err)
	}
	_, resp, err = c.Actions.CreateWorkflowDispatchEventByID(ctx, "admin", "svc", wf.GetID(), github.CreateWorkflowDispatchEventRequest{Ref: "refs/heads/main"})
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("CreateWorkflowDispatchEventByID: %v %v", resp, err)
	}
	greet, _, err := c.Actions.ListWorkflowRunsByFileName(ctx, "admin", "svc", "greet.yml", nil)
	if err != nil || greet.GetTotalCount() != 2 || greet.WorkflowRuns[0].GetRunNumber() != 2 || greet.WorkflowRuns[1].GetRunNumber() != 1 {
		t.Fatalf("greet runs: %+v %v", greet, err)
	}
	// The recorded workflow_dispatch payload holds the inputs as strings.
	wd := s.do("GET", "/api/v3/repos/admin/svc/dispatches?per_page=2", s.Token, nil).JSON(t)
	first := wd["dispatches"].([]any)[1].(map[string]any)["payload"].(map[string]any)
	if in := first["inputs"].(map[string]any); in["source"] != "go-github" || in["debug"] != "true" || first["ref"] != "refs/heads/main" ||
		first["workflow"] != ".github/workflows/greet.yml" {
		t.Fatalf("workflow_dispatch payload = %v", first)
	}
	second := wd["dispatches"].([]any)[0].(map[string]any)["payload"].(map[string]any)
	if in := second["inputs"].(map[string]any); in["source"] != "CLI" {
		t.Fatalf("default input = %v", second["inputs"])
	}

	// Cancel (202, then 409), logs (302 to a zip).
	_, err = c.Actions.CancelWorkflowRunByID(ctx, "admin", "svc", cd.GetID())
	var accepted *github.AcceptedError
	if err != nil && !errors.As(err, &accepted) {
		t.Fatalf("CancelWorkflowRunByID: %v", err)
	}
	if got, _, _ := c.Actions.GetWorkflowRunByID(ctx, "admin", "svc", cd.GetID()); got.GetStatus() != "completed" || got.GetConclusion() != "cancelled" {
		t.Fatalf("after cancel: %s/%s", got.GetStatus(), got.GetConclusion())
	}
	if _, err := c.Actions.CancelWorkflowRunByID(ctx, "admin", "svc", cd.GetID()); err == nil || !strings.Contains(err.Error(), "409") {
		t.Fatalf("second cancel: %v", err)
	}
	logURL, _, err := c.Actions.GetWorkflowRunLogs(ctx, "admin", "svc", cd.GetID(), 0)
	if err != nil {
		t.Fatalf("GetWorkflowRunLogs: %v", err)
	}
	zr := fetchZip(t, logURL.String())
	if len(zr.File) != 2 || zr.File[0].Name != "0_deploy.txt" {
		t.Fatalf("log zip = %v", zr.File)
	}
	// The signed URL is useless once tampered with.
	if r := s.do("GET", strings.TrimPrefix(strings.Replace(logURL.String(), "signature=", "signature=0", 1), s.URL), "", nil); r.Status != 403 {
		t.Fatalf("tampered log URL: %d", r.Status)
	}

	// Re-run makes attempt 2.
	if r := s.do("POST", "/api/v3/repos/admin/svc/actions/runs/"+strconv.FormatInt(cd.GetID(), 10)+"/rerun", s.Token, nil); r.Status != 201 {
		t.Fatalf("rerun: %d %s", r.Status, r.Body)
	}
	if got, _, _ := c.Actions.GetWorkflowRunByID(ctx, "admin", "svc", cd.GetID()); got.GetRunAttempt() != 2 || got.GetStatus() != "queued" {
		t.Fatalf("after rerun: attempt %d %s", got.GetRunAttempt(), got.GetStatus())
	}
	att := s.do("GET", "/api/v3/repos/admin/svc/actions/runs/"+strconv.FormatInt(cd.GetID(), 10)+"/attempts/1", s.Token, nil).JSON(t)
	if att["conclusion"] != "cancelled" || att["run_attempt"] != float64(1) {
		t.Fatalf("attempt 1 = %v %v", att["conclusion"], att["run_attempt"])
	}
	all, _, _ := c.Actions.ListWorkflowJobs(ctx, "admin", "svc", cd.GetID(), &github.ListWorkflowJobsOptions{Filter: "all"})
	if all.GetTotalCount() != 4 {
		t.Fatalf("jobs of all attempts = %d", all.GetTotalCount())
	}
}

func fetchZip(t *testing.T, url string) *zip.Reader {
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip (%d): %v", resp.StatusCode, err)
	}
	return zr
}

// The seeds' own curl examples, as written, against dispatchd.
func TestSeedCurlExamples(t *testing.T) {
	s := startServer(t)
	dispatchRepo(t, s)
	// Seed 003: Bearer, Accept and X-GitHub-Api-Version: 2022-11-28.
	req, _ := http.NewRequest("POST", s.URL+"/api/v3/repos/admin/svc/dispatches",
		strings.NewReader(`{"event_type":"my-event-type","client_payload":{"unit":false,"integration":true}}`))
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("Authorization", "Bearer "+s.Token)
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	if r := s.send(req); r.Status != 204 {
		t.Fatalf("seed 003 curl: %d %s", r.Status, r.Body)
	}
	// Seed 004: -u owner:token with {"ref": "main", "inputs": {...}}.
	req, _ = http.NewRequest("POST", s.URL+"/api/v3/repos/admin/svc/actions/workflows/greet.yml/dispatches",
		strings.NewReader(`{"ref": "main", "inputs": {"source": "Postman"}}`))
	req.SetBasicAuth("admin", s.Token)
	if r := s.send(req); r.Status != 204 {
		t.Fatalf("seed 004 curl: %d %s", r.Status, r.Body)
	}
	runs := s.do("GET", "/api/v3/repos/admin/svc/actions/runs", s.Token, nil).JSON(t)
	// my-event-type matches only any.yml; the workflow_dispatch makes one more.
	if runs["total_count"] != float64(2) {
		t.Fatalf("runs = %v", runs["total_count"])
	}
	// Under API version 2026-03-10 the answer is always 200 with the run.
	req, _ = http.NewRequest("POST", s.URL+"/api/v3/repos/admin/svc/actions/workflows/greet.yml/dispatches", strings.NewReader(`{"ref":"main"}`))
	req.Header.Set("Authorization", "token "+s.Token)
	req.Header.Set("X-GitHub-Api-Version", "2026-03-10")
	if r := s.send(req); r.Status != 200 || r.JSON(t)["workflow_run_id"] == nil {
		t.Fatalf("2026-03-10: %d %s", r.Status, r.Body)
	}
}

func TestIdempotencyKey(t *testing.T) {
	s := startServer(t)
	dispatchRepo(t, s)
	post := func(key, body string) response {
		req, _ := http.NewRequest("POST", s.URL+"/api/v3/repos/admin/svc/dispatches", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.Token)
		req.Header.Set("Idempotency-Key", key)
		return s.send(req)
	}
	body := `{"event_type":"trigger-deploy","client_payload":{"image_tag":"a"}}`
	first := post("k-1", body)
	again := post("k-1", body)
	if first.Status != 204 || again.Status != 204 || first.Header.Get("X-Dispatch-Id") != again.Header.Get("X-Dispatch-Id") ||
		again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %v / %d %v", first.Status, first.Header, again.Status, again.Header)
	}
	if r := post("k-1", `{"event_type":"trigger-deploy","client_payload":{"image_tag":"b"}}`); r.Status != 422 {
		t.Fatalf("same key, other body: %d %s", r.Status, r.Body)
	}
	n := 0 // the setup's git push made a push event
	for _, e := range s.do("GET", "/api/v3/repos/admin/svc/dispatches", s.Token, nil).JSON(t)["dispatches"].([]any) {
		if e.(map[string]any)["event"] == "repository_dispatch" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("repository_dispatch events = %v, want 1", n)
	}
	if r := post("k-2", body); r.Status != 204 || r.Header.Get("X-Dispatch-Id") == first.Header.Get("X-Dispatch-Id") {
		t.Fatalf("new key: %d %v", r.Status, r.Header)
	}
}

func TestDispatchAndWorkflowRunCommands(t *testing.T) {
	s := startServer(t)
	dispatchRepo(t, s)
	out, err := s.run("dispatch", "admin/svc", "trigger-deploy", "-F", "image_tag=sha-7", "-f", "environment=staging")
	if err != nil || !strings.Contains(out, "2 run(s)") || !strings.Contains(out, "Deploy sha-7") || !strings.Contains(out, "/admin/svc/actions/runs/") {
		t.Fatalf("dispatch: %v\n%s", err, out)
	}
	// Only any.yml (no types) listens to other event types.
	out, err = s.run("dispatch", "admin/svc", "other-type")
	if err != nil || !strings.Contains(out, "1 run(s)") || !strings.Contains(out, "any.yml") {
		t.Fatalf("dispatch of another type: %v\n%s", err, out)
	}
	out, err = s.run("workflow", "run", "admin/svc", "greet.yml", "--ref", "main", "-f", "source=cli", "-F", "debug=true")
	if err != nil || !strings.HasPrefix(out, "run ") {
		t.Fatalf("workflow run: %v\n%s", err, out)
	}
	ev := s.do("GET", "/api/v3/repos/admin/svc/dispatches?per_page=1", s.Token, nil).JSON(t)["dispatches"].([]any)[0].(map[string]any)
	if in := ev["payload"].(map[string]any)["inputs"].(map[string]any); in["source"] != "cli" || in["debug"] != "true" {
		t.Fatalf("inputs = %v", in)
	}
	// GitHub's message, and a failing exit status, for a bad input.
	out, err = s.run("workflow", "run", "admin/svc", "greet.yml", "--ref", "main", "-f", "nope=1")
	if err == nil || !strings.Contains(out, `Unexpected inputs provided: ["nope"]`) {
		t.Fatalf("bad input: %v\n%s", err, out)
	}
}
