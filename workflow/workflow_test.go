package workflow

import (
	"reflect"
	"strings"
	"testing"
)

const fullWorkflow = `name: Full
run-name: Deploy ${{ inputs.target }}
on:
  workflow_dispatch:
    inputs:
      target: {type: string, default: prod}
env:
  A: one
  B: 2
  C: true
defaults:
  run:
    shell: bash
    working-directory: src
permissions:
  contents: read
  actions: write
concurrency:
  group: deploy-${{ github.ref }}
  cancel-in-progress: ${{ github.ref != 'refs/heads/main' }}
jobs:
  zeta:
    name: First in file
    runs-on: [self-hosted, linux]
    outputs:
      v: ${{ steps.s.outputs.v }}
    steps:
      - id: s
        run: echo "v=1" >> "$GITHUB_OUTPUT"
  alpha:
    needs: zeta
    if: |
      ${{ false }}
    runs-on:
      group: big
      labels: gpu
    environment:
      name: production
      url: https://example.com
    strategy:
      fail-fast: false
      max-parallel: 2
      matrix:
        os: [ubuntu, windows]
        node: [14, 16.5]
        flags: [{debug: true, level: 1}]
        include:
          - os: windows
            experimental: true
        exclude:
          - os: ubuntu
            node: 14
    env:
      J: job
    defaults:
      run:
        shell: sh
    timeout-minutes: 30
    continue-on-error: ${{ matrix.experimental }}
    concurrency: alpha-lock
    permissions: read-all
    steps:
      - name: Build
        id: build
        if: success()
        run: |
          make
          make test
        shell: bash {0}
        working-directory: sub
        env:
          S: step
        continue-on-error: true
        timeout-minutes: 5.5
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
          ref: ${{ github.sha }}
  beta:
    needs: [zeta, alpha]
    runs-on: ${{ matrix.os }}
    strategy:
      matrix: ${{ fromJSON(needs.zeta.outputs.v) }}
    timeout-minutes: ${{ fromJSON(inputs.target) }}
    continue-on-error: false
    concurrency:
      group: g
      cancel-in-progress: true
    steps:
      - run: echo
  call:
    uses: ./.github/workflows/reusable.yml
    with:
      x: 1
`

