package expr

import (
	"errors"
	"strings"
	"testing"
)

func TestTemplates(t *testing.T) {
	c := testContext(t)
	for _, tc := range []struct{ src, want string }{
		{"plain text }} {{", `"plain text }} {{"`},
		{"", `""`},
		{"${{ inputs.dry_run }}", "false"}, // one expression keeps its type
		{"  ${{ inputs.dry_run }}", `"  false"`},
		{"${{ inputs.dry_run }}\n", `"false\n"`},
		{"${{ github.event.client_payload.obj }}", "{\n  \"b\": 2,\n  \"a\": 1\n}"},
		{"x${{ github.event.client_payload.obj }}", `"xObject"`},
		{"${{ '}}' }}", `"}}"`}, // }} inside a string literal does not close
		{"${{ 'a''}}''b' }}!", `"a'}}'b!"`},
		{"${{ 1 }}${{ 2 }}", `"12"`},
		{"${{1}}", "1"},
		{"{0} ${{ '{1}' }} }", `"{0} {1} }"`},
		{"${{ 0.1 }} ${{ 1e20 }}", `"0.1 1E+20"`},
	} {
		v, err := EvalTemplate(tc.src, c)
		if err != nil {
			t.Errorf("EvalTemplate(%q): %v", tc.src, err)
		} else if got := ToJSON(v); got != tc.want {
			t.Errorf("EvalTemplate(%q) = %s, want %s", tc.src, got, tc.want)
		}
	}
}

func TestTemplateErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"a ${{ b", "1:3: The expression is not closed. An unescaped ${{ sequence was found, but the closing }} sequence was not found."},
		{"a ${{ 'b }}", "1:3: The expression is not closed. An unescaped ${{ sequence was found, but the closing }} sequence was not found."},
		{"a ${{ }}", "1:7: An expression was expected"},
		{"line one\n  ${{ github.x &&& 1 }}", "2:18: Unexpected symbol: '&'"},
		{"ok ${{ 1 }} then ${{ nosuch }}", "1:22: Unrecognized named-value: 'nosuch'"},
		{strings.Repeat("${{ 1 }}", 255), "1:1: Too many parameters supplied: 'format'"},
		{"x" + strings.Repeat("{", 21000) + "${{ 1 }}", "1:1: Exceeded max expression length 21000"},
	} {
		_, err := ParseTemplate(tc.src)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindParse && e.Kind != KindLex || e.Error() != tc.want {
			t.Errorf("ParseTemplate(%.40q): got %v, want %q", tc.src, err, tc.want)
		}
	}
	if _, err := ParseTemplate(strings.Repeat("${{ 1 }}", 254)); err != nil {
		t.Errorf("254 expressions: %v", err)
	}
	// Evaluation errors point into the template.
	_, err := EvalTemplate("echo\n  ${{ format('{0}') }}", nil)
	if err == nil || err.Error() != "2:7: The following format string references more arguments than were supplied: {0}" {
		t.Errorf("eval error position: %v", err)
	}
}

func TestIf(t *testing.T) {
	c := testContext(t)
	for _, tc := range []struct {
		raw    string
		status string
		level  Level
		want   bool
	}{
		{"", StatusFailure, StepLevel, false},    // success()
		{"  \n", StatusSuccess, StepLevel, true}, // blank is success() too
		{"github.event.action == 'deploy'", StatusSuccess, StepLevel, true},
		{"github.event.action == 'deploy'", StatusFailure, StepLevel, false},
		{"  github.event.action == 'deploy'  ", StatusSuccess, StepLevel, true},
		{"${{ github.event.action == 'deploy' }}", StatusFailure, StepLevel, false},
		{"always() && false", StatusFailure, StepLevel, false},
		{"toJSON(failure())", StatusFailure, StepLevel, true}, // status call nested in an argument
		{"'failure()' && true", StatusFailure, StepLevel, false},
		{"ALWAYS()", StatusCancelled, StepLevel, true},
		{"!cancelled()", StatusCancelled, StepLevel, false},
		{"true && ${{ false }}", StatusSuccess, StepLevel, true},
		// The interpolated string is still wrapped in success() unless one of
		// its expressions calls a status function.
		{"true && ${{ false }}", StatusFailure, StepLevel, false},
		{"${{ failure() }} && ${{ false }}", StatusFailure, StepLevel, true},
		{"${{ '' }}${{ '' }}", StatusSuccess, StepLevel, false},
		{"needs.test.result == 'failure'", StatusFailure, JobLevel, false},
		{"failure() && needs.test.result == 'failure'", StatusFailure, JobLevel, true},
		{strings.Repeat("!", 48) + "true", StatusSuccess, StepLevel, true},
		{strings.Repeat("true && ", 100) + "true", StatusSuccess, StepLevel, true},
	} {
		c.JobStatus, c.Level = tc.status, tc.level
		got, err := EvalIf(tc.raw, c)
		if err != nil || got != tc.want {
			t.Errorf("EvalIf(%.50q) with %q = %v, %v; want %v", tc.raw, tc.status, got, err, tc.want)
		}
	}
}

