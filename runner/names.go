package runner

import (
	"strings"

	"github.com/dispatchd/dispatchd/workflow"
)

// stepDisplayName is the step's name as GitHub shows it: `name:` evaluated,
// or "Run <first line of the evaluated script>", or "Run <action>". Like
// the runner's GenerateDisplayName, a name that cannot be evaluated is
// shown as written.
func (j *jobRun) stepDisplayName(sr *stepRun) string {
	c := j.exprContext(sr)
	if sr.st.Name != "" {
		v, err := evalString(sr.st.Name, c, nil)
		if err != nil {
			v = sr.st.Name
		}
		if name := formatStepName("", v); name != "" {
			return name
		}
	}
	script := sr.st.Run
	if sr.st.Uses == "" {
		if v, err := evalString(script, c, nil); err == nil {
			script = v
		}
	}
	return defaultDisplayName(sr.st, script)
}

// defaultDisplayName is the name of a step without `name:`.
func defaultDisplayName(st *workflow.Step, script string) string {
	if uses := strings.TrimSpace(st.Uses); uses != "" {
		return "Run " + uses
	}
	if name := formatStepName("Run ", script); name != "" {
		return name
	}
	return "Run "
}

// formatStepName is the runner's FormatStepName: the first line of the
// text, after leading blank characters, with a prefix; empty stays empty.
func formatStepName(prefix, s string) string {
	s = firstLine(s)
	if s == "" {
		return ""
	}
	return prefix + s
}

// firstLine is the script's first non-blank line, as the log header and
// display name use it.
func firstLine(s string) string {
	s = strings.TrimLeft(s, " \t\r\n")
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}
