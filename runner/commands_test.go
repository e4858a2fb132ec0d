package runner

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		line  string
		ok    bool
		name  string
		props map[string]string
		data  string
	}{
		{"::error::boom", true, "error", map[string]string{}, "boom"},
		{"   \t::warning::indented", true, "warning", map[string]string{}, "indented"},
		{"::ERROR::names are case-insensitive", true, "ERROR", map[string]string{}, "names are case-insensitive"},
		{"::error file=app.js,line=1,col=5::Missing semicolon", true, "error",
			map[string]string{"file": "app.js", "line": "1", "col": "5"}, "Missing semicolon"},
		{"::error File=a.go,LINE=3::x", true, "error", map[string]string{"file": "a.go", "line": "3"}, "x"},
		{"::warning title=a%3Ab%2Cc%0Ad::m", true, "warning", map[string]string{"title": "a:b,c\nd"}, "m"},
		{"::error::first%0Asecond%0D%25", true, "error", map[string]string{}, "first\nsecond\r%"},
		{"::error::%250A stays %0A once", true, "error", map[string]string{}, "%0A stays \n once"},
		{"::error::%3A is not unescaped in data", true, "error", map[string]string{}, "%3A is not unescaped in data"},
		{"::error k==v,=x,y=,,z=1=2::d", true, "error", map[string]string{"k": "v", "z": "1=2"}, "d"},
		{"::set-output name=a::", true, "set-output", map[string]string{"name": "a"}, ""},
		{"::endgroup::", true, "endgroup", map[string]string{}, ""},
		{"::error::a::b", true, "error", map[string]string{}, "a::b"},
		{"not a command: ::warning::in the middle", false, "", nil, ""},
		{"::no-such-command::printed as is", false, "", nil, ""},
		{"::error", false, "", nil, ""},
		{":: error::x", false, "", nil, ""},
		{"", false, "", nil, ""},
		// The legacy form, anywhere in the line.
		{"prefix ##[warning file=a.js;line=2]legacy%3Bdata%5D", true, "warning",
			map[string]string{"file": "a.js", "line": "2"}, "legacy;data]"},
		{"##[group]Build", true, "group", map[string]string{}, "Build"},
		{"##[unknown]x", false, "", nil, ""},
		{"##[error no closing bracket", false, "", nil, ""},
	}
	for _, tt := range tests {
		c, ok := parseCommand(tt.line, isBuiltinCommand)
		if ok != tt.ok {
			t.Errorf("%q: ok = %v", tt.line, ok)
			continue
		}
		if !ok {
			continue
		}
		if c.name != tt.name || c.data != tt.data || !reflect.DeepEqual(c.props, tt.props) {
			t.Errorf("%q: got %q %v %q, want %q %v %q", tt.line, c.name, c.props, c.data, tt.name, tt.props, tt.data)
		}
	}
}

func TestSplitPair(t *testing.T) {
	tests := []struct{ in, k, v string }{
		{"a=b", "a", "b"}, {"a==b", "a", "b"}, {"a=b=c", "a", "b=c"}, {"=b", "", ""}, {"a=", "", ""}, {"a", "", ""},
	}
	for _, tt := range tests {
		k, v, ok := splitPair(tt.in)
		if (tt.k != "") != ok || k != tt.k || v != tt.v {
			t.Errorf("splitPair(%q) = %q, %q, %v", tt.in, k, v, ok)
		}
	}
}

func TestValidateLinesAndColumns(t *testing.T) {
	tests := []struct{ in, want map[string]string }{
		{map[string]string{"endline": "4"}, map[string]string{"endline": "4", "line": "4"}},
		{map[string]string{"col": "2"}, map[string]string{}},
		{map[string]string{"line": "1", "endline": "3", "col": "2"}, map[string]string{"line": "1", "endline": "3"}},
		{map[string]string{"line": "5", "endline": "3"}, map[string]string{}},
		{map[string]string{"line": "1", "col": "5", "endcolumn": "2"}, map[string]string{"line": "1"}},
		{map[string]string{"line": "1", "col": "2", "endcolumn": "5"}, map[string]string{"line": "1", "col": "2", "endcolumn": "5"}},
	}
	for _, tt := range tests {
		got := map[string]string{}
		for k, v := range tt.in {
			got[k] = v
		}
		validateLinesAndColumns(got)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%v: got %v, want %v", tt.in, got, tt.want)
		}
	}
}

// procLines feeds lines to a command processor and returns the log.
func procLines(t *testing.T, p *cmdProc, lines ...string) (*recorder, []string) {
	t.Helper()
	rec := newRecorder()
	p.log = newLogger(rec, p.mask, p.echo)
	rec.StepStarted(1, "step")
	for _, l := range lines {
		p.line(l)
	}
	return rec, rec.steps[1].lines
}

func newTestProc() *cmdProc {
	return &cmdProc{mask: newMasker(), n: 1, workspace: "/work/repo/repo"}
}

