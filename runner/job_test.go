package runner

import (
	"context"
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
)

func TestJobOutputsDropEmptyAndSecret(t *testing.T) {
	job := simpleJob(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    outputs:
      plain: ${{ steps.s.outputs.plain }}
      token: ${{ steps.s.outputs.token }}
      masked: ${{ steps.s.outputs.masked }}
      empty: ${{ steps.s.outputs.nothing }}
      literal: fixed
    steps:
      - id: s
        run: |
          echo "plain=hello" >> "$GITHUB_OUTPUT"
          echo "token=abc-${{ secrets.TOKEN }}-def" >> "$GITHUB_OUTPUT"
          echo "::add-mask::runtime-value"
          echo "masked=runtime-value" >> "$GITHUB_OUTPUT"
`, "j")
	job.Secrets = map[string]string{"TOKEN": "s3cr3t-token"}
	res, rec := runJob(t, context.Background(), job)
	if want := map[string]string{"plain": "hello", "literal": "fixed"}; !reflect.DeepEqual(res.Outputs, want) {
		t.Errorf("outputs %v, want %v", res.Outputs, want)
	}
	post := rec.step(t, 2)
	want := []string{"Evaluate and set job outputs", "Set output 'plain'",
		"##[warning]Skip output 'token' since it may contain secret.",
		"##[warning]Skip output 'masked' since it may contain secret.", "Set output 'literal'"}
	if missing, ok := containsInOrder(post.lines, want); !ok {
		t.Errorf("Complete job lacks %q:\n%s", missing, post.all())
	}
	// The step's own outputs keep the value; the log never shows it.
	if res.Steps[0].Outputs["token"] != "abc-s3cr3t-token-def" {
		t.Errorf("step outputs %v", res.Steps[0].Outputs)
	}
	for n := range 3 {
		if s := rec.step(t, n).all(); strings.Contains(s, "s3cr3t-token") {
			t.Errorf("step %d log leaks a secret:\n%s", n, s)
		}
	}
}

func TestJobOutputsEvaluationError(t *testing.T) {
	res, rec := runInline(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    outputs:
      bad: ${{ fromJSON('{') }}
    steps:
      - run: "true"
`, "j")
	if res.Result != resultFailure || len(res.Outputs) != 0 {
		t.Errorf("result %s outputs %v", res.Result, res.Outputs)
	}
	if post := rec.step(t, 2); post.outcome != resultFailure || !strings.Contains(post.all(), "##[error]Fail to evaluate job outputs") {
		t.Errorf("Complete job %s:\n%s", post.outcome, post.all())
	}
}

func TestSecretsMaskedEverywhere(t *testing.T) {
	const secret = "Pa55-w0rd-x"
	const multi = "first-line-xyz\nsecond-line-xyz"
	job := simpleJob(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - env:
          PW: ${{ secrets.PW }}
          MULTI: ${{ secrets.MULTI }}
        run: |
          echo "plain $PW"
          echo "b64 $(printf 'user:%s' "$PW" | base64)"
          echo "::error title=$PW::bad $PW"
          printf '%s\n' "$MULTI" | tail -1
          echo "## Summary with $PW" >> "$GITHUB_STEP_SUMMARY"
`, "j")
	job.Secrets = map[string]string{"PW": secret, "MULTI": multi}
	res, rec := runJob(t, context.Background(), job)
	log := rec.step(t, 1).all()
	for _, leak := range []string{secret, "second-line-xyz", base64.StdEncoding.EncodeToString([]byte("user:" + secret))} {
		if strings.Contains(log, leak) {
			t.Errorf("log leaks %q:\n%s", leak, log)
		}
	}
	wantOutput(t, rec, 1, "plain ***", "##[error]bad ***", "***")
	if h := strings.Join(rec.step(t, 1).header(), "\n"); !strings.Contains(h, "  PW: ***") {
		t.Errorf("header env not masked:\n%s", h)
	}
	if a := rec.annotations[0]; a.Message != "bad ***" || a.Title != "***" {
		t.Errorf("annotation %+v", a)
	}
	if res.Summary != "## Summary with ***\n" {
		t.Errorf("summary %q", res.Summary)
	}
}

func TestStepSummaries(t *testing.T) {
	res, _ := runInline(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - run: printf '# One' >> "$GITHUB_STEP_SUMMARY"
      - run: echo "nothing"
      - run: |
          echo "overwritten" >> "$GITHUB_STEP_SUMMARY"
          echo "## Two" > "$GITHUB_STEP_SUMMARY"
      - run: |
          echo "deleted" >> "$GITHUB_STEP_SUMMARY"
          rm "$GITHUB_STEP_SUMMARY"
`, "j")
	if res.Summary != "# One\n## Two\n" {
		t.Errorf("summary %q", res.Summary)
	}
}

