package runner

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dispatchd/dispatchd/expr"
)

func TestEnvPrecedenceAndGitHubEnv(t *testing.T) {
	res, rec := runInline(t, `
on: workflow_dispatch
env: {A: workflow, B: workflow, C: workflow}
jobs:
  j:
    runs-on: x
    env: {B: job, C: job}
    steps:
      - run: |
          echo "C=from-env-file" >> "$GITHUB_ENV"
          echo "GITHUB_SHA=hijacked" >> "$GITHUB_ENV"
          echo "CI=from-env-file" >> "$GITHUB_ENV"
          echo "NODE_OPTIONS=--inspect" >> "$GITHUB_ENV"
          { echo 'MULTI<<END'; echo 'one'; echo 'two'; echo 'END'; } >> "$GITHUB_ENV"
          echo "same-step C=$C"
      - env: {C: step}
        run: |
          echo "A=$A B=$B C=$C ctx=${{ env.C }} sha=$GITHUB_SHA ctxsha=${{ env.GITHUB_SHA }} CI=$CI"
          echo "multi=${{ env.MULTI }}" | head -1
          echo "node=[${NODE_OPTIONS:-}]"
      - run: echo "C=$C ctx=${{ env.C }}"
`, "j")
	if res.Result != resultSuccess {
		t.Fatalf("result %s", res.Result)
	}
	wantOutput(t, rec, 1, "same-step C=job", "##[error]Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.")
	wantOutput(t, rec, 2, "A=workflow B=job C=step ctx=step sha="+mainSHA+" ctxsha=hijacked CI=from-env-file", "multi=one", "node=[]")
	wantOutput(t, rec, 3, "C=from-env-file ctx=from-env-file")
	// The header lists the env context: workflow, job, GITHUB_ENV, step.
	if h := strings.Join(rec.step(t, 2).header(), "\n"); !strings.Contains(h, "env:\n  A: workflow\n  B: job\n  C: step\n  GITHUB_SHA: hijacked") {
		t.Errorf("env block:\n%s", h)
	}
	wantStep(t, res, 0, resultSuccess, resultSuccess) // NODE_OPTIONS is an error annotation only
}

func TestEnvEntriesCannotSeeEachOther(t *testing.T) {
	_, rec := runInline(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    env: {X: job}
    steps:
      - env:
          X: step
          Y: "${{ env.X }}"
        run: echo "Y=$Y"
`, "j")
	wantOutput(t, rec, 1, "Y=job")
}

func TestGitHubPath(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"a", "b"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
		// The same tool in both: the latest GITHUB_PATH entry must win.
		script := "#!/bin/sh\necho tool-from-" + d + "\n"
		if err := os.WriteFile(filepath.Join(dir, d, "mytool"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A shell found through GITHUB_PATH.
	if err := os.WriteFile(filepath.Join(dir, "b", "mysh"), []byte("#!/bin/sh\necho mysh-runs \"$1\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	res, rec := runInline(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - run: |
          echo "`+dir+`/a" >> "$GITHUB_PATH"
          echo "`+dir+`/b" >> "$GITHUB_PATH"
          mytool || echo "not yet"
      - run: |
          mytool
          echo "`+dir+`/a" >> "$GITHUB_PATH"
      - run: |
          mytool
          echo "$PATH" | cut -d: -f1-2
      - shell: mysh {0}
        run: ignored
`, "j")
	if res.Result != resultSuccess {
		t.Fatalf("result %s", res.Result)
	}
	wantOutput(t, rec, 1, "not yet")
	wantOutput(t, rec, 2, "tool-from-b")
	wantOutput(t, rec, 3, "tool-from-a", dir+"/a:"+dir+"/b")
	out := rec.step(t, 4).output()
	if len(out) != 1 || !strings.HasPrefix(out[0], "mysh-runs ") {
		t.Errorf("custom shell from GITHUB_PATH: %q", out)
	}
}

func TestPrependPath(t *testing.T) {
	var e []string
	for _, d := range []string{"/a", "/b", "/a", "/c"} {
		e = addPathEntry(e, d)
	}
	if want := []string{"/b", "/a", "/c"}; !reflect.DeepEqual(e, want) {
		t.Errorf("entries %v", e)
	}
	if got := prependPath(e, "/usr/bin:/bin"); got != "/c:/a:/b:/usr/bin:/bin" {
		t.Errorf("PATH %q", got)
	}
	if got := prependPath(nil, "/usr/bin"); got != "/usr/bin" {
		t.Errorf("PATH %q", got)
	}
}

func TestProcessEnvLayers(t *testing.T) {
	step := newEnvList()
	step.set("CI", "custom")
	step.set("GITHUB_REF", "hijacked")
	step.set("PATH", "/step/bin")
	step.set("X", "1")
	fixed := newEnvList()
	fixed.set("GITHUB_REF", "refs/heads/main")
	env := parseEnviron(processEnv([]string{"PATH=/usr/bin", "HOME=/h", "X=0"}, step, nil, []string{"/p1", "/p2"}, fixed))
	want := map[string]string{"CI": "custom", "GITHUB_REF": "refs/heads/main", "PATH": "/p2:/p1:/step/bin", "HOME": "/h", "X": "1"}
	for k, v := range want {
		if got, _ := env.get(k); got != v {
			t.Errorf("%s=%q, want %q", k, got, v)
		}
	}
}

func TestDefaultVars(t *testing.T) {
	g := expr.NewObject()
	g.Set("ref", "refs/heads/main")
	g.Set("ref_protected", false)
	g.Set("run_id", float64(42))
	g.Set("event", expr.NewObject())  // not exported
	g.Set("secret_source", "Actions") // not in the allow-list
	g.Set("action_path", "/x/action")
	r := runnerContext(newDirs("/w", "o/r"), true)
	v := defaultVars(g, r)
	want := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/heads/main", "GITHUB_REF_PROTECTED": "false", "GITHUB_RUN_ID": "42",
		"GITHUB_ACTION_PATH": "/x/action", "RUNNER_OS": "Linux", "RUNNER_TEMP": "/w/_temp", "RUNNER_TOOL_CACHE": "/w/_tool",
		"RUNNER_DEBUG": "1", "RUNNER_NAME": runnerName, "RUNNER_WORKSPACE": "/w/r",
	}
	for k, w := range want {
		if got, _ := v.get(k); got != w {
			t.Errorf("%s=%q, want %q", k, got, w)
		}
	}
	for _, k := range []string{"GITHUB_EVENT", "GITHUB_SECRET_SOURCE"} {
		if _, ok := v.get(k); ok {
			t.Errorf("%s must not be exported", k)
		}
	}
}
