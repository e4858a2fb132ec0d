package workflow

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/dispatchd/dispatchd"
)

// Severities of a dispatchd.Problem. Only errors make a workflow invalid.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Problem kinds produced by this package itself. Lint problems carry the name
// of the actionlint rule that found them ("expression", "events", …).
const (
	KindSyntax    = "syntax"       // the file is not YAML
	KindSchema    = "syntax-check" // actionlint's parser: unknown keys, wrong types
	KindLimit     = "limit"        // too large, too deep, too many aliases
	KindJobNeeds  = "job-needs"    // GitHub's needs rules (unknown job, cycle, no root)
	KindInjection = "injection"    // untrusted value interpolated into a script
	KindInternal  = "internal"     // a library panicked; the file may be fine
)

func problemAt(p Pos, kind, severity, format string, args ...any) dispatchd.Problem {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return dispatchd.Problem{Line: p.Line, Column: p.Column, Message: msg, Kind: kind, Severity: severity}
}

// sortProblems orders problems by position and drops exact duplicates (an
// aliased node is reported once per use by some rules).
func sortProblems(ps []dispatchd.Problem) []dispatchd.Problem {
	slices.SortStableFunc(ps, func(a, b dispatchd.Problem) int {
		return cmp.Or(
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Kind, b.Kind),
			cmp.Compare(a.Message, b.Message),
		)
	})
	return slices.Compact(ps)
}

// maxProblems bounds what one file can put into the index. Past it, one
// last problem says how many were left out, with the highest severity among
// them so that a summary's validity can still be read from its list.
const maxProblems = 500

func capProblems(ps []dispatchd.Problem) []dispatchd.Problem {
	if len(ps) <= maxProblems {
		return ps
	}
	rest := ps[maxProblems-1:]
	severity := SeverityWarning
	if hasError(rest) {
		severity = SeverityError
	}
	last := rest[0]
	return append(ps[:maxProblems-1:maxProblems-1], problemAt(Pos{Line: last.Line, Column: last.Column}, KindLimit, severity,
		"%d more problems from here on are not listed", len(rest)))
}

func hasError(ps []dispatchd.Problem) bool {
	return slices.ContainsFunc(ps, func(p dispatchd.Problem) bool { return p.Severity == SeverityError })
}
