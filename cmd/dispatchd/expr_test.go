package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dispatchd/dispatchd/expr"
)

// exprVector is one entry of testdata/expressions.json.
type exprVector struct {
	Expr      string          `json:"expr"`
	Mode      string          `json:"mode"`
	Context   json.RawMessage `json:"context"`
	JobStatus string          `json:"job_status"`
	Want      json.RawMessage `json:"want"`
	Error     bool            `json:"error"`
}

// runExprCmd runs `dispatchd expr args…` in process.
func runExprCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRootCmd()
	root.SetArgs(append([]string{"expr"}, args...))
	root.SetOut(&out)
	root.SetErr(&errOut)
	err = root.Execute()
	return out.String(), errOut.String(), err
}

var positionPrefix = regexp.MustCompile(`^\d+:\d+: \S`)

// TestExprCmdVectors runs every expression vector through the command.
func TestExprCmdVectors(t *testing.T) {
	data, err := os.ReadFile("../../testdata/expressions.json")
	if err != nil {
		t.Fatal(err)
	}
	var vectors []exprVector
	if err := json.Unmarshal(data, &vectors); err != nil {
		t.Fatal(err)
	}
	if len(vectors) != 250 {
		t.Fatalf("expected 250 vectors, got %d", len(vectors))
	}
	dir := t.TempDir()
	for i, v := range vectors {
		args := exprArgs(t, dir, v)
		stdout, stderr, err := runExprCmd(t, args...)
		if v.Error {
			var ee exitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Errorf("#%d %q: want exit status 1, got %v (stdout %q)", i, v.Expr, err, stdout)
			}
			if !positionPrefix.MatchString(stderr) || stdout != "" {
				t.Errorf("#%d %q: want line:col: message on stderr only, got stderr %q stdout %q", i, v.Expr, stderr, stdout)
			}
			continue
		}
		if err != nil || stderr != "" {
			t.Errorf("#%d %q: unexpected failure %v: %s", i, v.Expr, err, stderr)
			continue
		}
		if !json.Valid([]byte(stdout)) {
			t.Errorf("#%d %q: stdout is not JSON: %q", i, v.Expr, stdout)
			continue
		}
		if got, want := canonicalJSON(t, []byte(stdout)), canonicalJSON(t, v.Want); got != want {
			t.Errorf("#%d %q: got %s, want %s", i, v.Expr, got, want)
		}
	}
}

// exprArgs turns a vector into command-line arguments.
func exprArgs(t *testing.T, dir string, v exprVector) []string {
	t.Helper()
	mode := v.Mode
	var args []string
	switch mode {
	case "":
		mode = "expr"
	case "step": // an expression at step level that needs a workspace
		mode = "expr"
		args = append(args, "--workspace", t.TempDir()) // an empty workspace
	}
	args = append(args, "--mode", mode)
	if v.JobStatus != "" {
		args = append(args, "--job-status", v.JobStatus)
	}
	if len(v.Context) > 0 && string(v.Context) != "null" {
		file := filepath.Join(dir, "context.json")
		if err := os.WriteFile(file, v.Context, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--context", file)
	}
	return append(args, "--", v.Expr)
}

// canonicalJSON re-encodes JSON through the expr package, which keeps key
// order: equal strings mean equal values with keys in the same order.
func canonicalJSON(t *testing.T, data []byte) string {
	t.Helper()
	v, err := expr.FromJSON(data)
	if err != nil {
		t.Fatalf("invalid JSON %q: %v", data, err)
	}
	return expr.ToJSON(v)
}

func TestExprCmdBadExpression(t *testing.T) {
	stdout, stderr, err := runExprCmd(t, "github.event_name ==\n  'push' & true")
	var ee exitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("want exit status 1, got %v", err)
	}
	if stdout != "" {
		t.Errorf("stdout = %q, want nothing", stdout)
	}
	if want := "2:10: Unexpected symbol: '&'\n"; stderr != want {
		t.Errorf("stderr = %q, want %q", stderr, want)
	}
}

func TestExprCmdEvalError(t *testing.T) {
	_, stderr, err := runExprCmd(t, "format('{0}')")
	if !errors.As(err, new(exitError)) {
		t.Fatalf("want exitError, got %v", err)
	}
	if !strings.HasPrefix(stderr, "1:1: The following format string references more arguments") {
		t.Errorf("stderr = %q", stderr)
	}
}

func TestExprCmdContextKeyOrder(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ctx.json")
	ctx := `{"GitHub": {"event": {"client_payload": {"zeta": 1, "alpha": {"y": true, "x": null}}}}}`
	if err := os.WriteFile(file, []byte(ctx), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := runExprCmd(t, "--context", file, "github.event.client_payload")
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"zeta\": 1,\n  \"alpha\": {\n    \"y\": true,\n    \"x\": null\n  }\n}\n"
	if stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
}

func TestExprCmdTemplateAndJobIf(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ctx.json")
	if err := os.WriteFile(file, []byte(`{"needs": {"build": {"result": "failure"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--mode", "template", "--context", file, "result=${{ needs.build.result }}"}, `"result=failure"`},
		{[]string{"--mode", "template", "${{ 1 }}"}, `1`},
		{[]string{"--mode", "job-if", "--job-status", "failure", "--context", file, "needs.build.result == 'failure'"}, `false`},
		{[]string{"--mode", "job-if", "--job-status", "failure", "--context", file, "failure()"}, `true`},
		{[]string{"format('{0}', NaN)"}, `"NaN"`},
		{[]string{"--", "-Infinity < 0"}, `true`},
		{[]string{"NaN"}, `NaN`},
	} {
		stdout, stderr, err := runExprCmd(t, tc.args...)
		if err != nil || strings.TrimSuffix(stdout, "\n") != tc.want {
			t.Errorf("%q: got %q, %v, %q; want %s", tc.args, stdout, err, stderr, tc.want)
		}
	}
}

func TestExprCmdBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--mode", "nope", "1"},
		{"--job-status", "skipped", "1"},
		{"--context", filepath.Join(t.TempDir(), "missing.json"), "1"},
		{},
	} {
		_, _, err := runExprCmd(t, args...)
		if err == nil || errors.As(err, new(exitError)) {
			t.Errorf("%q: want a usage error, got %v", args, err)
		}
	}
}

func TestExprCmdContextFromStdin(t *testing.T) {
	var out, errOut bytes.Buffer
	root := newRootCmd()
	root.SetArgs([]string{"expr", "--context", "-", "--mode", "step-if", "inputs.dry_run"})
	root.SetIn(strings.NewReader(`{"inputs": {"dry_run": false}}`))
	root.SetOut(&out)
	root.SetErr(&errOut)
	if err := root.Execute(); err != nil {
		t.Fatal(err, errOut.String())
	}
	if out.String() != "false\n" {
		t.Errorf("stdout = %q, want false", out.String())
	}
}