func TestParseModel(t *testing.T) {
	w, problems := Parse(".github/workflows/full.yml", []byte(fullWorkflow))
	if len(problems) != 0 {
		t.Fatalf("problems:\n%s", dumpProblems(problems))
	}
	check := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", what, got, want)
		}
	}
	check("Path", w.Path, ".github/workflows/full.yml")
	check("Name", w.Name, "Full")
	check("RunName", w.RunName, "Deploy ${{ inputs.target }}")
	check("Triggers", describeTriggers(w.Triggers), "workflow_dispatch(target:string=prod)")
	check("Env", w.Env, Env{Vars: []Pair{{"A", "one"}, {"B", "2"}, {"C", "true"}}})
	check("Defaults", w.Defaults, &RunDefaults{Shell: "bash", WorkingDirectory: "src"})
	check("Permissions", w.Permissions, &Permissions{Scopes: []Pair{{"contents", "read"}, {"actions", "write"}}})
	check("Concurrency", w.Concurrency, &Concurrency{Group: "deploy-${{ github.ref }}",
		CancelInProgress: BoolOrExpr{Set: true, Expr: "${{ github.ref != 'refs/heads/main' }}"}})

	var ids []string
	for _, j := range w.Jobs {
		ids = append(ids, j.ID)
	}
	check("job order", ids, []string{"zeta", "alpha", "beta", "call"})

	zeta := w.Job("ZETA")
	check("zeta", zeta.Name, "First in file")
	check("zeta.Pos", zeta.Pos, Pos{Line: 22, Column: 3})
	check("zeta.RunsOn", zeta.RunsOn, RunsOn{Labels: []string{"self-hosted", "linux"}})
	check("zeta.Outputs", zeta.Outputs, []Pair{{"v", "${{ steps.s.outputs.v }}"}})
	check("zeta.Needs", zeta.Needs, []string(nil))
	check("zeta.Steps[0].Pos", zeta.Steps[0].Pos, Pos{Line: 28, Column: 9})

	a := w.Job("alpha")
	check("alpha.Needs", a.Needs, []string{"zeta"})
	check("alpha.If", a.If, "${{ false }}\n")
	check("alpha.RunsOn", a.RunsOn, RunsOn{Group: "big", Labels: []string{"gpu"}})
	check("alpha.Environment", a.Environment, &Environment{Name: "production", URL: "https://example.com"})
	check("alpha.FailFast", a.Strategy.FailFast, BoolOrExpr{Set: true, Value: false})
	check("alpha.MaxParallel", a.Strategy.MaxParallel, NumberOrExpr{Set: true, Value: 2})
	check("alpha.Matrix", a.Strategy.Matrix.Entries, []KV{
		{"os", []any{"ubuntu", "windows"}},
		{"node", []any{14.0, 16.5}},
		{"flags", []any{[]KV{{"debug", true}, {"level", 1.0}}}},
		{"include", []any{[]KV{{"os", "windows"}, {"experimental", true}}}},
		{"exclude", []any{[]KV{{"os", "ubuntu"}, {"node", 14.0}}}},
	})
	check("alpha.Env", a.Env, Env{Vars: []Pair{{"J", "job"}}})
	check("alpha.Defaults", a.Defaults, &RunDefaults{Shell: "sh"})
	check("alpha.TimeoutMinutes", a.TimeoutMinutes, NumberOrExpr{Set: true, Value: 30})
	check("alpha.ContinueOnError", a.ContinueOnError, BoolOrExpr{Set: true, Expr: "${{ matrix.experimental }}"})
	check("alpha.Concurrency", a.Concurrency, &Concurrency{Group: "alpha-lock"})
	check("alpha.Permissions", a.Permissions, &Permissions{All: "read-all"})
	check("alpha.Steps", len(a.Steps), 2)
	check("build step", *a.Steps[0], Step{
		Pos: Pos{Line: 63, Column: 9}, ID: "build", Name: "Build", If: "success()", Run: "make\nmake test\n",
		Shell: "bash {0}", WorkingDirectory: "sub", Env: Env{Vars: []Pair{{"S", "step"}}},
		ContinueOnError: BoolOrExpr{Set: true, Value: true}, TimeoutMinutes: NumberOrExpr{Set: true, Value: 5.5},
	})
	check("checkout step", *a.Steps[1], Step{
		Pos: Pos{Line: 75, Column: 9}, Uses: "actions/checkout@v4",
		With: []Pair{{"fetch-depth", "0"}, {"ref", "${{ github.sha }}"}},
	})

	b := w.Job("beta")
	check("beta.Needs", b.Needs, []string{"zeta", "alpha"})
	check("beta.RunsOn", b.RunsOn, RunsOn{Labels: []string{"${{ matrix.os }}"}})
	check("beta.Matrix", *b.Strategy.Matrix, Matrix{Pos: Pos{Line: 83, Column: 15}, Expr: "${{ fromJSON(needs.zeta.outputs.v) }}"})
	check("beta.FailFast", b.Strategy.FailFast, BoolOrExpr{})
	check("beta.TimeoutMinutes", b.TimeoutMinutes, NumberOrExpr{Set: true, Expr: "${{ fromJSON(inputs.target) }}"})
	check("beta.ContinueOnError", b.ContinueOnError, BoolOrExpr{Set: true, Value: false})
	check("beta.Concurrency", b.Concurrency, &Concurrency{Group: "g", CancelInProgress: BoolOrExpr{Set: true, Value: true}})

	c := w.Job("call")
	check("call.Uses", c.Uses, "./.github/workflows/reusable.yml")
	check("call.With", c.With, []Pair{{"x", "1"}})
	check("unknown job", w.Job("nope"), (*Job)(nil))
}

