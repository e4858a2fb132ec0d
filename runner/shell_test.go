package runner

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func systemDirs() []string { return strings.Split(os.Getenv("PATH"), ":") }

func TestResolveShell(t *testing.T) {
	bash, sh := which("bash", systemDirs()), which("sh", systemDirs())
	if bash == "" || sh == "" {
		t.Fatal("bash and sh are needed on this machine")
	}
	tests := []struct {
		shell, command, path, format string
	}{
		{"", "sh", bash, "-e {0}"}, // no shell: bash's path, sh's arguments
		{"bash", "bash", bash, "--noprofile --norc -e -o pipefail {0}"},
		{"sh", "sh", sh, "-e {0}"},
		{"bash {0}", "bash", bash, "{0}"},
		{"bash   -x {0}", "bash", bash, "-x {0}"},
		{"sh -c 'cat {0}'", "sh", sh, "-c 'cat {0}'"},
	}
	for _, tt := range tests {
		got, err := resolveShell(tt.shell, systemDirs())
		if err != nil {
			t.Errorf("%q: %v", tt.shell, err)
			continue
		}
		if got != (shellSpec{tt.command, tt.path, tt.format}) {
			t.Errorf("%q: %+v", tt.shell, got)
		}
	}
	for shell, msg := range map[string]string{
		"no-such-shell-xyz": "no-such-shell-xyz: command not found",
		"bash -x":           errInvalidShell.Error(),
		"cat":               errInvalidShell.Error(),
	} {
		if _, err := resolveShell(shell, systemDirs()); errString(err) != msg {
			t.Errorf("%q: error %v, want %q", shell, err, msg)
		}
	}
}

func TestResolveShellDefaultFallsBackToSh(t *testing.T) {
	dir := t.TempDir()
	fakeSh := filepath.Join(dir, "sh")
	if err := os.WriteFile(fakeSh, []byte("#!/bin/true\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := resolveShell("", []string{dir})
	if err != nil || got.path != fakeSh || got.format != "-e {0}" {
		t.Errorf("%+v %v", got, err)
	}
}

func TestResolveShellPython(t *testing.T) {
	dir := t.TempDir()
	py3 := filepath.Join(dir, "python3")
	if err := os.WriteFile(py3, []byte("#!/bin/true\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := resolveShell("python", []string{dir})
	if err != nil || got.path != py3 || got.format != "{0}" || scriptExtension(got.command) != ".py" {
		t.Errorf("python falls back to python3: %+v %v", got, err)
	}
}

func TestShellArgv(t *testing.T) {
	tests := []struct {
		format, path string
		want         []string
	}{
		{"-e {0}", "/tmp/s.sh", []string{"-e", "/tmp/s.sh"}},
		{"--noprofile --norc -e -o pipefail {0}", "/t/a b.sh", []string{"--noprofile", "--norc", "-e", "-o", "pipefail", "/t/a", "b.sh"}},
		{`-command ". '{0}'"`, "/t/s.ps1", []string{"-command", ". '/t/s.ps1'"}},
		{`-c "exec(open('{0}').read())"`, "/t/p.py", []string{"-c", "exec(open('/t/p.py').read())"}},
		{`"{0}"`, `/t/q"x`, []string{`/t/q"x`}},
		// Backslashes are literal unless before a quote; an even run before
		// a quote halves and the quote toggles; "" inside quotes is a quote.
		{`a\\b "c\\" d" e""f`, "", []string{`a\\b`, `c\`, `d e"f`}},
		{`x\"y`, "", []string{`x"y`}},
		{"{{literal}} {0}", "/s", []string{"{literal}", "/s"}},
	}
	for _, tt := range tests {
		got, err := shellArgv(tt.format, tt.path)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("shellArgv(%q, %q) = %q, %v; want %q", tt.format, tt.path, got, err, tt.want)
		}
	}
	if _, err := shellArgv("{1} {0}", "/s"); err == nil {
		t.Error("{1} must be a format error")
	}
}

func TestScriptExtension(t *testing.T) {
	for shell, ext := range map[string]string{"bash": ".sh", "sh": ".sh", "python": ".py", "pwsh": ".ps1", "cmd": ".cmd", "perl": ""} {
		if got := scriptExtension(shell); got != ext {
			t.Errorf("%s: %q", shell, got)
		}
	}
	if got := fixUpScript("pwsh", "x"); !strings.HasPrefix(got, "$ErrorActionPreference = 'stop'\n") {
		t.Errorf("pwsh fix-up: %q", got)
	}
}
