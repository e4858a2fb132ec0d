package runner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dispatchd/dispatchd/workflow"
)

func TestCheckoutBuiltin(t *testing.T) {
	job := simpleJob(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
      - uses: actions/checkout@main
        with:
          repository: other/tools
          ref: v2
          fetch-depth: 0
          path: tools
      - run: ls; ls tools; echo "action=$GITHUB_ACTION"
      - uses: actions/checkout@v4
        if: always()
        with:
          path: ../outside
      - uses: actions/checkout@v4
        if: always()
        with:
          fetch-depth: many
`, "j")
	fake := &fakeCheckout{}
	job.Checkout = fake
	res, rec := runJob(t, context.Background(), job)
	ws := newDirs(job.WorkDir, "octo-org/octo-repo").workspace
	want := []CheckoutOptions{{FetchDepth: 1}, {Repository: "other/tools", Ref: "v2", FetchDepth: 0}}
	if !reflect.DeepEqual(fake.calls, want) || !reflect.DeepEqual(fake.dirs, []string{ws, filepath.Join(ws, "tools")}) {
		t.Errorf("calls %+v in %v", fake.calls, fake.dirs)
	}
	wantStep(t, res, 0, resultSuccess, resultSuccess)
	wantStep(t, res, 1, resultSuccess, resultSuccess)
	wantOutput(t, rec, 3, "README.md", "tools", "README.md", "action=__run")
	if res.Steps[0].ID != "__actions_checkout" || res.Steps[1].ID != "__actions_checkout_2" {
		t.Errorf("ids %s %s", res.Steps[0].ID, res.Steps[1].ID)
	}
	if h := rec.step(t, 2).header(); !reflect.DeepEqual(h, []string{"##[group]Run actions/checkout@main", "with:",
		"  repository: other/tools", "  ref: v2", "  fetch-depth: 0", "  path: tools", "##[endgroup]"}) {
		t.Errorf("header %q", h)
	}
	wantStep(t, res, 3, resultFailure, resultFailure)
	wantOutput(t, rec, 4, "##[error]Repository path '"+filepath.Join(filepath.Dir(ws), "outside")+"' is not under '"+ws+"'")
	wantOutput(t, rec, 5, "##[error]The value 'many' is not a valid number for the input 'fetch-depth'")
}

type failingCheckout struct{}

func (failingCheckout) Checkout(context.Context, string, CheckoutOptions) error {
	return errors.New("fatal: repository not found")
}

func TestCheckoutErrors(t *testing.T) {
	src := `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
`
	job := simpleJob(t, src, "j")
	job.Checkout = failingCheckout{}
	res, rec := runJob(t, context.Background(), job)
	wantStep(t, res, 0, resultFailure, resultFailure)
	wantOutput(t, rec, 1, "##[error]fatal: repository not found")

	job = simpleJob(t, src, "j") // no Checkouter
	res, rec = runJob(t, context.Background(), job)
	wantStep(t, res, 0, resultFailure, resultFailure)
	wantOutput(t, rec, 1, "##[error]actions/checkout: this runner has no repository source (Job.Checkout is nil)")
}

func TestUnsupportedActions(t *testing.T) {
	res, rec := runInline(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - uses: actions/setup-node@v4
        continue-on-error: true
      - uses: docker://alpine:3
        continue-on-error: true
      - uses: ./missing
        continue-on-error: true
`, "j")
	for i := range 3 {
		wantStep(t, res, i, resultFailure, resultSuccess)
	}
	wantOutput(t, rec, 1, "##[error]Unable to resolve action `actions/setup-node@v4`: this runner has no source for actions from repositories (only actions/checkout and local actions, uses: ./path).")
	wantOutput(t, rec, 2, "##[error]Container actions (uses: docker://alpine:3) are not supported on this runner.")
	if !strings.Contains(rec.step(t, 3).all(), "##[error]Can't find 'action.yml', 'action.yaml' or 'Dockerfile' under '") {
		t.Errorf("missing local action:\n%s", rec.step(t, 3).all())
	}
	// IdBuilder keeps '-' and replaces '/', ':' and the like with '_'.
	if ids := []string{res.Steps[0].ID, res.Steps[1].ID, res.Steps[2].ID}; !reflect.DeepEqual(ids, []string{"__actions_setup-node", "__alpine_3", "__self"}) {
		t.Errorf("ids %v", ids)
	}
}

// compositeActions are local actions, written into the workspace before
// the job runs (as a checkout would have put them there).
var compositeActions = map[string]string{
	".github/actions/greet/action.yml": `
name: Greet
inputs:
  who:
    required: true
  greeting:
    default: Hello ${{ github.repository_owner }}
  needed:
    required: true
outputs:
  message:
    value: ${{ steps.say.outputs.message }}
runs:
  using: composite
  steps:
    - id: say
      shell: bash
      run: |
        echo "inputs=${{ inputs.greeting }}, ${{ inputs.who }}"
        echo "env=$INPUT_WHO path=$(basename "$GITHUB_ACTION_PATH") step=$STEP_VAR"
        echo "message=${{ inputs.greeting }} ${{ inputs.who }}" >> "$GITHUB_OUTPUT"
        echo "FROM_ACTION=set-inside" >> "$GITHUB_ENV"
    - shell: sh
      run: echo "second sees FROM_ACTION=$FROM_ACTION own-steps=${{ steps.say.outcome }}"
    - if: failure()
      shell: sh
      run: echo never-printed
`,
	".github/actions/fails/action.yaml": `
runs:
  using: composite
  steps:
    - run: exit 4
      shell: bash
    - run: echo "after failure"
      shell: bash
    - if: failure()
      run: echo "failure() inside the action"
      shell: bash
`,
	".github/actions/noshell/action.yml": `
runs:
  using: composite
  steps:
    - run: echo "no shell"
`,
	".github/actions/slow/action.yml": `
runs:
  using: composite
  steps:
    - run: echo "inner starts"; sleep 5; echo "inner finished"
      shell: bash
    - run: echo "next inner step"
      shell: bash
`,
	".github/actions/node/action.yml": `
runs:
  using: node20
  main: index.js
`,
	".github/actions/nested/action.yml": `
outputs:
  inner:
    value: ${{ steps.g.outputs.message }}
runs:
  using: composite
  steps:
    - id: g
      uses: ./.github/actions/greet
      with:
        who: nested
        needed: yes
`,
}

