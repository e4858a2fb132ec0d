package runner

import (
	"strconv"
	"strings"

	"github.com/dispatchd/dispatchd/workflow"
)

// maxIDLength is the longest generated id (the parser's IdBuilder).
const maxIDLength = 100

// stepIDs gives every step its id: the one written, or a generated one as
// GitHub's parser makes them (§10): `__run`, `__run_2`, … for scripts,
// `__<owner>_<repo>` for repository actions, `__self` for local actions,
// `__<image>` for docker ones; never one a step already has (ids compare
// case-insensitively).
func stepIDs(steps []*workflow.Step) []string {
	ids := make([]string, len(steps))
	taken := map[string]bool{}
	for i, s := range steps {
		if s.ID != "" {
			ids[i] = s.ID
			taken[strings.ToLower(s.ID)] = true
		}
	}
	for i, s := range steps {
		if ids[i] == "" {
			ids[i] = uniqueID(sanitizeID("__"+idBase(s)), taken)
		}
	}
	return ids
}

// idBase is the name a generated id is built from.
func idBase(s *workflow.Step) string {
	uses := strings.TrimSpace(s.Uses)
	switch {
	case uses == "":
		return "run"
	case strings.HasPrefix(uses, "docker://"):
		return strings.TrimPrefix(uses, "docker://")
	case strings.HasPrefix(uses, "./") || uses == ".":
		return "self"
	}
	name, _, _ := strings.Cut(uses, "@")
	parts := strings.SplitN(name, "/", 3) // owner/repo[/path]: the id uses owner/repo
	if len(parts) >= 2 {
		return parts[0] + "/" + parts[1]
	}
	return name
}

// sanitizeID is IdBuilder.AppendSegment: letters, digits, '_' and '-'
// are kept, anything else becomes '_'; a leading digit or '-' gets a '_'
// in front.
func sanitizeID(s string) string {
	var b strings.Builder
	if s != "" && (s[0] >= '0' && s[0] <= '9' || s[0] == '-') {
		b.WriteByte('_')
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// uniqueID is IdBuilder.Build: base, then base_2, base_3, …
func uniqueID(base string, taken map[string]bool) string {
	for n := 1; ; n++ {
		suffix := ""
		if n > 1 {
			suffix = "_" + strconv.Itoa(n)
		}
		cand := base
		if len(cand)+len(suffix) > maxIDLength {
			cand = cand[:maxIDLength-len(suffix)]
		}
		cand += suffix
		if !taken[strings.ToLower(cand)] {
			taken[strings.ToLower(cand)] = true
			return cand
		}
	}
}
