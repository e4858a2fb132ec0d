package workflow

import (
	"strings"
	"testing"
)

// A context used where GitHub does not allow it makes the workflow invalid
// at index time, with a message that names the context and the key's
// allowed ones (WORKFLOW_SEMANTICS §1.9).
func TestContextAvailability(t *testing.T) {
	for _, c := range []struct {
		name, src, context string
	}{
		{"secrets in job if", "on: push\njobs:\n  a:\n    if: secrets.X == 'y'\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n", "secrets"},
		{"steps in run-name", "on: push\nrun-name: ${{ steps.x.outputs.y }}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n", "steps"},
		{"matrix in workflow env", "on: push\nenv:\n  A: ${{ matrix.os }}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n", "matrix"},
		{"env in job env", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n      A: ${{ env.B }}\n    steps:\n      - run: echo\n", "env"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := Summarize("x.yml", []byte(c.src))
			if s.Valid {
				t.Fatalf("valid; problems %+v", s.Problems)
			}
			found := false
			for _, p := range s.Problems {
				if p.Severity == "error" && strings.Contains(p.Message, `context "`+c.context+`" is not allowed here`) && p.Line > 0 && p.Column > 0 {
					found = true
				}
			}
			if !found {
				t.Fatalf("no availability error for %s: %+v", c.context, s.Problems)
			}
		})
	}
	ok := "on: repository_dispatch\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - env:\n          T: ${{ secrets.TOKEN }}\n        if: ${{ github.event.action == 'x' }}\n        run: echo \"$T\"\n"
	if s := Summarize("ok.yml", []byte(ok)); !s.Valid {
		t.Fatalf("secrets in step env and github in step if are allowed: %+v", s.Problems)
	}
}
