package workflow

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dispatchd/dispatchd"
)

// Seeds: the fixtures, plus generated shapes too big to commit. The hostile
// shapes (alias bombs, recursion, deep nesting, broken YAML) are committed
// under testdata/fuzz/.
func addSeeds(f *testing.F) {
	files, _ := filepath.Glob("../testdata/workflows/*.yml")
	for _, name := range files {
		if src, err := os.ReadFile(name); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte(fullWorkflow))
	var big strings.Builder
	big.WriteString("on: push\njobs:\n")
	for i := range 800 {
		big.WriteString("  job" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + ":\n    runs-on: x\n    steps:\n      - run: echo ${{ inputs.v }}\n")
	}
	f.Add([]byte(big.String()))
	f.Add([]byte(billionLaughs(6)))
	f.Add([]byte(deepBlock(70)))
}

// checkProblems holds for every result: positions, known severities, and
// validity exactly when no problem is an error.
func checkProblems(t *testing.T, ps []dispatchd.Problem) {
	for _, p := range ps {
		if p.Line < 1 || p.Column < 1 || p.Message == "" || p.Kind == "" {
			t.Errorf("malformed problem %+v", p)
		}
		if p.Severity != SeverityError && p.Severity != SeverityWarning {
			t.Errorf("unknown severity %+v", p)
		}
		if p.Kind == KindInternal {
			t.Errorf("a library panicked: %+v", p)
		}
	}
}

func FuzzSummarize(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		s := Summarize(".github/workflows/fuzz.yml", src)
		checkProblems(t, s.Problems)
		if s.Valid == hasError(s.Problems) {
			t.Errorf("valid=%v with problems %+v", s.Valid, s.Problems)
		}
		if s.Triggers.Events == nil {
			t.Error("Events must be non-nil")
		}
		if len(src) > MaxFileSize && (s.Valid || len(s.Problems) != 1) {
			t.Error("oversized file was parsed")
		}
		// The trigger helpers must cope with whatever was indexed.
		MatchesRepositoryDispatch(&s.Triggers, "x")
		MatchPush(s.Triggers.Push, "refs/heads/main", []string{"a/b.go"})
		MatchPush(s.Triggers.Push, "refs/tags/v1", nil)
		_, _, _ = ValidateInputs(s.Triggers.WorkflowDispatch, map[string]any{"a": "1"})
	})
}

func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		w, problems := Parse(".github/workflows/fuzz.yml", src)
		checkProblems(t, problems)
		if w == nil {
			if !hasError(problems) {
				t.Errorf("no model and no error: %+v", problems)
			}
			return
		}
		for _, j := range w.Jobs {
			if j.Pos.Line < 1 {
				t.Errorf("job %q without position", j.ID)
			}
			for _, s := range j.Steps {
				if s.Pos.Line < 1 {
					t.Errorf("step of %q without position", j.ID)
				}
			}
			if j.Strategy != nil && j.Strategy.Matrix != nil {
				combos, err := ExpandMatrix(j.Strategy.Matrix.Entries)
				if err == nil && len(combos) > MaxMatrixJobs {
					t.Errorf("%d combinations", len(combos))
				}
			}
		}
	})
}

func FuzzMatchGlob(f *testing.F) {
	for _, s := range [][2]string{{"feature/**", "feature/a/b"}, {"v[12].[0-9]+", "v1.10"}, {"*.jsx?", "a.js"},
		{"**/docs/**", "docs/a"}, {`a\*[`, "a*["}, {"[z-a]", "b"}, {"\xff[\xfe-\xff]", "\xff"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		// A pattern without special characters matches exactly itself.
		if !strings.ContainsAny(pattern, `*?+[\`) && MatchGlob(pattern, name) != (pattern == name) {
			t.Errorf("literal %q vs %q", pattern, name)
		}
		MatchGlob(pattern, name)
	})
}
