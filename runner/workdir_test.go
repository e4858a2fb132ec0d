package runner

import (
	"context"
	"testing"
)

// A relative work directory (serve's default --data is ./dispatchd-data)
// still runs steps: the script and the env files are given to the step,
// which runs in the workspace, by absolute path.
func TestRelativeWorkDir(t *testing.T) {
	job := simpleJob(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - id: s
        run: |
          echo "ran in $PWD"
          echo "v=1" >> "$GITHUB_OUTPUT"
`, "j")
	t.Chdir(t.TempDir())
	job.WorkDir = "relative/work"
	res, _ := runJob(t, context.Background(), job)
	if res.Result != "success" || res.Steps[0].Outputs["v"] != "1" {
		t.Fatalf("result %s, steps %+v", res.Result, res.Steps)
	}
	if job.WorkDir != "relative/work" {
		t.Fatalf("the caller's Job changed: %q", job.WorkDir)
	}
}
