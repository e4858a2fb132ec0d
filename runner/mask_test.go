package runner

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestMaskBasics(t *testing.T) {
	m := newMasker()
	m.addSecret("hunter22")
	m.addSecret("") // ignored
	m.addSecret("   ")
	tests := map[string]string{
		"pw=hunter22.":            "pw=***.",
		"hunter22hunter22":        "***", // touching occurrences merge
		"no secret here":          "no secret here",
		"HUNTER22 differs":        "HUNTER22 differs", // ordinal, like SecretMasker
		"a hunter22 b hunter22 c": "a *** b *** c",
	}
	for in, want := range tests {
		if got := m.mask(in); got != want {
			t.Errorf("mask(%q) = %q, want %q", in, got, want)
		}
	}
	if !m.hides("x hunter22") || m.hides("hunter2") {
		t.Error("hides")
	}
}

func TestMaskOverlapping(t *testing.T) {
	m := newMasker()
	m.add("abcd")
	m.add("cdef")
	if got := m.mask("xxabcdefyy"); got != "xx***yy" {
		t.Errorf("overlapping values: %q", got)
	}
	m = newMasker()
	m.add("aa")
	if got := m.mask("aaa"); got != "***" {
		t.Errorf("overlapping occurrences: %q", got)
	}
}

func TestMaskMultiLineSecret(t *testing.T) {
	m := newMasker()
	m.addSecret("-----BEGIN KEY-----\nline-one-abc\n  line-two-def  \n\n-----END KEY-----")
	for _, line := range []string{"-----BEGIN KEY-----", "line-one-abc", "  line-two-def  ", "-----END KEY-----"} {
		if got := m.mask(line); strings.Contains(got, strings.TrimSpace(line)) {
			t.Errorf("line %q printed alone is not masked: %q", line, got)
		}
	}
}

func TestMaskEncodings(t *testing.T) {
	const secret = `p@ss w0rd"<&>'`
	m := newMasker()
	m.addSecret(secret)
	forms := map[string]string{
		"base64":           base64.StdEncoding.EncodeToString([]byte(secret)),
		"base64 in basic":  base64.StdEncoding.EncodeToString([]byte("user:" + secret)),
		"base64 offset 1":  base64.StdEncoding.EncodeToString([]byte("x:" + secret + "tail")),
		"base64 offset 2":  base64.StdEncoding.EncodeToString([]byte("xy:" + secret + "tail")),
		"uri data escape":  uriEscape(secret),
		"json":             `{"pw":"p@ss w0rd\"<&>'"}`,
		"xml":              "p@ss w0rd&quot;&lt;&amp;&gt;&apos;",
		"expression quote": "p@ss w0rd\"<&>''",
	}
	for name, form := range forms {
		got := m.mask(form)
		if !strings.Contains(got, "***") {
			t.Errorf("%s form %q not masked: %q", name, form, got)
		}
	}
	if got := uriEscape(secret); got != "p%40ss%20w0rd%22%3C%26%3E%27" {
		t.Errorf("uriEscape = %q", got)
	}
	if got := jsonEscape("a\"b\\c\n\t\x01é"); got != `a\"b\\c\n\t\u0001é` {
		t.Errorf("jsonEscape = %q", got)
	}
}

func TestMaskTrimDoubleQuotes(t *testing.T) {
	m := newMasker()
	m.addSecret(`"quoted-secret"`)
	if got := m.mask("value quoted-secret"); got != "value ***" {
		t.Errorf("inner of a quoted secret: %q", got)
	}
	m = newMasker()
	m.addSecret(`"short"`) // 7 characters: not trimmed (the runner requires more than 8)
	if got := m.mask("short"); got != "short" {
		t.Errorf("short quoted secret trimmed: %q", got)
	}
}
