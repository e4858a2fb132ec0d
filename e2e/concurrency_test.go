package e2e

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// The fixture refs_runname_concurrency's three dispatches into one
// workflow concurrency group, through the server: the first runs, the
// second waits and is replaced by the third, which runs after the first.
func TestRunConcurrencyGroup(t *testing.T) {
	t.Parallel() // mostly waiting on the fixtures' sleeps
	src, err := os.ReadFile("../testdata/workflows/refs_runname_concurrency.yml")
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t)
	s.createRepo(s.Token, map[string]any{"name": "locks", "auto_init": true})
	s.pushFiles("admin/locks", s.Token, "main", map[string]string{".github/workflows/refs.yml": string(src)})
	dispatch := func() float64 {
		r := s.do("POST", "/api/v3/repos/admin/locks/actions/workflows/refs.yml/dispatches", s.Token, `{"ref":"main","return_run_details":true}`)
		if r.Status != 200 {
			t.Fatalf("dispatch: %d %s", r.Status, r.Body)
		}
		return r.JSON(t)["workflow_run_id"].(float64)
	}
	runPath := func(id float64) string {
		return "/api/v3/repos/admin/locks/actions/runs/" + strconv.FormatFloat(id, 'f', 0, 64)
	}
	first := dispatch()
	deadline := time.Now().Add(30 * time.Second)
	for s.do("GET", runPath(first), s.Token, nil).JSON(t)["status"] != "in_progress" {
		if time.Now().After(deadline) {
			t.Fatal("the first run did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	second, third := dispatch(), dispatch()
	r1 := s.waitRun("admin/locks", first, 90*time.Second)
	r2 := s.waitRun("admin/locks", second, 90*time.Second)
	r3 := s.waitRun("admin/locks", third, 90*time.Second)
	if r1["conclusion"] != "success" || r2["conclusion"] != "cancelled" || r3["conclusion"] != "success" {
		t.Fatalf("conclusions: %v %v %v", r1["conclusion"], r2["conclusion"], r3["conclusion"])
	}
	if r1["display_title"] != "manual (none)" {
		t.Fatalf("run-name: %v", r1["display_title"])
	}
	ended, _ := time.Parse(time.RFC3339, r1["updated_at"].(string))
	started, _ := time.Parse(time.RFC3339, r3["run_started_at"].(string))
	if started.Before(ended) {
		t.Fatalf("the third run started at %v, before the first ended at %v", started, ended)
	}
}

// github.run_id and run_number in run-name and in the concurrency group are
// the run's own: the common `${{ github.head_ref || github.run_id }}` group
// gives each dispatched run its own group, so none cancels another.
func TestRunIDInRunNameAndGroup(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--embedded-runners", "2")
	s.createRepo(s.Token, map[string]any{"name": "ids", "auto_init": true})
	s.pushFiles("admin/ids", s.Token, "main", map[string]string{".github/workflows/ids.yml": `name: Deploy
run-name: "Deploy #${{ github.run_number }} (run ${{ github.run_id }})"
on: repository_dispatch
concurrency:
  group: ${{ github.workflow }}-${{ github.head_ref || github.run_id }}
  cancel-in-progress: true
jobs:
  d:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 1
`})
	first, second := s.dispatchRun("admin/ids", "go"), s.dispatchRun("admin/ids", "go")
	for i, id := range []float64{first, second} {
		run := s.waitRun("admin/ids", id, 60*time.Second)
		want := fmt.Sprintf("Deploy #%d (run %.0f)", i+1, id)
		if run["conclusion"] != "success" || run["display_title"] != want {
			t.Fatalf("run %.0f: %v %q, want success %q", id, run["conclusion"], run["display_title"], want)
		}
	}
}