func writeActions(t *testing.T, job *Job) {
	t.Helper()
	ws := newDirs(job.WorkDir, "octo-org/octo-repo").workspace
	for path, text := range compositeActions {
		p := filepath.Join(ws, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCompositeAction(t *testing.T) {
	job := simpleJob(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - run: echo "actions are in place"
      - id: greet
        uses: ./.github/actions/greet
        env:
          STEP_VAR: from-step
        with:
          who: world
          extra: 1
      - run: echo "out=${{ steps.greet.outputs.message }} env=$FROM_ACTION"
      - id: fails
        uses: ./.github/actions/fails
        continue-on-error: true
      - uses: ./.github/actions/node
        continue-on-error: true
      - uses: ./.github/actions/noshell
        continue-on-error: true
      - id: nested
        uses: ./.github/actions/nested
`, "j")
	writeActions(t, job)
	res, rec := runJob(t, context.Background(), job)
	wantStep(t, res, 1, resultSuccess, resultSuccess)
	wantOutput(t, rec, 2,
		"##[warning]Input required and not supplied: needed",
		"##[warning]Unexpected input(s) 'extra', valid inputs are ['who', 'greeting', 'needed']",
		"inputs=Hello octo-org, world",
		"env=world path=greet step=from-step",
		"second sees FROM_ACTION=set-inside own-steps=success")
	if got := res.Steps[1].Outputs; !reflect.DeepEqual(got, map[string]string{"message": "Hello octo-org world"}) {
		t.Errorf("composite outputs %v", got)
	}
	if log := rec.step(t, 2).all(); strings.Contains(log, "never-printed") {
		t.Errorf("failure() step ran:\n%s", log)
	}
	wantOutput(t, rec, 3, "out=Hello octo-org world env=set-inside")
	wantStep(t, res, 3, resultFailure, resultSuccess)
	wantOutput(t, rec, 4, "##[error]Process completed with exit code 4.", "failure() inside the action")
	if strings.Contains(strings.Join(rec.step(t, 4).output(), "\n"), "\nafter failure") {
		t.Error("a step after the failure ran without failure()")
	}
	wantStep(t, res, 4, resultFailure, resultSuccess)
	if log := rec.step(t, 5).all(); !strings.Contains(log, "##[error]File not found: '") ||
		!strings.Contains(log, "/.github/actions/node/index.js' (runs.main: index.js of the action './.github/actions/node')") {
		t.Errorf("local JavaScript action without its script:\n%s", log)
	}
	wantStep(t, res, 5, resultFailure, resultSuccess)
	if log := rec.step(t, 6).all(); !strings.Contains(log, "Required property is missing: shell") || strings.Contains(log, "\nno shell") {
		t.Errorf("run step without shell:\n%s", log)
	}
	wantStep(t, res, 6, resultSuccess, resultSuccess)
	if got := res.Steps[6].Outputs["inner"]; got != "Hello octo-org nested" {
		t.Errorf("nested composite output %q", got)
	}
}

func TestCompositeTimeout(t *testing.T) {
	job := simpleJob(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - name: Slow action
        uses: ./.github/actions/slow
        timeout-minutes: 1
      - if: failure()
        run: echo "after"
`, "j")
	writeActions(t, job)
	res, rec := runJob(t, context.Background(), job)
	wantStep(t, res, 0, resultFailure, resultFailure)
	wantOutput(t, rec, 1, "inner starts", "##[error]The operation was canceled.",
		"##[error]The action 'Slow action' has timed out after 1 minutes.")
	if out := strings.Join(rec.step(t, 1).output(), "\n"); strings.Contains(out, "\ninner finished") || strings.Contains(out, "\nnext inner step") {
		t.Errorf("the action kept running:\n%s", out)
	}
	wantOutput(t, rec, 2, "after")
}

func TestStepIDs(t *testing.T) {
	steps := []*workflow.Step{
		{Run: "a"}, {ID: "__run_2"}, {Run: "b"}, {Uses: "actions/checkout@v4"}, {Uses: "actions/checkout@v3"},
		{Uses: "./local"}, {Uses: "docker://ghcr.io/o/i:1"}, {Uses: "o/r/sub/dir@v1"}, {ID: "__RUN"},
	}
	want := []string{"__run_3", "__run_2", "__run_4", "__actions_checkout", "__actions_checkout_2", "__self", "__ghcr_io_o_i_1", "__o_r", "__RUN"}
	if got := stepIDs(steps); !reflect.DeepEqual(got, want) {
		t.Errorf("ids %v, want %v", got, want)
	}
	if got := sanitizeID("9a-b/c d"); got != "_9a-b_c_d" {
		t.Errorf("sanitizeID: %q", got)
	}
}
