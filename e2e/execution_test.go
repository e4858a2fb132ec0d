package e2e

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// waitRun polls a run until it has completed, within a bound.
func (s *server) waitRun(repo string, id float64, within time.Duration) map[string]any {
	s.t.Helper()
	path := "/api/v3/repos/" + repo + "/actions/runs/" + strconv.FormatFloat(id, 'f', 0, 64)
	deadline := time.Now().Add(within)
	for {
		run := s.do("GET", path, s.Token, nil).JSON(s.t)
		if run["status"] == "completed" {
			return run
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("run %v still %v after %v", id, run["status"], within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// jobLogs returns the text log of every job of a run, by job name.
func (s *server) jobLogs(repo string, runID float64) map[string]string {
	s.t.Helper()
	jobs := s.do("GET", "/api/v3/repos/"+repo+"/actions/runs/"+strconv.FormatFloat(runID, 'f', 0, 64)+"/jobs", s.Token, nil).JSON(s.t)
	out := map[string]string{}
	for _, j := range jobs["jobs"].([]any) {
		job := j.(map[string]any)
		req, _ := http.NewRequest("GET", s.URL+"/api/v3/repos/"+repo+"/actions/jobs/"+strconv.FormatFloat(job["id"].(float64), 'f', 0, 64)+"/logs", nil)
		req.Header.Set("Authorization", "Bearer "+s.Token)
		resp, err := http.DefaultClient.Do(req) // follows the 302 to the signed URL
		if err != nil {
			s.t.Fatal(err)
		}
		text, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		out[job["name"].(string)] = string(text)
	}
	return out
}

const seedCD = `name: CD Pipeline
on:
  repository_dispatch:
    types: [trigger-deploy]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Deploy Application
        run: |
          echo "Deploying image tag: ${{ github.event.client_payload.image_tag }}"
          echo "Target environment: ${{ github.event.client_payload.environment }}"
          test -f README.md && echo "workspace has the repository"
  verify:
    needs: deploy
    strategy:
      matrix:
        region: [eu, us]
    runs-on: ubuntu-latest
    steps:
      - run: echo "verified ${{ matrix.region }} after ${{ needs.deploy.result }}"
`

const seedWorkflowDispatch = `on:
  workflow_dispatch:
    inputs:
      source:
        description: "Where the API is triggered"
        required: true
        default: "CLI"
jobs:
  print:
    runs-on: ubuntu-latest
    steps:
      - run: echo "Triggered from ${{ github.event.inputs.source }}!"
`

const slowWorkflow = `on: repository_dispatch
jobs:
  slow:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo started
          sleep 60
          echo "not reached"
      - if: always()
        run: echo "cleanup ran"
`

// The seeds' scenarios through the server: dispatch, run, logs over the API.
func TestSeedScenariosRun(t *testing.T) {
	s := startServer(t)
	s.createRepo(s.Token, map[string]any{"name": "deploy", "auto_init": true})
	s.pushFiles("admin/deploy", s.Token, "main", map[string]string{
		".github/workflows/cd.yml":    seedCD,
		".github/workflows/greet.yml": seedWorkflowDispatch,
	})

	r := s.do("POST", "/api/v3/repos/admin/deploy/dispatches", s.Token,
		`{"event_type":"trigger-deploy","client_payload":{"image_tag":"sha-1234567","environment":"production"}}`)
	if r.Status != 204 {
		t.Fatalf("dispatch: %d %s", r.Status, r.Body)
	}
	ev := s.do("GET", "/api/v3/repos/admin/deploy/dispatches/"+r.Header.Get("X-Dispatch-Id"), s.Token, nil).JSON(t)
	runID := ev["workflow_runs"].([]any)[0].(map[string]any)["id"].(float64)
	run := s.waitRun("admin/deploy", runID, 60*time.Second)
	if run["conclusion"] != "success" {
		t.Fatalf("CD run: %v", run["conclusion"])
	}
	logs := s.jobLogs("admin/deploy", runID)
	if !strings.Contains(logs["deploy"], " Deploying image tag: sha-1234567\n") ||
		!strings.Contains(logs["deploy"], " Target environment: production\n") ||
		!strings.Contains(logs["deploy"], " workspace has the repository\n") {
		t.Fatalf("deploy log:\n%s", logs["deploy"])
	}
	for _, region := range []string{"eu", "us"} {
		if !strings.Contains(logs["verify ("+region+")"], " verified "+region+" after success\n") {
			t.Fatalf("verify (%s) log: %v", region, logs)
		}
	}
	jobs := s.do("GET", "/api/v3/repos/admin/deploy/actions/runs/"+strconv.FormatFloat(runID, 'f', 0, 64)+"/jobs", s.Token, nil).JSON(t)
	if jobs["total_count"] != float64(3) {
		t.Fatalf("jobs: %v", jobs["total_count"])
	}
	deploy := jobs["jobs"].([]any)[0].(map[string]any)
	steps := deploy["steps"].([]any)
	if deploy["conclusion"] != "success" || !strings.HasPrefix(deploy["runner_name"].(string), "dispatchd-embedded-") || len(steps) < 3 ||
		steps[len(steps)-2].(map[string]any)["name"] != "Deploy Application" {
		t.Fatalf("deploy job: %v", deploy)
	}

	// The workflow_dispatch seed with the default input.
	r = s.do("POST", "/api/v3/repos/admin/deploy/actions/workflows/greet.yml/dispatches", s.Token, `{"ref":"main","return_run_details":true}`)
	if r.Status != 200 {
		t.Fatalf("workflow dispatch: %d %s", r.Status, r.Body)
	}
	id := r.JSON(t)["workflow_run_id"].(float64)
	if run := s.waitRun("admin/deploy", id, 60*time.Second); run["conclusion"] != "success" {
		t.Fatalf("greet run: %v", run["conclusion"])
	}
	if logs := s.jobLogs("admin/deploy", id); !strings.Contains(logs["print"], " Triggered from CLI!\n") {
		t.Fatalf("print log: %v", logs)
	}

	// And as the seed sends it: curl -u owner:token with the inputs.
	req, _ := http.NewRequest("POST", s.URL+"/api/v3/repos/admin/deploy/actions/workflows/greet.yml/dispatches",
		strings.NewReader(`{"ref": "main", "inputs": {"source": "curl"}}`))
	req.SetBasicAuth("admin", s.Token)
	req.Header.Set("Accept", "application/vnd.github+json")
	if r = s.send(req); r.Status != 204 {
		t.Fatalf("curl -u dispatch: %d %s", r.Status, r.Body)
	}
	ev = s.do("GET", "/api/v3/repos/admin/deploy/dispatches/"+r.Header.Get("X-Dispatch-Id"), s.Token, nil).JSON(t)
	id = ev["workflow_runs"].([]any)[0].(map[string]any)["id"].(float64)
	s.waitRun("admin/deploy", id, 60*time.Second)
	if logs := s.jobLogs("admin/deploy", id); !strings.Contains(logs["print"], " Triggered from curl!\n") {
		t.Fatalf("print log: %v", logs)
	}
}

// Cancelling a run stops its running step; always() steps still run.
func TestCancelStopsARunningStep(t *testing.T) {
	t.Parallel() // mostly waiting on the fixtures' sleeps
	s := startServer(t)
	s.createRepo(s.Token, map[string]any{"name": "slow", "auto_init": true})
	s.pushFiles("admin/slow", s.Token, "main", map[string]string{".github/workflows/slow.yml": slowWorkflow})
	r := s.do("POST", "/api/v3/repos/admin/slow/dispatches", s.Token, `{"event_type":"go"}`)
	ev := s.do("GET", "/api/v3/repos/admin/slow/dispatches/"+r.Header.Get("X-Dispatch-Id"), s.Token, nil).JSON(t)
	runID := ev["workflow_runs"].([]any)[0].(map[string]any)["id"].(float64)
	id := strconv.FormatFloat(runID, 'f', 0, 64)
	// Wait for the step to start, as its log shows.
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(s.jobLogs("admin/slow", runID)["slow"], " started\n") {
		if time.Now().After(deadline) {
			t.Fatal("the step did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r := s.do("POST", "/api/v3/repos/admin/slow/actions/runs/"+id+"/cancel", s.Token, nil); r.Status != 202 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	// The job ends well before its 60 s sleep would have.
	deadline = time.Now().Add(30 * time.Second)
	for {
		jobs := s.do("GET", "/api/v3/repos/admin/slow/actions/runs/"+id+"/jobs", s.Token, nil).JSON(t)
		job := jobs["jobs"].([]any)[0].(map[string]any)
		if job["status"] == "completed" {
			if job["conclusion"] != "cancelled" {
				t.Fatalf("job conclusion %v", job["conclusion"])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the job did not end after cancel")
		}
		time.Sleep(100 * time.Millisecond)
	}
	run := s.do("GET", "/api/v3/repos/admin/slow/actions/runs/"+id, s.Token, nil).JSON(t)
	logs := s.jobLogs("admin/slow", runID)["slow"]
	if run["conclusion"] != "cancelled" || strings.Contains(logs, " not reached\n") || !strings.Contains(logs, " cleanup ran\n") {
		t.Fatalf("after cancel: %v\n%s", run["conclusion"], logs)
	}
}

const flakyWorkflow = `on: repository_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    outputs:
      x: ${{ steps.s.outputs.x }}
    steps:
      - id: s
        run: echo "x=from-a" >> "$GITHUB_OUTPUT"
  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "got ${{ needs.a.outputs.x }} on attempt ${{ github.run_attempt }}"
          test "${{ github.run_attempt }}" != 1
`

// Re-running failed jobs keeps the jobs that succeeded, with their
// outputs, and runs the failed ones again in a new attempt.
func TestRerunFailedJobsKeepsTheOthers(t *testing.T) {
	s := startServer(t)
	s.createRepo(s.Token, map[string]any{"name": "flaky", "auto_init": true})
	s.pushFiles("admin/flaky", s.Token, "main", map[string]string{".github/workflows/flaky.yml": flakyWorkflow})
	r := s.do("POST", "/api/v3/repos/admin/flaky/dispatches", s.Token, `{"event_type":"go"}`)
	ev := s.do("GET", "/api/v3/repos/admin/flaky/dispatches/"+r.Header.Get("X-Dispatch-Id"), s.Token, nil).JSON(t)
	runID := ev["workflow_runs"].([]any)[0].(map[string]any)["id"].(float64)
	id := strconv.FormatFloat(runID, 'f', 0, 64)
	if run := s.waitRun("admin/flaky", runID, 60*time.Second); run["conclusion"] != "failure" {
		t.Fatalf("attempt 1: %v", run["conclusion"])
	}
	first := s.do("GET", "/api/v3/repos/admin/flaky/actions/runs/"+id+"/attempts/1/jobs", s.Token, nil).JSON(t)["jobs"].([]any)
	if r := s.do("POST", "/api/v3/repos/admin/flaky/actions/runs/"+id+"/rerun-failed-jobs", s.Token, nil); r.Status != 201 {
		t.Fatalf("rerun-failed-jobs: %d %s", r.Status, r.Body)
	}
	run := s.waitRun("admin/flaky", runID, 60*time.Second)
	if run["conclusion"] != "success" || run["run_attempt"] != float64(2) {
		t.Fatalf("attempt 2: %v, attempt %v", run["conclusion"], run["run_attempt"])
	}
	second := s.do("GET", "/api/v3/repos/admin/flaky/actions/runs/"+id+"/attempts/2/jobs", s.Token, nil).JSON(t)["jobs"].([]any)
	if len(second) != 2 {
		t.Fatalf("attempt 2 jobs: %v", second)
	}
	a1, a2 := first[0].(map[string]any), second[0].(map[string]any)
	if a2["conclusion"] != "success" || a2["started_at"] != a1["started_at"] {
		t.Fatalf("job a was run again: %v then %v", a1["started_at"], a2["started_at"])
	}
	if log := s.jobLogs("admin/flaky", runID)["b"]; !strings.Contains(log, " got from-a on attempt 2\n") {
		t.Fatalf("b on attempt 2:\n%s", log)
	}
}
