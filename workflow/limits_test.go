package workflow

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

const validTail = "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n"

// billionLaughs nests levels of ten aliases each: 10^levels nodes once
// expanded, a few hundred bytes written.
func billionLaughs(levels int) string {
	var b strings.Builder
	b.WriteString("on: push\nenv:\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "  l%d: &l%d [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]\n")
	}
	b.WriteString(validTail)
	return b.String()
}

func deepBlock(levels int) string {
	var b strings.Builder
	b.WriteString("on: push\n" + validTail + "env:\n")
	for i := range levels {
		fmt.Fprintf(&b, "%sk%d:\n", strings.Repeat("  ", i+1), i)
	}
	return b.String()
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		message string
	}{
		{"too large", "on: push\n" + validTail + "#" + strings.Repeat("x", MaxFileSize), "files larger than"},
		{"deep block nesting", deepBlock(100), "nesting is deeper than"},
		{"deep flow nesting", "on: push\n" + validTail + "env: {a: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "}\n", "nesting is deeper than"},
		{"billion laughs", billionLaughs(9), "aliases expand to more than"},
		{"billion laughs in a matrix", strings.Replace(billionLaughs(9), "env:", "x-matrix:", 1), "aliases expand to more than"},
		{"recursive alias", "on: push\n" + validTail + "env: &a {b: *a}\n", "recursive alias"},
		{"recursive alias in a list", "on: push\n" + validTail + "x: &a [1, [2, *a]]\n", "recursive alias"},
		{"deep expression", "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ " +
			strings.Repeat("(", 60) + "1" + strings.Repeat(")", 60) + " }}\n", "Exceeded max expression depth 50"},
		{"deep bare if", "on: push\njobs:\n  a:\n    runs-on: x\n    if: \"" + strings.Repeat("!(", 30) + "true" + strings.Repeat(")", 30) +
			"\"\n    steps:\n      - run: echo\n", "Exceeded max expression depth 50"},
		{"huge expression nesting", "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ " +
			strings.Repeat("[", 200000) + " }}\n", "Exceeded max expression depth 50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			s := Summarize("w.yml", []byte(tt.src))
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			if s.Valid || len(s.Problems) != 1 {
				t.Fatalf("want one problem and not valid, got valid=%v\n%s", s.Valid, dumpProblems(s.Problems))
			}
			p := s.Problems[0]
			if p.Kind != KindLimit || p.Severity != SeverityError || !strings.Contains(p.Message, tt.message) || p.Line < 1 || p.Column < 1 {
				t.Errorf("problem %+v, want kind limit with %q", p, tt.message)
			}
			w, ps := Parse("w.yml", []byte(tt.src))
			if w != nil || len(ps) != 1 || ps[0] != p {
				t.Errorf("Parse: %v %+v", w, ps)
			}
		})
	}
}

func TestLimitsAllowOrdinaryFiles(t *testing.T) {
	tests := map[string]string{
		"aliases used a few times": "on: push\nenv: &e {A: 1}\njobs:\n  a:\n    runs-on: x\n    env: *e\n    steps: [{run: echo}]\n  b:\n    runs-on: x\n    env: *e\n    steps: [{run: echo}]\n",
		"nesting below the limit":  deepBlock(40),
		"expression depth 50": "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ " +
			strings.Repeat("(", 49) + "1" + strings.Repeat(")", 49) + " }}\n",
		"parentheses in strings": "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ format('" +
			strings.Repeat("(", 80) + "{0}''', 1) }}\n",
		"a large but flat file": "on: push\n" + validTail + strings.Repeat("# comment line to fill the file\n", 15000),
	}
	for name, src := range tests {
		t.Run(name, func(t *testing.T) {
			for _, p := range Summarize("w.yml", []byte(src)).Problems {
				if p.Kind == KindLimit {
					t.Errorf("unexpected %+v", p)
				}
			}
		})
	}
}

func TestSummarizeNeverPanics(t *testing.T) {
	// Inputs that have crashed YAML or workflow parsers elsewhere.
	inputs := []string{
		"\x00", "\xff\xfe", "on: [", "on: {", "'", "---\n---\n", "on: push\n...\n", "? [a]\n: b\n",
		"on: push\njobs:\n  a: *unknown\n", "on: !!binary aGVsbG8=\njobs: 1\n", "on: push\njobs: [1, 2]\n",
		"on:\n  workflow_dispatch:\n    inputs: [a]\n", "on:\n  push:\n    branches: {a: b}\n",
		"on: push\njobs:\n  a:\n    steps: 5\n    strategy: {matrix: 7}\n", "on: push\njobs:\n  a:\n    strategy:\n      matrix:\n        include: x\n",
		"on: push\njobs:\n  a:\n    needs: {a: b}\n", "on: push\njobs:\n  ? [x]\n  : {}\n",
		"on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: ${{\n", "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: '${{ a.b['\n",
	}
	for _, in := range inputs {
		s := Summarize("w.yml", []byte(in))
		for _, p := range s.Problems {
			if p.Kind == KindInternal {
				t.Errorf("%q: internal error %+v", in, p)
			}
		}
		Parse("w.yml", []byte(in))
	}
}