func TestParseMatrixForms(t *testing.T) {
	src := `on: push
jobs:
  a:
    runs-on: x
    strategy:
      matrix:
        os: ${{ fromJSON(inputs.oses) }}
        include: ${{ fromJSON(inputs.extra) }}
        version: [1.10, "1.10", null, ~, yes, on]
    steps: [{run: echo}]
  b:
    runs-on: x
    strategy:
      matrix:
        include:
          - site: production
            datacenter: site-a
          - ${{ fromJSON(inputs.more) }}
    steps: [{run: echo}]
`
	w, problems := Parse("w.yml", []byte(src))
	if w == nil {
		t.Fatalf("no model: %+v", problems)
	}
	got := w.Jobs[0].Strategy.Matrix.Entries
	want := []KV{
		{"os", "${{ fromJSON(inputs.oses) }}"},
		{"include", "${{ fromJSON(inputs.extra) }}"},
		// YAML 1.2 core schema, as GitHub reads it: yes and on are strings.
		{"version", []any{1.1, "1.10", nil, nil, "yes", "on"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("matrix\n got %#v\nwant %#v", got, want)
	}
	inc, _ := Lookup(w.Jobs[1].Strategy.Matrix.Entries, "include")
	wantInc := []any{[]KV{{"site", "production"}, {"datacenter", "site-a"}}, "${{ fromJSON(inputs.more) }}"}
	if !reflect.DeepEqual(inc, wantInc) {
		t.Errorf("include\n got %#v\nwant %#v", inc, wantInc)
	}
}

func TestParseProblems(t *testing.T) {
	src := "on: push\njobs:\n  a:\n    needs: [b, ghost]\n    runs-on: x\n    steps: [{run: echo}]\n  b:\n    needs: a\n    runs-on: x\n    unknown: 1\n    steps: [{run: echo}]\n"
	w, problems := Parse("w.yml", []byte(src))
	if w == nil || len(w.Jobs) != 2 {
		t.Fatalf("the model is returned with its problems: %v", w)
	}
	for _, want := range []problem{
		{line: 4, col: 16, kind: KindJobNeeds, severity: SeverityError, message: "Job 'a' depends on unknown job 'ghost'."},
		{kind: KindJobNeeds, severity: SeverityError, message: "creates a cycle"},
		{kind: KindJobNeeds, severity: SeverityError, message: "at least one job with no dependencies"},
		{line: 10, col: 5, kind: KindSchema, severity: SeverityError, message: `unexpected key "unknown"`},
	} {
		if !findProblem(problems, want) {
			t.Errorf("missing %+v in\n%s", want, dumpProblems(problems))
		}
	}
	// Lint advice is not Parse's business.
	_, problems = Parse("w.yml", []byte("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - if: false\n        run: echo ${{ github.event.client_payload.x }}\n"))
	if len(problems) != 0 {
		t.Errorf("Parse reported lint problems:\n%s", dumpProblems(problems))
	}
	// A YAML error leaves no model.
	w, problems = Parse("w.yml", []byte("on: [push\n"))
	if w != nil || len(problems) != 1 || problems[0].Kind != KindSyntax {
		t.Errorf("got %v %+v", w, problems)
	}
}

func TestParseAliases(t *testing.T) {
	src := `on: push
x-steps: &steps
  - run: echo shared
jobs:
  a:
    runs-on: x
    steps: *steps
  b:
    runs-on: x
    steps: *steps
`
	w, _ := Parse("w.yml", []byte(src))
	if w == nil || len(w.Jobs) != 2 {
		t.Fatalf("model %v", w)
	}
	for _, j := range w.Jobs {
		if len(j.Steps) != 1 || strings.TrimSpace(j.Steps[0].Run) != "echo shared" {
			t.Errorf("job %s steps %+v", j.ID, j.Steps)
		}
	}
}
