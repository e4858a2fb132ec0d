package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tokenProbe is a workflow whose job tries its GITHUB_TOKEN against the
// API and git, and leaves the token in a file for the test.
func tokenProbe(perms, tokFile string) string {
	return `on:
  repository_dispatch:
    types: [probe]
permissions:
` + perms + `
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - env:
          TOKEN: ${{ secrets.GITHUB_TOKEN }}
          API: ${{ github.api_url }}
          SAME: ${{ github.token == secrets.GITHUB_TOKEN }}
        run: |
          test -f README.md && echo "checked out a private repository"
          printf '%s' "$TOKEN" > ` + tokFile + `
          code() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$@"; }
          echo "own=$(code $API/repos/admin/app) other=$(code $API/repos/admin/other) same=$SAME"
          echo "dispatch=$(code -X POST -d '{"event_type":"next"}' $API/repos/admin/app/dispatches)"
          echo "the token is $TOKEN"
`
}

// A job's GITHUB_TOKEN reaches its own repository (API and git) with the
// workflow's permissions and nothing else, is masked, and dies with the job.
func TestJobToken(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--embedded-runners", "1")
	dir := t.TempDir()
	s.createRepo(s.Token, map[string]any{"name": "other", "private": true})
	s.createRepo(s.Token, map[string]any{"name": "app", "private": true, "auto_init": true})
	for _, c := range []struct {
		perms, dispatch string
	}{
		{"  contents: read", "dispatch=403"},
		{"  contents: write", "dispatch=204"},
	} {
		tokFile := filepath.Join(dir, "token")
		s.pushFiles("admin/app", s.Token, "main", map[string]string{
			".github/workflows/probe.yml": tokenProbe(c.perms, tokFile),
			".github/workflows/next.yml":  "on:\n  repository_dispatch:\n    types: [next]\njobs:\n  n:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo next\n",
		})
		runID := s.dispatchRun("admin/app", "probe")
		run := s.waitRun("admin/app", runID, 60*time.Second)
		log := s.jobLogs("admin/app", runID)["t"]
		if run["conclusion"] != "success" || !strings.Contains(log, "own=200 other=404 same=true") || !strings.Contains(log, c.dispatch) ||
			!strings.Contains(log, "checked out a private repository") || !strings.Contains(log, "the token is ***") {
			t.Fatalf("%s: run %v, log:\n%s", c.perms, run["conclusion"], log)
		}
		token, err := os.ReadFile(tokFile)
		if err != nil || !strings.HasPrefix(string(token), "dsj_") || strings.Contains(log, string(token)) {
			t.Fatalf("token %q (%v) in the log:\n%s", token, err, log)
		}
		// The job ended: its token is refused, by the API and by git.
		if r := s.do("GET", "/api/v3/repos/admin/app", string(token), nil); r.Status != 401 {
			t.Fatalf("token after the job: %d", r.Status)
		}
		req, _ := http.NewRequest("GET", s.URL+"/admin/app.git/info/refs?service=git-upload-pack", nil)
		req.SetBasicAuth("x-access-token", string(token))
		if r := s.send(req); r.Status != 401 {
			t.Fatalf("git with the token after the job: %d", r.Status)
		}
	}
	// The write token's dispatch started the next workflow.
	waitFor(t, "the run the token's dispatch started", 30*time.Second, func() bool {
		runs := s.do("GET", "/api/v3/repos/admin/app/actions/runs?status=success", s.Token, nil).JSON(t)
		for _, r := range runs["workflow_runs"].([]any) {
			if strings.HasSuffix(r.(map[string]any)["path"].(string), "next.yml") {
				return true
			}
		}
		return false
	})
}

// A workflow that dispatches itself with its GITHUB_TOKEN: each run links
// to the run that caused it and back, and the chain stops at its depth
// limit with a 422.
func TestDispatchChainIsLinkedAndBounded(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--embedded-runners", "2", "--max-dispatch-depth", "3")
	s.createRepo(s.Token, map[string]any{"name": "loop", "auto_init": true})
	s.pushFiles("admin/loop", s.Token, "main", map[string]string{".github/workflows/loop.yml": `on:
  repository_dispatch:
    types: [again]
permissions:
  contents: write
jobs:
  again:
    runs-on: ubuntu-latest
    steps:
      - env:
          TOKEN: ${{ secrets.GITHUB_TOKEN }}
        run: |
          echo "dispatch=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
            -X POST -d '{"event_type":"again"}' ${{ github.api_url }}/repos/admin/loop/dispatches)"
`})
	first := s.dispatchRun("admin/loop", "again")
	// The person's dispatch and three more from runs: four runs, the last
	// one refused a fifth.
	var runs []any
	waitFor(t, "the chain to end", 60*time.Second, func() bool {
		runs = s.do("GET", "/api/v3/repos/admin/loop/actions/runs?status=completed", s.Token, nil).JSON(t)["workflow_runs"].([]any)
		return len(runs) == 4
	})
	time.Sleep(time.Second) // a fifth run would have been created by now
	all := s.do("GET", "/api/v3/repos/admin/loop/actions/runs", s.Token, nil).JSON(t)
	if all["total_count"].(float64) != 4 {
		t.Fatalf("%v runs, want 4", all["total_count"])
	}
	last := runs[0].(map[string]any) // newest first
	lastID := last["id"].(float64)
	if log := s.jobLogs("admin/loop", lastID)["again"]; !strings.Contains(log, "dispatch=422") {
		t.Fatalf("last run's log:\n%s", log)
	}
	firstRun := s.do("GET", "/api/v3/repos/admin/loop/actions/runs/"+strconv.FormatFloat(first, 'f', 0, 64), s.Token, nil).JSON(t)
	dispatched := firstRun["dispatched"].([]any)
	if firstRun["caused_by"] != nil || len(dispatched) != 1 || dispatched[0].(map[string]any)["event_type"] != "again" {
		t.Fatalf("first run: caused_by %v, dispatched %v", firstRun["caused_by"], firstRun["dispatched"])
	}
	second := s.do("GET", dispatched[0].(map[string]any)["url"].(string)[len(s.URL):], s.Token, nil).JSON(t)
	cause := second["caused_by"].(map[string]any)
	if cause["kind"] != "github_token" || cause["depth"].(float64) != 1 || cause["run"].(map[string]any)["id"].(float64) != first {
		t.Fatalf("second event caused_by %v", cause)
	}
	lastRun := s.do("GET", "/api/v3/repos/admin/loop/actions/runs/"+strconv.FormatFloat(lastID, 'f', 0, 64), s.Token, nil).JSON(t)
	if c := lastRun["caused_by"].(map[string]any); c["depth"].(float64) != 3 {
		t.Fatalf("last run caused_by %v", c)
	}
}
