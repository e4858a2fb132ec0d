package expr

import (
	"errors"
	"os"
	"testing"
	"time"
	"unicode/utf8"
)

// The fuzz targets check that no input panics, hangs or produces an error
// without a position. Seeds: every vector's expression (added here) plus
// the files in testdata/fuzz/.

func addVectorSeeds(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.Expr)
	}
}

// checkError verifies err is nil or a well-formed *Error.
func checkError(t *testing.T, src string, err error, kinds ...string) {
	t.Helper()
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%q: error is %T, not *Error: %v", src, err, err)
	}
	lines := 1
	for _, r := range src {
		if r == '\n' {
			lines++
		}
	}
	if e.Line < 1 || e.Line > lines || e.Col < 1 || e.Col > utf8.RuneCountInString(src)+1 {
		t.Fatalf("%q: position %d:%d out of range", src, e.Line, e.Col)
	}
	for _, k := range kinds {
		if e.Kind == k {
			return
		}
	}
	t.Fatalf("%q: unexpected error kind %q: %v", src, e.Kind, e)
}

// failIfSlow fails an input that took more than two seconds: every input
// is bounded (21,000 characters, depth 50, 10 MiB strings), so none should.
func failIfSlow(t *testing.T, src string, start time.Time) {
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("%.200q took %v", src, d)
	}
}

func FuzzParse(f *testing.F) {
	addVectorSeeds(f)
	f.Fuzz(func(t *testing.T, src string) {
		defer failIfSlow(t, src, time.Now())
		_, err := Parse(src)
		checkError(t, src, err, KindLex, KindParse)
		_, err = ParseTemplate(src)
		checkError(t, src, err, KindLex, KindParse)
		_, err = ParseIf(src, StepLevel)
		checkError(t, src, err, KindLex, KindParse)
		_, err = ParseIf(src, JobLevel)
		checkError(t, src, err, KindLex, KindParse)
	})
}

func FuzzEval(f *testing.F) {
	addVectorSeeds(f)
	ctxJSON, err := os.ReadFile("testdata/fuzz-context.json")
	if err != nil {
		f.Fatal(err)
	}
	ws := f.TempDir()
	if err := os.WriteFile(ws+"/a.txt", []byte("a"), 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src string) {
		defer failIfSlow(t, src, time.Now())
		// A fresh context each time: nothing may be mutated by evaluation,
		// but a fuzzer must not depend on that.
		c := contextFromJSON(t, ctxJSON)
		c.Workspace = ws
		v, err := Evaluate(src, c)
		checkError(t, src, err, KindLex, KindParse, KindEval)
		_ = ToJSON(v)
		_ = ToString(v)
		v, err = EvalTemplate(src, c)
		checkError(t, src, err, KindLex, KindParse, KindEval)
		_ = ToJSON(v)
		for _, level := range []Level{StepLevel, JobLevel} {
			c.Level = level
			_, err = EvalIf(src, c)
			checkError(t, src, err, KindLex, KindParse, KindEval)
		}
	})
}
