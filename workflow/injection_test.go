package workflow

import (
	"strings"
	"testing"

	"github.com/dispatchd/dispatchd"
)

func injections(ps []dispatchd.Problem) []dispatchd.Problem {
	var out []dispatchd.Problem
	for _, p := range ps {
		if p.Kind == KindInjection {
			out = append(out, p)
		}
	}
	return out
}

const injectionHeader = `on:
  repository_dispatch:
    types: [deploy]
  workflow_dispatch:
    inputs:
      name: {type: string}
      flag: {type: boolean}
      level: {type: choice, options: [a, b]}
      count: {type: number}
      env: {type: environment}
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
`

func TestInjection(t *testing.T) {
	tests := []struct {
		name string
		step string
		want []string // paths reported, in order
	}{
		{"client_payload in run", "      - run: echo ${{ github.event.client_payload.target }}\n", []string{"github.event.client_payload.target"}},
		{"whole client_payload", "      - run: echo '${{ toJSON(github.event.client_payload) }}'\n", []string{"github.event.client_payload"}},
		{"index syntax", "      - run: echo ${{ github['event']['client_payload']['x'] }}\n", []string{"github.event.client_payload.x"}},
		{"array index", "      - run: echo ${{ github.event.client_payload.items[0] }}\n", []string{"github.event.client_payload.items.*"}},
		{"object filter", "      - run: echo ${{ join(github.event.client_payload.people.*.name) }}\n", []string{"github.event.client_payload.people.*.name"}},
		{"in env only", "      - run: echo \"$T\"\n        env:\n          T: ${{ github.event.client_payload.target }}\n", nil},
		{"in if only", "      - if: github.event.client_payload.ok\n        run: echo hi\n", nil},
		{"in name only", "      - name: ${{ github.event.client_payload.x }}\n        run: echo hi\n", nil},
		{"string input", "      - run: echo ${{ inputs.name }}\n", []string{"inputs.name"}},
		{"string input via event", "      - run: echo ${{ github.event.inputs.name }}\n", []string{"github.event.inputs.name"}},
		{"environment input", "      - run: echo ${{ inputs.env }}\n", []string{"inputs.env"}},
		{"undeclared input", "      - run: echo ${{ inputs.other }}\n", []string{"inputs.other"}},
		{"all inputs", "      - run: echo '${{ toJSON(inputs) }}'\n", []string{"inputs"}},
		{"validated inputs", "      - run: echo ${{ inputs.flag }} ${{ inputs.level }} ${{ inputs.count }} ${{ github.event.inputs.level }}\n", nil},
		{"input id case", "      - run: echo ${{ inputs.LEVEL }} ${{ INPUTS.Name }}\n", []string{"inputs.name"}},
		{"comparison is safe", "      - run: echo ${{ github.event.client_payload.x == 'a' }} ${{ !inputs.name }}\n", nil},
		{"contains is safe", "      - run: echo ${{ contains(github.event.client_payload.tags, 'x') }} ${{ startsWith(inputs.name, 'v') }}\n", nil},
		{"or passes values through", "      - run: echo ${{ github.event.client_payload.v || 'latest' }}\n", []string{"github.event.client_payload.v"}},
		{"format passes values through", "      - run: echo ${{ format('v{0}', inputs.name) }}\n", []string{"inputs.name"}},
		{"fromJSON result", "      - run: echo ${{ fromJSON(inputs.name).x }}\n", []string{"inputs.name"}},
		{"head_ref", "      - run: echo ${{ github.head_ref }}\n", []string{"github.head_ref"}},
		{"actionlint's list", "      - run: echo ${{ github.event.issue.title }} ${{ github.event.commits[0].message }}\n",
			[]string{"github.event.issue.title", "github.event.commits.*.message"}},
		{"whole event", "      - run: echo '${{ toJSON(github.event) }}'\n", []string{"github.event"}},
		{"trusted values", "      - run: echo ${{ github.sha }} ${{ github.event.branch }} ${{ matrix.x }} ${{ steps.a.outputs.b }}\n", nil},
		{"action is filtered by types", "      - run: echo ${{ github.event.action }}\n", nil},
		{"github-script", "      - uses: actions/github-script@v7\n        with:\n          script: console.log('${{ github.event.client_payload.x }}')\n",
			[]string{"github.event.client_payload.x"}},
		{"other action inputs", "      - uses: some/action@v1\n        with:\n          script: ${{ github.event.client_payload.x }}\n", nil},
		{"two in one script", "      - run: |\n          echo ${{ inputs.name }}\n          echo ${{ github.event.client_payload.a }}\n",
			[]string{"inputs.name", "github.event.client_payload.a"}},
		{"broken expression skipped", "      - run: echo ${{ 1 + }} ${{ inputs.name }}\n", []string{"inputs.name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize("w.yml", []byte(injectionHeader+tt.step))
			got := injections(s.Problems)
			var paths []string
			for _, p := range got {
				path, _, _ := strings.Cut(strings.TrimPrefix(p.Message, `"`), `"`)
				paths = append(paths, path)
				if p.Severity != SeverityWarning {
					t.Errorf("severity %q", p.Severity)
				}
				if !strings.Contains(p.Message, "pass it through env: instead") {
					t.Errorf("message does not say what to do: %s", p.Message)
				}
			}
			if strings.Join(paths, " ") != strings.Join(tt.want, " ") {
				t.Errorf("reported %q, want %q\n%s", paths, tt.want, dumpProblems(s.Problems))
			}
			for _, p := range s.Problems {
				if strings.Contains(p.Message, "potentially untrusted") && p.Kind != KindInjection {
					t.Errorf("actionlint's own untrusted report leaked: %+v", p)
				}
			}
		})
	}
}

