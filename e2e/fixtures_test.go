package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dispatchd/dispatchd/internal/fixture"
)

// Every fixture case through the server: the fixture's repository and actor
// exist, each case is dispatched over the API, and results, steps and log
// lines are read back over the API. What the fixtures assume of github.com
// (commit SHAs, server URLs) is mapped to this server's values.
func TestFixturesThroughServer(t *testing.T) {
	t.Parallel() // mostly waiting on the fixtures' sleeps
	files, err := fixture.Load("../testdata/workflows")
	if err != nil || len(files) < 12 {
		t.Fatalf("fixtures: %d, %v", len(files), err)
	}
	s := startServer(t, "--embedded-runners", "4")
	s.admin("user", "create", "octocat")
	s.admin("org", "create", "octo-org", "--owner", "octocat")
	tok := strings.TrimSpace(s.admin("token", "create", "--user", "octocat", "--scopes", "repo,workflow"))
	if r := s.do("POST", "/api/v3/orgs/octo-org/repos", tok, map[string]any{"name": "octo-repo", "auto_init": true}); r.Status != 201 {
		t.Fatalf("create repo: %d %s", r.Status, r.Body)
	}
	wfs := map[string]string{}
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join("../testdata/workflows", f.Workflow))
		if err != nil {
			t.Fatal(err)
		}
		wfs[".github/workflows/"+f.Workflow] = string(src)
	}
	shas := pushFixtureRefs(t, s, tok, wfs)
	for _, f := range files {
		for _, c := range f.Cases {
			f, c := f, c
			if len(c.Trigger.Sequence) > 0 {
				continue // TestRunConcurrencyGroup runs this case
			}
			t.Run(strings.TrimSuffix(f.Workflow, ".yml")+"/"+c.Name, func(t *testing.T) {
				// A repository_dispatch also starts every other workflow that
				// listens to all types, some in a concurrency group; run in
				// parallel, a later one could replace a case's pending run.
				// Each waits for its run, so they go one at a time.
				if c.Trigger.Event == "workflow_dispatch" {
					t.Parallel()
				}
				runServerCase(t, s, tok, f.Workflow, c, shas)
			})
		}
	}
}

// pushFixtureRefs pushes the workflows to main, release/v1 and the tag
// v1.2.0, and maps each fixture SHA to the real one.
func pushFixtureRefs(t *testing.T, s *server, tok string, wfs map[string]string) map[string]string {
	dir := t.TempDir()
	git(t, dir, "clone", "-q", s.cloneURL("octo-org/octo-repo", "octocat", tok), "w")
	w := filepath.Join(dir, "w")
	for name, src := range wfs {
		writeFile(t, w, name, src)
	}
	git(t, w, "add", "-A")
	git(t, w, "commit", "-q", "-m", "fixtures")
	git(t, w, "tag", "v1.2.0")
	git(t, w, "commit", "-q", "--allow-empty", "-m", "release")
	git(t, w, "branch", "release/v1")
	git(t, w, "commit", "-q", "--allow-empty", "-m", "main")
	git(t, w, "push", "-q", "origin", "main", "release/v1", "v1.2.0")
	out := map[string]string{}
	for ref, want := range fixture.Refs {
		out[want] = strings.TrimSpace(git(t, w, "rev-parse", ref+"^{commit}"))
	}
	return out
}