func TestStepOutputsAndStepsContext(t *testing.T) {
	res, rec := runInline(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - id: a
        run: |
          echo "x=1" >> "$GITHUB_OUTPUT"
          echo "::set-output name=y::from-command"
          echo "y=from-file" >> "$GITHUB_OUTPUT"
          echo "x=2" >> "$GITHUB_OUTPUT"
      - id: skipped
        if: false
        run: echo never
      - if: false
        run: echo never
      - run: echo "no id" >> "$GITHUB_OUTPUT"
        continue-on-error: true
      - run: |
          echo 'steps=${{ toJSON(steps) }}' | tr -d ' \n'; echo
`, "j")
	if want := map[string]string{"x": "2", "y": "from-file"}; !reflect.DeepEqual(res.Steps[0].Outputs, want) {
		t.Errorf("outputs %v", res.Steps[0].Outputs)
	}
	ids := []string{res.Steps[0].ID, res.Steps[1].ID, res.Steps[2].ID, res.Steps[3].ID, res.Steps[4].ID}
	if want := []string{"a", "skipped", "__run", "__run_2", "__run_3"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("ids %v", ids)
	}
	// Generated ids are not in the steps context; a skipped step with an id
	// is. ::set-output applied first, so y comes before x.
	wantOutput(t, rec, 5, `steps={"a":{"outputs":{"y":"from-file","x":"2"},"outcome":"success","conclusion":"success"},"skipped":{"outputs":{},"outcome":"skipped","conclusion":"skipped"}}`)
	wantStep(t, res, 3, resultFailure, resultSuccess) // "no id" is not NAME=VALUE
	wantOutput(t, rec, 4, "##[error]Unable to process file command 'output' successfully.", "##[error]Invalid format 'no id'")
}

func TestEnvFileErrorKeepsEarlierPairs(t *testing.T) {
	res, rec := runInline(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - id: w
        continue-on-error: true
        run: |
          echo "ok=1" >> "$GITHUB_OUTPUT"
          echo "v<<EOF" >> "$GITHUB_OUTPUT"
          echo "unterminated" >> "$GITHUB_OUTPUT"
      - run: echo "ok=${{ steps.w.outputs.ok }} outcome=${{ steps.w.outcome }}"
`, "j")
	wantStep(t, res, 0, resultFailure, resultSuccess)
	wantOutput(t, rec, 1, "##[error]Unable to process file command 'output' successfully.", "##[error]Invalid value. Matching delimiter not found 'EOF'")
	wantOutput(t, rec, 2, "ok=1 outcome=failure")
}

func TestStepIfErrorsAndContinueOnErrorErrors(t *testing.T) {
	res, rec := runInline(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - name: Bad if
        if: secrets.X == 'y'
        run: echo never
      - name: Bad continue-on-error
        if: always()
        continue-on-error: ${{ 'yes' }}
        run: exit 3
      - name: Still runs
        if: failure()
        run: echo "job=${{ job.status }}"
`, "j")
	if res.Result != resultFailure {
		t.Errorf("result %s", res.Result)
	}
	wantStep(t, res, 0, resultFailure, resultFailure)
	wantStep(t, res, 1, resultFailure, resultFailure)
	if log := rec.step(t, 1).all(); !strings.Contains(log, "##[error]Unrecognized named-value: 'secrets'") || strings.Contains(log, "never") {
		t.Errorf("bad if log:\n%s", log)
	}
	wantOutput(t, rec, 2, "##[error]Process completed with exit code 3.",
		"##[error]The step failed and an error occurred when attempting to determine whether to continue on error.",
		"##[error]Unexpected value 'yes'")
	wantOutput(t, rec, 3, "job=failure")
}

func TestSetupFailureSkipsSteps(t *testing.T) {
	res, rec := runInline(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    env:
      BAD: ${{ env.OTHER }}
    steps:
      - run: echo never
      - if: always()
        run: echo never
`, "j")
	if res.Result != resultFailure || len(res.Steps) != 2 {
		t.Fatalf("result %s steps %+v", res.Result, res.Steps)
	}
	wantStep(t, res, 0, resultSkipped, resultSkipped)
	wantStep(t, res, 1, resultSkipped, resultSkipped)
	if s := rec.step(t, 0); s.outcome != resultFailure || !strings.Contains(s.all(), "Unrecognized named-value: 'env'") {
		t.Errorf("Set up job %s:\n%s", s.outcome, s.all())
	}
}

