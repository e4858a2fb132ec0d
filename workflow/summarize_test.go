package workflow

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/dispatchd/dispatchd"
)

// problem is the part of a dispatchd.Problem a test pins down.
type problem struct {
	line, col int
	kind      string
	severity  string
	message   string // substring
}

func findProblem(ps []dispatchd.Problem, want problem) bool {
	for _, p := range ps {
		if (want.line == 0 || p.Line == want.line) && (want.col == 0 || p.Column == want.col) &&
			p.Kind == want.kind && p.Severity == want.severity && strings.Contains(p.Message, want.message) {
			return true
		}
	}
	return false
}

func TestSummarizeOnForms(t *testing.T) {
	const jobs = "\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n"
	tests := []struct {
		name, on, want string
	}{
		{"string", "on: repository_dispatch", "repository_dispatch"},
		{"list", "on: [push, workflow_dispatch, repository_dispatch]", "push workflow_dispatch repository_dispatch"},
		{"block list", "on:\n  - workflow_dispatch\n  - push", "workflow_dispatch push"},
		{"mapping in file order", "on:\n  workflow_dispatch:\n  repository_dispatch:\n    types: [a, b]\n  push:\n    branches: [main]",
			"workflow_dispatch repository_dispatch[a,b] push"},
		{"types as one scalar", "on:\n  repository_dispatch:\n    types: deploy", "repository_dispatch[deploy]"},
		{"null configs", "on:\n  repository_dispatch: null\n  workflow_dispatch: ~", "repository_dispatch workflow_dispatch"},
		{"inputs null", "on:\n  workflow_dispatch:\n    inputs:", "workflow_dispatch"},
		{"flow mapping", "on: {repository_dispatch: {types: [a]}, workflow_dispatch: null}", "repository_dispatch[a] workflow_dispatch"},
		{"other events kept", "on:\n  schedule:\n    - cron: '0 0 * * *'\n  push:", "schedule push"},
		{"duplicate in list", "on: [push, push]", "push"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize("w.yml", []byte(tt.on+jobs))
			if !s.Valid {
				t.Errorf("not valid: %+v", s.Problems)
			}
			if got := describeTriggers(s.Triggers); got != tt.want {
				t.Errorf("triggers %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSummarizeInputs(t *testing.T) {
	src := `on:
  workflow_dispatch:
    inputs:
      s:
        description: a string
      b:
        type: boolean
        default: true
      n:
        type: number
        default: 1.50
        required: true
      c:
        type: choice
        options: [x, "y", 3]
        default: "y"
      e:
        type: environment
      q:
        default: '007'
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
`
	s := Summarize("w.yml", []byte(src))
	if !s.Valid {
		t.Fatalf("not valid: %+v", s.Problems)
	}
	got := describeTriggers(s.Triggers)
	want := "workflow_dispatch(s:string b:boolean=true n:number!=1.50 c:choice=y{x,y,3} e:environment q:string=007)"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if d := s.Triggers.WorkflowDispatch.Inputs[0].Description; d != "a string" {
		t.Errorf("description %q", d)
	}
}

func TestSummarizePush(t *testing.T) {
	src := `on:
  push:
    branches: [main, 'releases/**', '!releases/**-alpha']
    tags: v*
    paths-ignore:
      - docs/**
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
`
	s := Summarize("w.yml", []byte(src))
	p := s.Triggers.Push
	if p == nil {
		t.Fatal("no push trigger")
	}
	if fmt.Sprint(p.Branches) != "[main releases/** !releases/**-alpha]" || fmt.Sprint(p.Tags) != "[v*]" ||
		fmt.Sprint(p.PathsIgnore) != "[docs/**]" || p.Paths != nil || p.BranchesIgnore != nil || p.TagsIgnore != nil {
		t.Errorf("push filters %+v", p)
	}
}

func TestSummarizeBrokenFiles(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		valid bool
		want  []problem
	}{
		{
			name: "yaml error",
			src:  "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"unterminated\n      x: [\n",
			want: []problem{{line: 5, col: 6, kind: KindSyntax, severity: SeverityError, message: "could not parse as YAML"}},
		},
		{
			name: "tab indentation",
			src:  "on: push\njobs:\n\ta: 1\n",
			want: []problem{{line: 3, kind: KindSyntax, severity: SeverityError, message: "could not parse as YAML"}},
		},
		{
			name: "unknown keys",
			src:  "on: push\nfoo: 1\njobs:\n  a:\n    runs-on: ubuntu-latest\n    bogus: x\n    steps:\n      - run: echo\n        colour: red\n",
			want: []problem{
				{line: 2, col: 1, kind: KindSchema, severity: SeverityError, message: `unexpected key "foo"`},
				{line: 6, col: 5, kind: KindSchema, severity: SeverityError, message: `unexpected key "bogus"`},
				{line: 9, col: 9, kind: KindSchema, severity: SeverityError, message: `unexpected key "colour"`},
			},
		},
		{
			name: "unknown need",
			src:  "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n  b:\n    needs: [a, nope]\n    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n",
			want: []problem{{line: 7, col: 16, kind: KindJobNeeds, severity: SeverityError, message: "Job 'b' depends on unknown job 'nope'."}},
		},
		{
			name: "cycle and no root",
			src:  "on: push\njobs:\n  a:\n    needs: c\n    runs-on: x\n    steps: [{run: echo}]\n  b:\n    needs: a\n    runs-on: x\n    steps: [{run: echo}]\n  c:\n    needs: [b]\n    runs-on: x\n    steps: [{run: echo}]\n",
			want: []problem{
				{line: 3, col: 3, kind: KindJobNeeds, severity: SeverityError, message: "The workflow must contain at least one job with no dependencies."},
				{kind: KindJobNeeds, severity: SeverityError, message: "which creates a cycle in the dependency graph."},
			},
		},
		{
			name: "self dependency",
			src:  "on: push\njobs:\n  r:\n    runs-on: x\n    steps: [{run: echo}]\n  a:\n    needs: A\n    runs-on: x\n    steps: [{run: echo}]\n",
			want: []problem{{line: 7, col: 12, kind: KindJobNeeds, severity: SeverityError, message: "Job 'a' depends on job 'a' which creates a cycle"}},
		},
		{
			name: "missing on and jobs",
			src:  "name: x\n",
			want: []problem{
				{kind: KindSchema, severity: SeverityError, message: `"on" section is missing`},
				{kind: KindSchema, severity: SeverityError, message: `"jobs" section is missing`},
			},
		},
		{
			name: "empty file",
			src:  "",
			want: []problem{{kind: KindSchema, severity: SeverityError, message: "workflow is empty"}},
		},
		{
			name: "not a mapping",
			src:  "- a\n- b\n",
			want: []problem{{line: 1, kind: KindSchema, severity: SeverityError}},
		},
		{
			name: "bad expression",
			src:  "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ 1 + }}\n",
			want: []problem{{line: 6, kind: "expression", severity: SeverityError, message: "while lexing expression"}},
		},
		{
			name: "unknown context",
			src:  "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n        env:\n          A: ${{ nope.x }}\n",
			want: []problem{{line: 8, kind: "expression", severity: SeverityError, message: `undefined variable "nope"`}},
		},
		{
			name:  "lint advice is a warning",
			src:   "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - if: false\n        run: echo\n        shell: fish\n",
			valid: true,
			want: []problem{
				{line: 6, kind: "if-cond", severity: SeverityWarning, message: "constant expression"},
				{line: 8, kind: "shell-name", severity: SeverityWarning, message: "fish"},
			},
		},
		{
			name:  "unknown keys under workflow_dispatch are ignored by GitHub",
			src:   "on:\n  workflow_dispatch:\n    foo: bar\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n",
			valid: true,
			want:  []problem{{line: 3, kind: KindSchema, severity: SeverityWarning, message: `"foo"`}},
		},
		{
			name: "bad input default",
			src:  "on:\n  workflow_dispatch:\n    inputs:\n      a:\n        type: boolean\n        default: maybe\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n",
			want: []problem{{line: 6, kind: "events", severity: SeverityError, message: `must be "true" or "false"`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize("w.yml", []byte(tt.src))
			if s.Valid != tt.valid {
				t.Errorf("valid = %v, want %v: %+v", s.Valid, tt.valid, s.Problems)
			}
			for _, w := range tt.want {
				if !findProblem(s.Problems, w) {
					t.Errorf("missing %+v in\n%s", w, dumpProblems(s.Problems))
				}
			}
			for _, p := range s.Problems {
				if p.Line < 1 || p.Column < 1 {
					t.Errorf("problem without position: %+v", p)
				}
			}
		})
	}
}

func dumpProblems(ps []dispatchd.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "  %d:%d [%s %s] %s\n", p.Line, p.Column, p.Kind, p.Severity, p.Message)
	}
	return b.String()
}

func TestSummarizeRunnerLabels(t *testing.T) {
	src := `on: push
jobs:
  a:
    runs-on: [self-hosted, linux, x64, gpu, my/pool-label, "Custom Label"]
    steps: [{run: echo}]
  b:
    runs-on: dispatchd-runner
    steps: [{run: echo}]
  c:
    runs-on:
      group: builders
      labels: [arm64, big-disk]
    steps: [{run: echo}]
`
	s := Summarize("w.yml", []byte(src))
	if !s.Valid || len(s.Problems) != 0 {
		t.Errorf("custom labels must not be problems:\n%s", dumpProblems(s.Problems))
	}
}

func TestSummarizeName(t *testing.T) {
	for src, want := range map[string]string{
		"on: push\njobs: {a: {runs-on: x, steps: [{run: echo}]}}\n":                       "",
		"name: CI\non: push\njobs: {a: {runs-on: x, steps: [{run: echo}]}}\n":             "CI",
		"name: 'Deploy: prod'\non: push\njobs: {a: {runs-on: x, steps: [{run: echo}]}}\n": "Deploy: prod",
	} {
		if got := Summarize("w.yml", []byte(src)).Name; got != want {
			t.Errorf("name %q, want %q", got, want)
		}
	}
}

func TestSummarizeConcurrent(t *testing.T) {
	// The index summarizes the files of a push in parallel; run under -race.
	fixtures := loadFixtures(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for _, f := range fixtures {
				if s := Summarize(f.name, f.src); !s.Valid {
					t.Errorf("%s: not valid", f.name)
				}
				MatchPush(&dispatchd.PushTrigger{Branches: []string{"main", "r/**"}}, "refs/heads/r/1", nil)
			}
		})
	}
	wg.Wait()
}

func TestLintRecoversFromPanics(t *testing.T) {
	// A nil AST makes actionlint's visitor dereference nil: the stand-in
	// for a bug in a rule.
	ps := lint("w.yml", nil)
	if len(ps) != 1 || ps[0].Kind != KindInternal || ps[0].Severity != SeverityWarning || !strings.Contains(ps[0].Message, "incomplete") {
		t.Errorf("got %+v", ps)
	}
}