// TestLargeShapesStayFast guards against super-linear work on files within
// MaxFileSize: each shape once took seconds in actionlint's rules or in
// this package. Typical times are below 300 ms; the bound only catches
// regressions by an order of magnitude.
func TestLargeShapesStayFast(t *testing.T) {
	fill := func(head, tail string, line func(i int) string) string {
		var b strings.Builder
		b.WriteString(head)
		for i := 0; b.Len() < MaxFileSize-len(tail)-100; i++ {
			b.WriteString(line(i))
		}
		return b.String() + tail
	}
	shapes := map[string]string{
		"long matrix vector": fill("on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: a}]\n    strategy:\n      matrix:\n        k: [", "]\n",
			func(i int) string { return fmt.Sprintf("l%d,", i) }),
		"many inputs used many times": fill("on:\n  workflow_dispatch:\n    inputs:\n"+inputsDecl(2000)+"jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: |\n", "",
			func(i int) string { return fmt.Sprintf("          ${{ inputs.i%d }}\n", i%2000) }),
		"one-line file with many steps": fill("on: push\njobs:\n  a:\n    runs-on: x\n    steps: [", "]\n",
			func(i int) string { return fmt.Sprintf("{id: a%d, run: 'echo ${{ inputs.x }}'}, ", i) }),
		"unterminated expressions": fill("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: \"", "\"\n",
			func(int) string { return "${{ " }),
		"unterminated string literal": fill("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: \"${{ '", "\"\n",
			func(int) string { return "${{ a || " }),
		"many events": fill("on: [", "]\n"+validTail, func(i int) string { return fmt.Sprintf("e%d,", i) }),
		"runs-on labels from a matrix": fill("on: push\njobs:\n  a:\n    steps: [{run: a}]\n    strategy:\n      matrix:\n        k: ["+strings.Repeat("l,", 256)+"]\n    runs-on: [", "]\n",
			func(int) string { return "'${{ matrix.k }}'," }),
	}
	for name, src := range shapes {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			s := Summarize("w.yml", []byte(src))
			Parse("w.yml", []byte(src))
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
			if len(s.Problems) > maxProblems {
				t.Errorf("%d problems", len(s.Problems))
			}
		})
	}
}

func inputsDecl(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "      i%d: {type: string}\n", i)
	}
	return b.String()
}

func TestProblemsAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("on: repository_dispatch\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: |\n")
	for i := range 2000 {
		fmt.Fprintf(&b, "          echo ${{ github.event.client_payload.v%d }}\n", i)
	}
	b.WriteString("  b:\n    needs: ghost\n    runs-on: x\n    steps: [{run: a}]\n")
	s := Summarize("w.yml", []byte(b.String()))
	if len(s.Problems) != maxProblems {
		t.Fatalf("%d problems", len(s.Problems))
	}
	last := s.Problems[len(s.Problems)-1]
	if last.Kind != KindLimit || last.Severity != SeverityError || !strings.Contains(last.Message, "1502 more problems") {
		t.Errorf("last problem %+v", last)
	}
	if s.Valid {
		t.Error("the error past the cap still makes the file invalid")
	}
}

func TestLintSkippedKeepsGitHubLimits(t *testing.T) {
	for _, n := range []int{26, 150} {
		s := Summarize("w.yml", []byte("on:\n  workflow_dispatch:\n    inputs:\n"+inputsDecl(n)+validTail))
		if s.Valid {
			t.Errorf("%d inputs: valid", n)
		}
		if !findProblem(s.Problems, problem{kind: "events", severity: SeverityError, message: fmt.Sprintf("is 25 but %d inputs", n)}) {
			t.Errorf("%d inputs: no error about the limit\n%s", n, dumpProblems(s.Problems))
		}
		skipped := findProblem(s.Problems, problem{kind: KindLimit, severity: SeverityWarning, message: "lint skipped"})
		if skipped != (n > maxLintedDeclarations) {
			t.Errorf("%d inputs: lint skipped = %v", n, skipped)
		}
	}
}
