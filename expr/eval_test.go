package expr

import (
	"errors"
	"strings"
	"testing"
)

// testContext is a small github/needs/steps context for the tests below.
func testContext(t *testing.T) *Context {
	t.Helper()
	v, err := FromJSON([]byte(`{
		"github": {"event_name": "repository_dispatch", "ref": "refs/heads/main",
			"event": {"action": "deploy", "client_payload": {
				"list": ["zero", "one", "two"],
				"items": [{"k": 1}, {"k": null}, {"j": 3}, "str", [5, 6]],
				"Obj": {"b": 2, "a": 1}}}},
		"inputs": {"environment": "prod", "dry_run": false},
		"needs": {"build": {"result": "success"}, "test": {"result": "failure"}}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	c := &Context{Values: map[string]any{}}
	for k, v := range v.(*Object).All() {
		c.Values[k] = v
	}
	return c
}

func evalJSON(t *testing.T, src string, c *Context) string {
	t.Helper()
	v, err := Evaluate(src, c)
	if err != nil {
		t.Fatalf("Evaluate(%q): %v", src, err)
	}
	return ToJSON(v)
}

func TestEvalSemantics(t *testing.T) {
	c := testContext(t)
	for _, tc := range []struct{ src, want string }{
		// Filters: missing keys dropped, present nulls kept, scalars dropped,
		// nested arrays indexed per element.
		{"toJSON(github.event.client_payload.items.*.k)", `"[\n  1,\n  null\n]"`},
		{"github.event.client_payload.items[*][1]", "[\n  6\n]"},
		{"github.event.client_payload.obj.*", "[\n  2,\n  1\n]"},
		{"github.event.client_payload.list.*.*", "[]"},
		{"inputs.environment.*", "[]"},
		{"(github.event.client_payload.list.*)[0]", "[]"},
		{"join(github.event.client_payload.list.*, '+')", `"zero+one+two"`},
		{"contains(github.event.client_payload.list.*, 'ONE')", "true"},
		// Identity: the same context value is equal to itself; copies are not.
		{"github.event.client_payload.list == github.event.client_payload.list", "true"},
		{"github.event.client_payload.list >= github.event.client_payload.list", "true"},
		{"github.event.client_payload.list.* == github.event.client_payload.list.*", "false"},
		{"fromJSON('[]') == fromJSON('[]')", "false"},
		{"github.event.client_payload.list != 'Array'", "true"},
		// Index coercion.
		{"github.event.client_payload.list[1.9]", `"one"`},
		{"github.event.client_payload.list[true]", `"one"`},
		{"github.event.client_payload.list[' 0x02 ']", `"two"`},
		{"github.event.client_payload.list['abc']", "null"},
		{"github.event.client_payload.list[NaN]", "null"},
		{"github.event.client_payload.list[fromJSON('[1]')]", "null"},
		{"github.event.client_payload.obj['B']", "2"},
		{"fromJSON('{\"1\": \"x\"}')[1.0]", `"x"`},
		{"fromJSON('{\"true\": \"x\"}')[true]", `"x"`},
		{"fromJSON('{\"\": \"x\"}')[null]", `"x"`},
		// Laziness: what GitHub never evaluates cannot fail.
		{"github.nope[format('{0}')]", "null"},
		{"false && format('{0}')", "false"},
		{"true || fromJSON('')", "true"},
		{"format('x', fromJSON(''))", `"x"`},
		{"format('{1}', fromJSON(''), 2)", `"2"`},
		{"format('{0}{0}', 'ab')", `"abab"`},
		{"contains(fromJSON('{}'), fromJSON(''))", "false"},
		{"contains(fromJSON('[]'), fromJSON(''))", "false"},
		{"startsWith(fromJSON('[]'), fromJSON(''))", "false"},
		{"join(fromJSON('[1]'), fromJSON(''))", `"1"`},
		{"case(false, fromJSON(''), 'd')", `"d"`},
		// join separators.
		{"join(fromJSON('[1, 2]'), null)", `"12"`},
		{"join(fromJSON('[1, 2]'), fromJSON('[]'))", `"1,2"`},
		{"join(fromJSON('[]'), '-')", `""`},
		{"join(null)", `""`},
		{"join(1.50)", `"1.5"`},
		// format.
		{"format('{{}}{{0}}')", `"{}{0}"`},
		{"format('{00}', 'x')", `"x"`},
		// String comparisons.
		{"'i' == 'I'", "true"},
		{"'ı' == 'I'", "false"},
		{"'ß' == 'SS'", "false"},
		{"'a' < 'B'", "true"},
		{"'Z' < 'a'", "false"},
		{"'\uffff' > '😀'", "true"}, // UTF-16 order: the surrogate sorts first
		{"startsWith('ǆemal', 'Ǆ')", "true"},
		// Status functions in expressions default to success.
		{"success() && !failure() && !cancelled() && always()", "true"},
		// Contexts by any case; missing contexts are null.
		{"GITHUB.EVENT_NAME", `"repository_dispatch"`},
		{"vars.x", "null"},
	} {
		if got := evalJSON(t, tc.src, c); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.src, got, tc.want)
		}
	}
}

func TestEvalErrors(t *testing.T) {
	c := testContext(t)
	for _, tc := range []struct{ src, want string }{
		{"format('{0}')", "1:1: The following format string references more arguments than were supplied: {0}"},
		{"format('{256}', 1)", "1:1: The following format string is invalid: {256}"},
		{"format('{0:x}', 1)", "1:1: Format specifiers are not supported by format(), in the following format string: {0:x}"},
		{"format('{0:x} {', 1)", "1:1: The following format string is invalid: {0:x} {"},
		{"format('{1:x}', 1)", "1:1: The following format string references more arguments than were supplied: {1:x}"},
		{"1 == 1 && fromJSON('{')", "1:11: Error parsing fromJson: unexpected end of JSON input"},
		{"fromJSON('[1] x')", "1:1: Error parsing fromJson: invalid data after the JSON value at offset 4"},
		{"case(1 == 1, 'a', 'b') && case('x', 1, 2)", "1:32: case predicate must evaluate to a boolean value"},
		{"success('build')", "1:1: Too many parameters supplied: 'success'"},
		{"toJSON(\n  hashFiles('*'))", "2:3: hashFiles is only available where a workspace is set (a step on a runner)"},
	} {
		_, err := Evaluate(tc.src, c)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindEval || e.Error() != tc.want {
			t.Errorf("%s: got %v, want eval error %q", tc.src, err, tc.want)
		}
	}
}

func TestFromJSONDepth(t *testing.T) {
	ok := "fromJSON('" + strings.Repeat("[", 64) + strings.Repeat("]", 64) + "')"
	if _, err := Evaluate(ok, nil); err != nil {
		t.Errorf("depth 64: %v", err)
	}
	bad := "fromJSON('" + strings.Repeat("[", 65) + strings.Repeat("]", 65) + "')"
	if _, err := Evaluate(bad, nil); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("depth 65: %v", err)
	}
}

func TestMemoryLimit(t *testing.T) {
	c := &Context{Values: map[string]any{"env": NewObject()}}
	c.Values["env"].(*Object).Set("big", strings.Repeat("x", 1<<20))
	src := "format('" + strings.Repeat("{0}", 11) + "', env.big)"
	if _, err := Evaluate(src, c); err == nil || !strings.Contains(err.Error(), "maximum allowed memory") {
		t.Errorf("format: %v", err)
	}
	if _, err := EvalTemplate(strings.Repeat("${{ env.big }}", 11), c); err == nil {
		t.Error("template: want a memory error")
	}
	if v, err := Evaluate("format('{0}{0}', env.big)", c); err != nil || len(v.(string)) != 2<<20 {
		t.Errorf("2 MiB: %v", err)
	}
}

func TestStatusFunctionsWithJobIDs(t *testing.T) {
	c := testContext(t)
	c.Level = JobLevel
	for _, tc := range []struct {
		src, status string
		want        bool
	}{
		{"success('build')", "", true},
		{"success('build', 'test')", "", false},
		{"success('BUILD')", StatusCancelled, false},
		{"failure('test')", "", true},
		{"failure('build', 'nosuch')", "", false},
		{"success()", StatusFailure, false},
		{"failure()", StatusFailure, true},
		{"cancelled()", StatusCancelled, true},
	} {
		c.JobStatus = tc.status
		got, err := EvalIf(tc.src, c)
		if err != nil || got != tc.want {
			t.Errorf("%s with %q: got %v, %v, want %v", tc.src, tc.status, got, err, tc.want)
		}
	}
}
