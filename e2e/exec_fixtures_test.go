package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dispatchd/dispatchd/internal/fixture"
)

// execResult is what dispatchd exec --json writes.
type execResult []struct {
	Conclusion string `json:"conclusion"`
	Jobs       []struct {
		Key     string
		Result  string
		Outputs map[string]string
		Legs    []struct {
			Name  string
			Steps []struct {
				Name, Outcome, Conclusion string
				Outputs                   map[string]string
			}
		}
	} `json:"jobs"`
}

// Every fixture case through dispatchd exec, the CLI, in a local checkout
// with the fixtures' refs; their assumed SHAs are mapped to the real ones.
func TestFixturesThroughExec(t *testing.T) {
	t.Parallel() // mostly waiting on the fixtures' sleeps
	files, err := fixture.Load("../testdata/workflows")
	if err != nil || len(files) < 12 {
		t.Fatalf("fixtures: %d, %v", len(files), err)
	}
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join("../testdata/workflows", f.Workflow))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, dir, ".github/workflows/"+f.Workflow, string(src))
	}
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "fixtures")
	git(t, dir, "tag", "v1.2.0")
	git(t, dir, "commit", "-q", "--allow-empty", "-m", "release")
	git(t, dir, "branch", "release/v1")
	git(t, dir, "commit", "-q", "--allow-empty", "-m", "main")
	shas := map[string]string{}
	for ref, fake := range fixture.Refs {
		shas[fake] = strings.TrimSpace(git(t, dir, "rev-parse", ref+"^{commit}"))
	}
	for _, f := range files {
		for _, c := range f.Cases {
			f, c := f, c
			if len(c.Trigger.Sequence) > 0 {
				continue // several runs in one group: the server's (TestRunConcurrencyGroup)
			}
			t.Run(strings.TrimSuffix(f.Workflow, ".yml")+"/"+c.Name, func(t *testing.T) {
				t.Parallel()
				runExecCase(t, dir, f.Workflow, c, shas)
			})
		}
	}
}

func execArgs(file string, c fixture.Case, jsonOut string) []string {
	args := []string{"exec", c.Trigger.Event, "-W", ".github/workflows/" + file, "--repository", "octo-org/octo-repo",
		"--actor", "octocat", "--json", jsonOut}
	if c.Trigger.Event == "repository_dispatch" {
		args = append(args, "--event-type", c.Trigger.EventType)
		if len(c.Trigger.ClientPayload) > 0 {
			args = append(args, "--client-payload", string(c.Trigger.ClientPayload))
		}
	} else {
		args = append(args, "--ref", c.Trigger.Ref)
		for k, v := range c.Trigger.Inputs {
			args = append(args, "-f", fmt.Sprintf("%s=%v", k, v))
		}
	}
	for k, v := range c.Secrets {
		args = append(args, "--secret", k+"="+v)
	}
	return args
}

func runExecCase(t *testing.T, dir, file string, c fixture.Case, shas map[string]string) {
	fail := t.Errorf
	if !c.IsStrict() {
		fail = func(format string, args ...any) { t.Logf("strict: false, not failing: "+format, args...) }
	}
	jsonOut := filepath.Join(t.TempDir(), "result.json")
	cmd := exec.Command(binary, execArgs(file, c, jsonOut)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null")
	out, _ := cmd.CombinedOutput()
	code := cmd.ProcessState.ExitCode()
	if want := c.Expect.DispatchRejected; want != nil {
		text := strings.ToLower(string(out))
		if code != 2 || (want.Message != "" && !strings.Contains(string(out), want.Message)) ||
			(want.MessageLike != "" && !strings.Contains(text, strings.ToLower(want.MessageLike))) {
			fail("exit %d, want 2 with %+v:\n%s", code, *want, out)
		}
		return
	}
	if c.Expect.RunCreated != nil && !*c.Expect.RunCreated {
		if code != 0 || !strings.Contains(string(out), "No workflow") {
			fail("exit %d, want no run:\n%s", code, out)
		}
		return
	}
	var res execResult
	data, err := os.ReadFile(jsonOut)
	if err != nil || json.Unmarshal(data, &res) != nil || len(res) != 1 {
		t.Fatalf("exit %d, --json %q: %v\n%s", code, data, err, out)
	}
	if c.Expect.Conclusion != "" && res[0].Conclusion != c.Expect.Conclusion {
		fail("conclusion %s, want %s", res[0].Conclusion, c.Expect.Conclusion)
	}
	if (res[0].Conclusion == "success") != (code == 0) {
		fail("exit %d for a %s run", code, res[0].Conclusion)
	}
	for _, j := range res[0].Jobs {
		want := c.Expect.Jobs[j.Key]
		if want == nil || len(want.MatrixJobs) > 0 || len(j.Legs) != 1 {
			continue // matrix legs: the engine's fixture test checks them
		}
		if want.Result != "" && j.Result != want.Result {
			fail("job %s: %s, want %s", j.Key, j.Result, want.Result)
		}
		for k, v := range want.Outputs {
			if j.Outputs[k] != v {
				fail("job %s output %s = %q, want %q", j.Key, k, j.Outputs[k], v)
			}
		}
		leg := j.Legs[0]
		if len(want.Steps) > 0 && len(leg.Steps) != len(want.Steps) {
			fail("job %s: %d steps, want %d", j.Key, len(leg.Steps), len(want.Steps))
			continue
		}
		var lines []string
		for _, l := range strings.Split(string(out), "\n") {
			if text, ok := strings.CutPrefix(l, leg.Name+" | "); ok {
				lines = append(lines, text)
			}
		}
		for i, sw := range want.Steps {
			st := leg.Steps[i]
			if st.Name != sw.Name || (sw.Outcome != "" && st.Outcome != sw.Outcome) || (sw.Conclusion != "" && st.Conclusion != sw.Conclusion) {
				fail("job %s step %d: %+v, want %q %s/%s", j.Key, i+1, st, sw.Name, sw.Outcome, sw.Conclusion)
			}
			n := 0
			for _, l := range lines {
				if n < len(sw.OutputContains) && l == mapSHAs(sw.OutputContains[n], shas) {
					n++
				}
			}
			if n != len(sw.OutputContains) {
				fail("job %s step %q: output lacks %q", j.Key, sw.Name, sw.OutputContains[n])
			}
		}
	}
}

func mapSHAs(line string, shas map[string]string) string {
	for fake, real := range shas {
		line = strings.ReplaceAll(line, fake, real)
	}
	return line
}
