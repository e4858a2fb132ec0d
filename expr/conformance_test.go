package expr

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// vector is one entry of testdata/expressions.json (see
// WORKFLOW_SEMANTICS.md §0).
type vector struct {
	Expr      string          `json:"expr"`
	Mode      string          `json:"mode"`
	Context   json.RawMessage `json:"context"`
	JobStatus string          `json:"job_status"`
	Workspace json.RawMessage `json:"workspace"`
	Want      json.RawMessage `json:"want"`
	Error     bool            `json:"error"`
	ErrorKind string          `json:"error_kind"`
	Note      string          `json:"note"`
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	data, err := os.ReadFile("../testdata/expressions.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) != 250 {
		t.Fatalf("expected 250 vectors, got %d", len(vs))
	}
	return vs
}

// contextFromJSON builds a Context from a vector's context object.
func contextFromJSON(t testing.TB, raw json.RawMessage) *Context {
	t.Helper()
	c := &Context{Values: map[string]any{}}
	if len(raw) == 0 || string(raw) == "null" {
		return c
	}
	v, err := FromJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	for k, val := range v.(*Object).All() {
		c.Values[strings.ToLower(k)] = val
	}
	return c
}

// makeWorkspace creates the workspace a "step" vector describes: a string
// (e.g. "empty directory") is an empty directory; an object maps relative
// file names to contents.
func makeWorkspace(t testing.TB, raw json.RawMessage) string {
	t.Helper()
	dir := t.TempDir()
	var files map[string]string
	if json.Unmarshal(raw, &files) == nil {
		for name, content := range files {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// runVector evaluates a vector in its mode.
func runVector(t testing.TB, v vector) (any, error) {
	c := contextFromJSON(t, v.Context)
	c.JobStatus = v.JobStatus
	switch v.Mode {
	case "", "expr":
		return Evaluate(v.Expr, c)
	case "step":
		c.Workspace = makeWorkspace(t, v.Workspace)
		return Evaluate(v.Expr, c)
	case "template":
		return EvalTemplate(v.Expr, c)
	case "step-if", "if-raw":
		return EvalIf(v.Expr, c)
	case "job-if":
		c.Level = JobLevel
		return EvalIf(v.Expr, c)
	}
	t.Fatalf("unknown mode %q", v.Mode)
	return nil, nil
}

func TestConformance(t *testing.T) {
	passed := 0
	for i, v := range loadVectors(t) {
		ok := t.Run(vectorName(i, v), func(t *testing.T) {
			got, err := runVector(t, v)
			if v.Error {
				e, ok := err.(*Error)
				if !ok {
					t.Fatalf("want a %s error, got %#v (err %v)", v.ErrorKind, got, err)
				}
				if e.Kind != v.ErrorKind {
					t.Fatalf("want a %s error, got %s error %q", v.ErrorKind, e.Kind, e)
				}
				if e.Line < 1 || e.Col < 1 {
					t.Fatalf("error without a position: %+v", e)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			want, err := FromJSON(v.Want)
			if err != nil {
				t.Fatal(err)
			}
			if !sameValue(got, want) {
				t.Fatalf("got %s, want %s", ToJSON(got), ToJSON(want))
			}
		})
		if ok {
			passed++
		}
	}
	t.Logf("%d/250 vectors pass", passed)
}

func vectorName(i int, v vector) string {
	name := v.Expr
	if len(name) > 40 {
		name = name[:40]
	}
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' || r == '\n' {
			return '_'
		}
		return r
	}, strings.ToValidUTF8(name, "?")) + "#" + strconv.Itoa(i)
}

// sameValue compares two values exactly: same types, numbers equal (NaN
// equal to NaN), object keys in the same order.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool, string:
		return a == b
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || math.IsNaN(x) && math.IsNaN(y))
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i]) {
				return false
			}
		}
		return true
	case *Object:
		y, ok := b.(*Object)
		if !ok || x.Len() != y.Len() {
			return false
		}
		xk, yk := x.Keys(), y.Keys()
		for i := range xk {
			xv, _ := x.Get(xk[i])
			yv, _ := y.Get(yk[i])
			if xk[i] != yk[i] || !sameValue(xv, yv) {
				return false
			}
		}
		return true
	}
	return false
}