func TestCommandProcessing(t *testing.T) {
	p := newTestProc()
	rec, lines := procLines(t, p,
		"::group::G", "in", "::endgroup::",
		"::error file=/work/repo/repo/src/a.go,line=3,endLine=3,col=1,endColumn=9,title=T::msg",
		"::debug::hidden",
		"::add-mask::s3cr3t-value",
		"the s3cr3t-value is masked",
		"::add-mask::   ",
		"::set-output name=out::v1",
		"::set-output::no name",
		"::echo::sideways",
		"::add-path::/opt/x",
		"plain",
	)
	want := []string{
		"##[group]G", "in", "##[endgroup]",
		"##[error]msg",
		"the *** is masked",
		"##[warning]Can't add secret mask for empty string in ##[add-mask] command.",
		"##[warning]" + strings.ReplaceAll(msgUnsupportedCommand, "%s", "set-output"),
		"##[error]Unable to process command '::set-output::no name' successfully.",
		"##[error]Required field 'name' is missing in ##[set-output] command.",
		"##[error]Unable to process command '::echo::sideways' successfully.",
		"##[error]Invalid echo command value. Possible values can be: 'on', 'off'. Current value is: 'sideways'.",
		"##[error]Unable to process command '::add-path::/opt/x' successfully.",
		"##[error]" + strings.ReplaceAll(msgCommandDisabled, "%s", "add-path"),
		"plain",
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("log:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	a := rec.annotations[0]
	if a.File != "src/a.go" || a.Line != 3 || a.EndLine != 3 || a.Col != 1 || a.EndColumn != 9 || a.Title != "T" || a.Step != 1 {
		t.Errorf("annotation %+v", a)
	}
	if !p.failed || len(p.outputs) != 1 || p.outputs[0] != (envPair{"out", "v1"}) || len(p.paths) != 0 {
		t.Errorf("failed=%v outputs=%v paths=%v", p.failed, p.outputs, p.paths)
	}
}

func TestCommandEchoAndDebug(t *testing.T) {
	p := newTestProc()
	p.echo = true // step debug on
	_, lines := procLines(t, p, "::debug::visible%0Atwo", "::add-mask::abcdefgh", "::group::G", "::echo::off", "::group::H")
	want := []string{"##[debug]visible", "##[debug]two", "::add-mask::***", "::group::G", "##[group]G", "::echo::off", "##[group]H"}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("log %q, want %q", lines, want)
	}
}

func TestStopCommands(t *testing.T) {
	p := newTestProc()
	_, lines := procLines(t, p,
		"::stop-commands::tok-12345",
		"::error::verbatim",
		"##[error]legacy verbatim",
		"::TOK-12345::",
		"::error::processed",
		"::stop-commands::short",
		"::warning::verbatim too",
		"::short::",
	)
	// The resume token matches case-insensitively; masking is ordinal, so
	// the differently-cased token is printed as is.
	want := []string{"::stop-commands::***", "::error::verbatim", "##[error]legacy verbatim", "::TOK-12345::", "##[error]processed",
		"::stop-commands::short", "::warning::verbatim too", "::short::"}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("log %q, want %q", lines, want)
	}
	if p.failed {
		t.Error("valid stop tokens failed the step")
	}
}

func TestStopCommandsRejectsTokens(t *testing.T) {
	for _, token := range []string{"", "pause-logging", "Error", "set-env"} {
		p := newTestProc()
		_, lines := procLines(t, p, "::stop-commands::"+token, "::warning::still processed")
		want := []string{"##[error]" + msgStopTokenDisabled, "##[warning]still processed"}
		if !reflect.DeepEqual(lines, want) || !p.failed {
			t.Errorf("token %q: log %q, failed %v", token, lines, p.failed)
		}
	}
	p := newTestProc()
	p.allowStopTokens = true
	_, lines := procLines(t, p, "::stop-commands::pause-logging", "::warning::verbatim", "::pause-logging::", "::warning::again")
	if want := []string{"::stop-commands::***", "::warning::verbatim", "::***::", "##[warning]again"}; !reflect.DeepEqual(lines, want) || p.failed {
		t.Errorf("allowed token: log %q, failed %v", lines, p.failed)
	}
}

func TestUnsecureCommandsOptIn(t *testing.T) {
	p := newTestProc()
	p.allowUnsecure = true
	_, lines := procLines(t, p, "::set-env name=A::1", "::set-env name=node_options::x", "::add-path::/opt/bin")
	if len(p.envs) != 1 || p.envs[0] != (envPair{"A", "1"}) || !reflect.DeepEqual(p.paths, []string{"/opt/bin"}) {
		t.Errorf("envs %v paths %v", p.envs, p.paths)
	}
	if want := []string{"##[error]Can't update NODE_OPTIONS environment variable using ::set-env:: command."}; !reflect.DeepEqual(lines, want) {
		t.Errorf("log %q", lines)
	}
}

func TestAnnotationCap(t *testing.T) {
	p := newTestProc()
	var lines []string
	for range 12 {
		lines = append(lines, "::warning::w")
	}
	rec, log := procLines(t, p, lines...)
	if len(rec.annotations) != maxIssues || len(log) != 12 {
		t.Errorf("%d annotations, %d log lines", len(rec.annotations), len(log))
	}
}

func TestDetachedProcDropsLines(t *testing.T) {
	p := newTestProc()
	rec := newRecorder()
	p.log = newLogger(rec, p.mask, false)
	rec.StepStarted(1, "s")
	p.line("before")
	p.detach()
	p.line("after")
	p.line("::set-output name=x::y")
	if got := rec.steps[1].lines; !reflect.DeepEqual(got, []string{"before"}) || len(p.outputs) != 0 {
		t.Errorf("lines %q outputs %v", got, p.outputs)
	}
}
