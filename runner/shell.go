package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// shellSpec is a `shell:` resolved as the runner's ScriptHandler does (§9).
type shellSpec struct {
	command string // the shell's name as written: bash, sh, python, or a custom program
	path    string // where it was found
	format  string // the argument format, with {0} for the script path
}

// errInvalidShell is ScriptHandler's message for a shell that is neither a
// built-in nor a format string with {0}.
var errInvalidShell = errors.New("Invalid shell option. Shell must be a valid built-in (bash, sh, cmd, powershell, pwsh) or a format string containing '{0}'")

// builtinShellArgs are ScriptHandlerHelpers' argument formats. Note the
// difference between `shell: bash` (pipefail, no profile) and no shell at
// all, which runs as "sh" with bash's path: `bash -e {0}`.
var builtinShellArgs = map[string]string{
	"bash":       "--noprofile --norc -e -o pipefail {0}",
	"sh":         "-e {0}",
	"python":     "{0}",
	"pwsh":       `-command ". '{0}'"`,
	"powershell": `-command ". '{0}'"`,
	"cmd":        `/D /E:ON /V:OFF /S /C "CALL "{0}""`,
}

// resolveShell finds the shell's program in dirs (the GITHUB_PATH entries,
// then the runner's PATH) and its argument format.
func resolveShell(shell string, dirs []string) (shellSpec, error) {
	if shell == "" {
		path := which("bash", dirs)
		if path == "" {
			path = which("sh", dirs)
		}
		if path == "" {
			return shellSpec{}, errors.New("sh: command not found")
		}
		return shellSpec{command: "sh", path: path, format: builtinShellArgs["sh"]}, nil
	}
	name, args, _ := strings.Cut(shell, " ")
	path := which(name, dirs)
	if path == "" && name == "python" {
		// Images without a `python` link still have python3.
		path = which("python3", dirs)
	}
	if path == "" {
		return shellSpec{}, fmt.Errorf("%s: command not found", name)
	}
	format := strings.TrimLeft(args, " \t")
	if format == "" {
		format = builtinShellArgs[strings.ToLower(name)]
	}
	if !strings.Contains(format, "{0}") {
		return shellSpec{}, errInvalidShell
	}
	return shellSpec{command: name, path: path, format: format}, nil
}

// scriptExtension is the script file's extension for a shell: some shells
// (python, pwsh) care.
func scriptExtension(shell string) string {
	switch strings.ToLower(shell) {
	case "bash", "sh":
		return ".sh"
	case "python":
		return ".py"
	case "pwsh", "powershell":
		return ".ps1"
	case "cmd":
		return ".cmd"
	}
	return ""
}

// fixUpScript adds what the runner adds around PowerShell scripts so that
// errors and exit codes propagate.
func fixUpScript(shell, script string) string {
	switch strings.ToLower(shell) {
	case "pwsh", "powershell":
		return "$ErrorActionPreference = 'stop'\n" + script +
			"\nif ((Test-Path -LiteralPath variable:\\LASTEXITCODE)) { exit $LASTEXITCODE }"
	}
	return script
}

// shellArgv builds the argument list: the format with {0} replaced by the
// script path (string.Format), split as .NET splits a command line.
func shellArgv(format, scriptPath string) ([]string, error) {
	args, err := formatArg0(format, strings.ReplaceAll(scriptPath, `"`, `\"`))
	if err != nil {
		return nil, err
	}
	return splitCommandLine(args), nil
}

// formatArg0 is string.Format(format, arg) for the one argument the runner
// passes: {{ and }} are literal braces, {0} is arg, anything else between
// braces is a format error.
func formatArg0(format, arg string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		switch {
		case strings.HasPrefix(format[i:], "{{"), strings.HasPrefix(format[i:], "}}"):
			b.WriteByte(c)
			i++
		case strings.HasPrefix(format[i:], "{0}"):
			b.WriteString(arg)
			i += 2
		case c == '{' || c == '}':
			return "", fmt.Errorf("invalid shell format %q: input string was not in a correct format", format)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// splitCommandLine splits a command line into arguments the way .NET's
// Process does on Unix (ParseArgumentsIntoList): whitespace separates,
// double quotes group, backslashes escape a following quote, and "" inside
// quotes is a literal quote.
func splitCommandLine(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i == len(s) {
			break
		}
		var arg string
		arg, i = nextArgument(s, i)
		out = append(out, arg)
	}
	return out
}

func nextArgument(s string, i int) (string, int) {
	var b strings.Builder
	inQuotes := false
	for i < len(s) {
		slashes := 0
		for i < len(s) && s[i] == '\\' {
			i++
			slashes++
		}
		if slashes > 0 {
			if i >= len(s) || s[i] != '"' {
				b.WriteString(strings.Repeat(`\`, slashes))
			} else {
				b.WriteString(strings.Repeat(`\`, slashes/2))
				if slashes%2 != 0 {
					b.WriteByte('"')
					i++
				}
			}
			continue
		}
		c := s[i]
		switch {
		case c == '"' && inQuotes && i+1 < len(s) && s[i+1] == '"':
			b.WriteByte('"')
			i += 2
		case c == '"':
			inQuotes = !inQuotes
			i++
		case (c == ' ' || c == '\t') && !inQuotes:
			return b.String(), i
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), i
}

// which finds an executable in dirs, as WhichUtil does; a name with a
// slash must be an absolute path to an executable file.
func which(name string, dirs []string) string {
	if name == "" {
		return ""
	}
	if strings.Contains(name, "/") {
		if filepath.IsAbs(name) && isExecutable(name) {
			return name
		}
		return ""
	}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		if p := filepath.Join(d, name); isExecutable(p) {
			return p
		}
	}
	return ""
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}