func TestOutputLinesInOrder(t *testing.T) {
	_, rec := runInline(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - run: |
          echo out1; echo err1 >&2; echo out2; echo err2 >&2
          printf 'a\rb\r\nc\n'
          printf 'no newline at end'
`, "j")
	out := rec.step(t, 1).output()
	if want := []string{"out1", "err1", "out2", "err2", "a", "b", "c", "no newline at end"}; !reflect.DeepEqual(out, want) {
		t.Errorf("output %q, want %q", out, want)
	}
}

func TestShellsRun(t *testing.T) {
	res, rec := runInline(t, `
on: workflow_dispatch
defaults:
  run:
    shell: sh
jobs:
  j:
    runs-on: x
    defaults:
      run:
        shell: bash
    steps:
      - shell: python
        run: |
          import os, sys
          print("py", os.path.basename(sys.argv[0]).endswith(".py"))
      - run: echo "${BASH_VERSION:+bash}"
      # .NET splits the arguments: double quotes group, single quotes do not.
      - shell: sh -c "echo custom $0; head -1 $0" {0}
        run: echo hi
      - shell: no-such-shell {0}
        run: echo never
      - working-directory: /
        if: always()
        run: pwd
`, "j")
	wantOutput(t, rec, 1, "py True")
	wantOutput(t, rec, 2, "bash")
	out := rec.step(t, 3).output()
	if len(out) != 2 || !strings.HasPrefix(out[0], "custom /") || out[1] != "echo hi" {
		t.Errorf("custom shell output %q", out)
	}
	wantStep(t, res, 3, resultFailure, resultFailure)
	if log := rec.step(t, 4).all(); !strings.Contains(log, "##[error]no-such-shell: command not found") || strings.Contains(log, "##[endgroup]") {
		t.Errorf("missing shell:\n%s", log)
	}
	wantOutput(t, rec, 5, "/")
}

func TestMissingWorkingDirectory(t *testing.T) {
	job := simpleJob(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - working-directory: nope
        run: echo never
`, "j")
	res, rec := runJob(t, context.Background(), job)
	wantStep(t, res, 0, resultFailure, resultFailure)
	ws := newDirs(job.WorkDir, "octo-org/octo-repo").workspace
	wantOutput(t, rec, 1, "##[error]An error occurred trying to start process '"+which("bash", systemDirs())+
		"' with working directory '"+ws+"/nope'. No such file or directory")
}

func TestNeedsMatrixAndPlainGoContexts(t *testing.T) {
	job := simpleJob(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    strategy:
      matrix:
        os: [linux]
    defaults:
      run:
        working-directory: ${{ matrix.dir }}
    timeout-minutes: ${{ matrix.minutes }}
    steps:
      - run: |
          echo "needs=${{ needs.build.outputs.version }}/${{ needs.build.result }}"
          echo "matrix=${{ matrix.os }} index=${{ strategy.job-index }} total=${{ strategy.job-total }}"
          echo "inputs=${{ inputs.flag }} vars=${{ vars.COLOR }}"
          echo "dir=$(basename "$PWD")"
`, "j")
	job.Contexts["needs"] = map[string]any{"build": map[string]any{"result": "success", "outputs": map[string]string{"version": "1.2.3"}}}
	job.Contexts["matrix"] = map[string]any{"os": "linux", "dir": "/", "minutes": 5}
	job.Contexts["strategy"] = map[string]any{"job-index": 1, "job-total": 2, "fail-fast": true, "max-parallel": 2}
	job.Contexts["inputs"] = map[string]any{"flag": true}
	job.Contexts["vars"] = map[string]string{"COLOR": "blue"}
	res, rec := runJob(t, context.Background(), job)
	if res.Result != resultSuccess {
		t.Fatalf("result %s:\n%s", res.Result, rec.step(t, 1).all())
	}
	wantOutput(t, rec, 1, "needs=1.2.3/success", "matrix=linux index=1 total=2", "inputs=true vars=blue", "dir=/")
}

func TestDisplayNames(t *testing.T) {
	res, rec := runInline(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    env: {WHO: world}
    steps:
      - run: |

          echo "hello ${{ env.WHO }}"
          echo second
      - name: Greet ${{ env.WHO }}
        run: "true"
      - name: |
          first line only
          second line
        run: "true"
      - name: ${{ fromJSON('{') }}
        run: "true"
      - uses: ./somewhere
`, "j")
	names := []string{}
	for _, s := range res.Steps {
		names = append(names, s.Name)
	}
	want := []string{`Run echo "hello world"`, "Greet world", "first line only", "${{ fromJSON('{') }}", "Run ./somewhere"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("names %q, want %q", names, want)
	}
	if got := rec.step(t, 1).lines[0]; got != `##[group]Run echo "hello world"` {
		t.Errorf("header %q", got)
	}
}
