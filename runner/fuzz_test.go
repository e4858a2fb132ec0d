package runner

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// escapeData is how @actions/toolkit escapes a command's data.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty is how @actions/toolkit escapes a property value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// FuzzParseCommand: the parser never panics, only recognises registered
// commands, and gives back what a toolkit-escaped command carried.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{
		"::error file=app.js,line=1,col=5::Missing semicolon",
		"::warning title=a%3Ab%2Cc::x%0Ay%25",
		"  ::notice::indented",
		"::set-output name=x::",
		"::stop-commands::tok",
		"##[group]legacy",
		"x ##[error file=a;line=2]legacy%3B%5D",
		"::no-such::x",
		"::error k==v,=x,,::d",
		"::",
		"::::",
		"##[]",
		"::error\x00::\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if c, ok := parseCommand(line, isBuiltinCommand); ok && !isBuiltinCommand(c.name) {
			t.Fatalf("%q parsed as unregistered command %q", line, c.name)
		}
		// Round trip through the toolkit's escaping. Data may contain "::".
		line = strings.ToValidUTF8(line, "")
		c, ok := parseCommand("::warning title="+escapeProperty(line)+"::"+escapeData(line), isBuiltinCommand)
		if !ok || c.name != "warning" || c.data != line {
			t.Fatalf("data %q: got %v %+v", line, ok, c)
		}
		// The runner trims the (still escaped) properties string, so literal
		// trailing blanks of the last property are lost; a value with '=' or
		// ' ' splits differently.
		want := unescapeProperty(strings.TrimRightFunc(escapeProperty(line), unicode.IsSpace))
		if title, _ := c.prop("title"); want != "" && !strings.ContainsAny(line, " =") && title != want {
			t.Fatalf("title %q: got %q", line, title)
		}
	})
}

// FuzzParseEnvFile: the parser never panics, every name is non-empty and
// one line, and a heredoc entry written as the toolkit writes it reads back
// exactly.
func FuzzParseEnvFile(f *testing.F) {
	for _, s := range []string{
		"a=1\nb=\n", "x<<EOF\nl1\n\nl3\nEOF\n", "x<<EOF\nv", "x<<\n", "=v\n", "junk\n",
		"a=b<<c\n", "x<<EOF\nEOF", "x<<E=F\nv\nE=F\n", "\n\n\r\n", "x<<EOF\r\nv\r\nEOF\r\n",
	} {
		f.Add(s, "name", "value\nwith lines")
	}
	f.Fuzz(func(t *testing.T, text, name, value string) {
		pairs, _ := parseEnvFile(text)
		for _, p := range pairs {
			if p.name == "" || strings.Contains(p.name, "\n") {
				t.Fatalf("%q: bad name %q", text, p.name)
			}
		}
		if name == "" || strings.ContainsAny(name, "=<\n") || !utf8.ValidString(value) {
			return
		}
		delim := "ghadelimiter_d5b0d1c4"
		for strings.Contains("\n"+value+"\n", "\n"+delim+"\n") {
			delim += "_"
		}
		got, err := parseEnvFile(name + "<<" + delim + "\n" + value + "\n" + delim + "\n")
		if err != nil || len(got) != 1 || got[0] != (envPair{name, value}) {
			t.Fatalf("%q=%q: got %q, %v", name, value, got, err)
		}
	})
}
