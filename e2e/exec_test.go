package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// execRepo makes a local git repository with the seeds' workflows.
func execRepo(t *testing.T) string {
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	writeFile(t, dir, ".github/workflows/cd.yml", `name: CD Pipeline
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
          test -f README.md && echo "checked out"
          echo "token=${{ secrets.DEPLOY_TOKEN }}"
  verify:
    needs: deploy
    strategy:
      matrix:
        region: [eu, us]
    runs-on: ubuntu-latest
    steps:
      - run: echo "verify ${{ matrix.region }}"
`)
	writeFile(t, dir, ".github/workflows/greet.yml", `on:
  workflow_dispatch:
    inputs:
      source:
        description: "Where the API is triggered"
        required: true
        default: "CLI"
      fail:
        type: boolean
jobs:
  print:
    runs-on: ubuntu-latest
    steps:
      - run: echo "Triggered from ${{ github.event.inputs.source }}!"
      - if: inputs.fail
        run: exit 3
`)
	writeFile(t, dir, "README.md", "# app\n")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "init")
	return dir
}

func runExec(t *testing.T, dir string, args ...string) (string, int) {
	cmd := exec.Command(binary, append([]string{"exec"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func TestExecRepositoryDispatch(t *testing.T) {
	dir := execRepo(t)
	result := filepath.Join(t.TempDir(), "result.json")
	out, code := runExec(t, dir, "repository_dispatch", "--event-type", "trigger-deploy",
		"--client-payload", `{"image_tag":"sha-1234567","environment":"production"}`,
		"--secret", "DEPLOY_TOKEN=s3cr3t-value", "--json", result)
	for _, want := range []string{
		"deploy | Deploying image tag: sha-1234567",
		"deploy | Target environment: production",
		"deploy | checked out",
		"deploy | token=***",
		"deploy | Job success",
		"verify (eu) | verify eu",
		"verify (us) | verify us",
		"verify (us) | Job success",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("output lacks %q", want)
		}
	}
	if code != 0 || !strings.HasSuffix(out, "Run success\n") || strings.Contains(out, "s3cr3t-value") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
	data, err := os.ReadFile(result)
	if err != nil {
		t.Fatal(err)
	}
	var runs []struct {
		Workflow   string `json:"workflow"`
		Conclusion string `json:"conclusion"`
		Jobs       []struct {
			Key    string
			Result string
			Legs   []struct {
				Steps []struct{ Name, Outcome string }
			}
		} `json:"jobs"`
	}
	if err := json.Unmarshal(data, &runs); err != nil || len(runs) != 1 || runs[0].Conclusion != "success" ||
		len(runs[0].Jobs) != 2 || len(runs[0].Jobs[1].Legs) != 2 || runs[0].Jobs[0].Legs[0].Steps[1].Name != "Deploy Application" {
		t.Fatalf("--json: %v\n%s", err, data)
	}
	// Another event type triggers nothing, and says so.
	out, code = runExec(t, dir, "repository_dispatch", "--event-type", "other")
	if code != 0 || !strings.Contains(out, "No workflow") {
		t.Fatalf("nothing triggered: exit %d\n%s", code, out)
	}
}

func TestExecWorkflowDispatch(t *testing.T) {
	dir := execRepo(t)
	out, code := runExec(t, dir, "workflow_dispatch", "-W", ".github/workflows/greet.yml")
	if code != 0 || !strings.Contains(out, "print | Triggered from CLI!\n") || !strings.HasSuffix(out, "Run success\n") {
		t.Fatalf("default input: exit %d\n%s", code, out)
	}
	out, code = runExec(t, dir, "workflow_dispatch", "-W", ".github/workflows/greet.yml", "-f", "source=tests", "-f", "fail=true")
	if code != 1 || !strings.Contains(out, "print | Triggered from tests!\n") || !strings.Contains(out, "print | Job failure\n") ||
		!strings.HasSuffix(out, "Run failure\n") {
		t.Fatalf("failing run: exit %d\n%s", code, out)
	}
	out, code = runExec(t, dir, "workflow_dispatch", "-W", ".github/workflows/greet.yml", "-f", "nope=1")
	if code != 2 || !strings.Contains(out, `Unexpected inputs provided: ["nope"]`) {
		t.Fatalf("bad input: exit %d\n%s", code, out)
	}
	out, code = runExec(t, dir, "workflow_dispatch", "-W", ".github/workflows/cd.yml")
	if code != 2 || !strings.Contains(out, "Workflow does not have 'workflow_dispatch' trigger") {
		t.Fatalf("no trigger: exit %d\n%s", code, out)
	}
}