func TestInjectionPositions(t *testing.T) {
	src := `on: repository_dispatch
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ github.event.client_payload.a }}
      - run: |
          echo start
            echo "${{github.event.client_payload.b}}" ${{ github.event.client_payload.c }}
      - run: >
          echo folded
          ${{ github.event.client_payload.d }}
      - run: "echo \"quoted\" ${{ github.event.client_payload.e }}"
      - name: ünïcödé
        run: echo 'äöü' ${{ github.event.client_payload.f }}
      - run: echo ${{ github.event.client_payload.g }}
        env:
          X: ${{ github.event.client_payload.g }}
`
	want := map[string]dispatchd.Problem{
		"a": {Line: 6, Column: 23},
		"b": {Line: 9, Column: 22},
		"c": {Line: 9, Column: 59},
		"d": {Line: 12, Column: 15},
		"e": {Line: 13, Column: 35},
		"f": {Line: 15, Column: 29},
		"g": {Line: 16, Column: 23},
	}
	got := injections(Summarize("w.yml", []byte(src)).Problems)
	if len(got) != len(want) {
		t.Fatalf("%d injections, want %d:\n%s", len(got), len(want), dumpProblems(got))
	}
	for _, p := range got {
		path, _, _ := strings.Cut(strings.TrimPrefix(p.Message, `"`), `"`)
		key := path[len(path)-1:]
		if w := want[key]; p.Line != w.Line || p.Column != w.Column {
			t.Errorf("%s at %d:%d, want %d:%d", path, p.Line, p.Column, w.Line, w.Column)
		}
	}
}

func TestInjectionAnyEventType(t *testing.T) {
	src := "on: repository_dispatch\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: echo ${{ github.event.action }}\n"
	got := injections(Summarize("w.yml", []byte(src)).Problems)
	if len(got) != 1 || !strings.HasPrefix(got[0].Message, `"github.event.action"`) {
		t.Errorf("event_type from any caller must be reported: %+v", got)
	}
}

func TestInjectionWorkflowCallString(t *testing.T) {
	src := `on:
  workflow_dispatch:
    inputs:
      level: {type: choice, options: [a, b]}
  workflow_call:
    inputs:
      level: {type: string}
jobs:
  j:
    runs-on: x
    steps:
      - run: echo ${{ inputs.level }}
`
	got := injections(Summarize("w.yml", []byte(src)).Problems)
	if len(got) != 1 {
		t.Errorf("a free-text workflow_call input of the same name is untrusted: %+v", got)
	}
}
