package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// @octokit/rest from npm, pointed at dispatchd by base URL only. `make test`
// installs it (npm ci in e2e/octokit); without it this test fails and says so.
func TestOctokitCompat(t *testing.T) {
	if _, err := os.Stat(filepath.Join("octokit", "node_modules", "@octokit", "rest")); err != nil {
		t.Fatal("@octokit/rest is not installed: run `make test`, or `npm ci` in e2e/octokit")
	}
	s := startServer(t, noRunners...)
	dispatchRepo(t, s)
	cmd := exec.Command("node", "compat.mjs")
	cmd.Dir = "octokit"
	cmd.Env = append(os.Environ(), "DISPATCHD_URL="+s.URL, "DISPATCHD_TOKEN="+s.Token, "OWNER=admin", "REPO=svc")
	var stderr strings.Builder
	cmd.Stderr = &stderr // octokit logs failed requests there
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node compat.mjs: %v\n%s%s", err, out, stderr.String())
	}
	var got struct {
		Dispatch struct {
			Status int
			ID     string
		}
		WorkflowDispatch struct{ Status int } `json:"workflowDispatch"`
		GreetRuns        int                  `json:"greetRuns"`
		Run              struct {
			ID           int64
			Event        string
			Status       string
			DisplayTitle string `json:"display_title"`
			HeadBranch   string `json:"head_branch"`
			RunNumber    int    `json:"run_number"`
		}
		DispatchRuns []string `json:"dispatchRuns"`
		Bad          struct {
			Status  int
			Message string
		}
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("output: %v\n%s", err, out)
	}
	if got.Dispatch.Status != 204 || got.Dispatch.ID == "" || got.WorkflowDispatch.Status != 204 || got.GreetRuns != 1 ||
		got.Run.Event != "workflow_dispatch" || got.Run.Status != "queued" || got.Run.DisplayTitle != "Greet" ||
		got.Run.HeadBranch != "main" || got.Run.RunNumber != 1 {
		t.Fatalf("octokit saw %+v", got)
	}
	if strings.Join(got.DispatchRuns, "|") != ".github/workflows/any.yml|Deploy sha-octokit" {
		t.Fatalf("repository_dispatch runs = %v", got.DispatchRuns)
	}
	if got.Bad.Status != 422 || !strings.HasPrefix(got.Bad.Message, "Invalid request.") {
		t.Fatalf("bad dispatch through octokit = %+v", got.Bad)
	}
}
