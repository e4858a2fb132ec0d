package runner

import (
	"reflect"
	"testing"
)

func TestParseEnvFile(t *testing.T) {
	tests := []struct {
		name, in string
		want     []envPair
		err      string
	}{
		{"simple", "a=1\nb=\n\nwith_equals=a=b=c\n", []envPair{{"a", "1"}, {"b", ""}, {"with_equals", "a=b=c"}}, ""},
		{"no final newline", "a=1", []envPair{{"a", "1"}}, ""},
		{"cr kept on linux", "a=1\r\n", []envPair{{"a", "1\r"}}, ""},
		{"heredoc", "x<<EOF\nl1\n\nl3\nEOF\ny=2\n", []envPair{{"x", "l1\n\nl3"}, {"y", "2"}}, ""},
		{"heredoc empty", "x<<EOF\nEOF\n", []envPair{{"x", ""}}, ""},
		{"heredoc delimiter at eof", "x<<EOF\nv\nEOF", []envPair{{"x", "v"}}, ""},
		{"heredoc delimiter with =", "x<<ghadelimiter_a=b\nv\nghadelimiter_a=b\n", []envPair{{"x", "v"}}, ""},
		{"= before <<", "a=b<<c\n", []envPair{{"a", "b<<c"}}, ""},
		{"delimiter not trimmed", "x<<EOF\nv\n EOF\nEOF\n", []envPair{{"x", "v\n EOF"}}, ""},
		{"delimiter case-sensitive", "x<<EOF\neof\nEOF\n", []envPair{{"x", "eof"}}, ""},
		{"later writes are separate pairs", "a=1\na=2\n", []envPair{{"a", "1"}, {"a", "2"}}, ""},
		{"missing delimiter", "ok=1\nx<<EOF\nv\n", []envPair{{"ok", "1"}}, "Invalid value. Matching delimiter not found 'EOF'"},
		{"marker without newline", "x<<EOF\nv", nil, "Invalid value. EOF marker missing new line."},
		{"empty delimiter", "x<<\nv\n", nil, "Invalid format 'x<<'. Name must not be empty and delimiter must not be empty"},
		{"empty heredoc name", "<<EOF\nEOF\n", nil, "Invalid format '<<EOF'. Name must not be empty and delimiter must not be empty"},
		{"empty name", "=v\n", nil, "Invalid format '=v'. Name must not be empty"},
		{"no separator", "a=1\njunk\nb=2\n", []envPair{{"a", "1"}}, "Invalid format 'junk'"},
	}
	for _, tt := range tests {
		got, err := parseEnvFile(tt.in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: pairs %q, want %q", tt.name, got, tt.want)
		}
		if msg := errString(err); msg != tt.err {
			t.Errorf("%s: error %q, want %q", tt.name, msg, tt.err)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