func TestIfErrors(t *testing.T) {
	for _, tc := range []struct {
		raw   string
		level Level
		want  string
	}{
		{"secrets.token != ''", StepLevel, "1:1: Unrecognized named-value: 'secrets'"},
		{"env.x == 'y'", JobLevel, "1:1: Unrecognized named-value: 'env'"},
		{"${{ steps.a.outputs.b }}", JobLevel, "1:5: Unrecognized named-value: 'steps'"},
		{"hashFiles('x') != ''", JobLevel, "1:1: Unrecognized function: 'hashFiles'"},
		{"success('build')", StepLevel, "1:1: Too many parameters supplied: 'success'"},
		{"github.x ==", StepLevel, "1:10: Unexpected end of expression: '=='"},
		// The implicit success() && (…) adds a level: 49 '!' pass alone, not wrapped.
		{strings.Repeat("!", 49) + "true", StepLevel, "1:1: Exceeded max expression depth 50"},
		{"'" + strings.Repeat("x", 20990) + "'", StepLevel, "1:1: Exceeded max expression length 21000"},
		{"${{ '" + strings.Repeat("x", 20990) + "' }}", StepLevel, "1:1: Exceeded max expression length 21000"},
	} {
		_, err := ParseIf(tc.raw, tc.level)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindParse || e.Error() != tc.want {
			t.Errorf("ParseIf(%.40q): got %v, want %q", tc.raw, err, tc.want)
		}
	}
	if _, err := Parse(strings.Repeat("!", 49) + "true"); err != nil {
		t.Errorf("49 '!' alone: %v", err)
	}
	// 20,983 + len("success() && ()") = 20,998: fits.
	if _, err := ParseIf("${{ '"+strings.Repeat("x", 20981)+"' }}", StepLevel); err != nil {
		t.Errorf("wrapped length under the limit: %v", err)
	}
	if _, err := ParseIf("always() || "+strings.Repeat("!", 48)+"true", StepLevel); err != nil {
		t.Errorf("status call, no wrapping: %v", err)
	}
}

func TestTemplateCache(t *testing.T) {
	c := templateCache{max: 2, maxLen: 64}
	a, err := c.parse("Deploy ${{ github.ref }}")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := c.parse("Deploy ${{ github.ref }}"); b != a {
		t.Error("the same text was parsed twice")
	}
	if b, _ := c.parse("plain"); b == nil || len(c.m) != 1 {
		t.Errorf("plain text: %v, cache size %d, want it parsed and not kept", b, len(c.m))
	}
	if _, err := c.parse("${{ 1 + }}"); err == nil || len(c.m) != 1 {
		t.Errorf("a bad template: err %v, cache size %d", err, len(c.m))
	}
	long := "${{ '" + strings.Repeat("x", 64) + "' }}"
	if _, err := c.parse(long); err != nil || len(c.m) != 1 {
		t.Errorf("a long template: err %v, cache size %d, want it parsed and not kept", err, len(c.m))
	}
	c.parse("${{ 1 }}")
	c.parse("${{ 2 }}") // full: starts over
	if len(c.m) != 1 {
		t.Errorf("cache size %d after overflowing 2 entries, want 1", len(c.m))
	}
	// Cached or not, the value is the same.
	ctx := &Context{Values: map[string]any{"github": func() *Object { o := NewObject(); o.Set("ref", "main"); return o }()}}
	for range 2 {
		if v, err := EvalTemplate("Deploy ${{ github.ref }}", ctx); err != nil || v != "Deploy main" {
			t.Errorf("EvalTemplate = %v, %v", v, err)
		}
	}
}