func runServerCase(t *testing.T, s *server, tok, file string, c fixture.Case, shas map[string]string) {
	strict := c.IsStrict()
	fail := func(format string, args ...any) {
		t.Helper()
		if strict {
			t.Errorf(format, args...)
		} else {
			t.Logf("strict: false, not failing: "+format, args...)
		}
	}
	var r response
	if c.Trigger.Event == "repository_dispatch" {
		body, _ := json.Marshal(map[string]any{"event_type": c.Trigger.EventType, "client_payload": c.Trigger.ClientPayload})
		r = s.do("POST", "/api/v3/repos/octo-org/octo-repo/dispatches", tok, body)
	} else {
		req := map[string]any{"ref": c.Trigger.Ref}
		if c.Trigger.Inputs != nil {
			req["inputs"] = c.Trigger.Inputs
		}
		body, _ := json.Marshal(req)
		r = s.do("POST", "/api/v3/repos/octo-org/octo-repo/actions/workflows/"+file+"/dispatches", tok, body)
	}
	if want := c.Expect.DispatchRejected; want != nil {
		msg, _ := r.JSON(t)["message"].(string)
		if r.Status != 422 || (want.Message != "" && msg != want.Message) ||
			(want.MessageLike != "" && !strings.Contains(strings.ToLower(msg), strings.ToLower(want.MessageLike))) {
			fail("dispatch: %d %q, want 422 %+v", r.Status, msg, *want)
		}
		return
	}
	if r.Status != 204 {
		t.Fatalf("dispatch: %d %s", r.Status, r.Body)
	}
	ev := s.do("GET", "/api/v3/repos/octo-org/octo-repo/dispatches/"+r.Header.Get("X-Dispatch-Id"), tok, nil).JSON(t)
	var runID float64
	for _, run := range ev["workflow_runs"].([]any) {
		if m := run.(map[string]any); m["path"] == ".github/workflows/"+file {
			runID = m["id"].(float64)
		}
	}
	if c.Expect.RunCreated != nil && !*c.Expect.RunCreated {
		if runID != 0 {
			fail("a run was created")
		}
		return
	}
	if runID == 0 {
		fail("no run of %s", file)
		return
	}
	run := s.waitRun("octo-org/octo-repo", runID, 3*time.Minute)
	if c.Expect.Conclusion != "" && run["conclusion"] != c.Expect.Conclusion {
		fail("conclusion %v, want %s", run["conclusion"], c.Expect.Conclusion)
	}
	mapped := func(line string) string {
		for fake, real := range shas {
			line = strings.ReplaceAll(line, fake, real)
		}
		line = strings.ReplaceAll(line, "https://api.github.com/graphql", s.URL+"/api/graphql")
		line = strings.ReplaceAll(line, "https://api.github.com", s.URL+"/api/v3")
		return strings.ReplaceAll(line, "https://github.com", s.URL)
	}
	jobs := s.do("GET", "/api/v3/repos/octo-org/octo-repo/actions/runs/"+strconv.FormatFloat(runID, 'f', 0, 64)+"/jobs", tok, nil).JSON(t)
	byName := map[string]map[string]any{}
	for _, j := range jobs["jobs"].([]any) {
		byName[j.(map[string]any)["name"].(string)] = j.(map[string]any)
	}
	logs := s.jobLogs("octo-org/octo-repo", runID)
	for key, want := range c.Expect.Jobs {
		job := byName[key]
		if job == nil || len(want.MatrixJobs) > 0 {
			continue // matrix legs are named after their values; the engine's test checks them
		}
		if want.Result != "" && job["conclusion"] != want.Result {
			fail("job %s: %v, want %s", key, job["conclusion"], want.Result)
		}
		checkServerSteps(fail, key, want.Steps, job, logs[key], mapped)
	}
}

// checkServerSteps compares the jobs API's steps (after "Set up job") and
// the job's log with the expected steps.
func checkServerSteps(fail func(string, ...any), key string, want []fixture.Step, job map[string]any, log string, mapped func(string) string) {
	steps, _ := job["steps"].([]any)
	names := map[string]string{}
	for _, st := range steps {
		m := st.(map[string]any)
		conclusion, _ := m["conclusion"].(string)
		names[m["name"].(string)] = conclusion
	}
	var lines []string
	for _, l := range strings.Split(log, "\n") {
		if _, text, ok := strings.Cut(l, " "); ok {
			lines = append(lines, text)
		}
	}
	for _, sw := range want {
		if got, ok := names[sw.Name]; !ok {
			fail("job %s: no step %q among %v", key, sw.Name, names)
		} else if sw.Conclusion != "" && got != sw.Conclusion {
			fail("job %s step %q: %s, want %s", key, sw.Name, got, sw.Conclusion)
		}
		i := 0
		for _, l := range lines {
			if i < len(sw.OutputContains) && l == mapped(sw.OutputContains[i]) {
				i++
			}
		}
		if i != len(sw.OutputContains) {
			fail("job %s step %q: log lacks %q", key, sw.Name, sw.OutputContains[i])
		}
	}
}
