package workflow

import "github.com/dispatchd/dispatchd"

// Summarize parses and lints one workflow file for the index: its name, its
// triggers, every problem found (YAML and schema errors, GitHub's job graph
// rules, actionlint's checks, script injection), and whether it can run.
// It never panics and never reads anything but src: files above
// MaxFileSize, too deep, or with exploding aliases get one problem each and
// are not parsed further.
func Summarize(path string, src []byte) dispatchd.WorkflowSummary {
	s := dispatchd.WorkflowSummary{Triggers: dispatchd.Triggers{Events: []string{}}}
	doc, problems := load(path, src)
	if doc == nil {
		s.Problems = problems
		return s
	}
	w, ast, problems := parseDocument(doc)
	if w != nil {
		s.Name = w.Name
		s.Triggers = w.Triggers
		if reason := lintBudget(doc); reason != "" {
			problems = append(problems, skippedLint(reason, w.Triggers)...)
		} else if ast != nil {
			problems = append(problems, lint(path, ast)...)
		}
		problems = append(problems, safeCheckInjection(doc, w.Triggers)...)
	}
	s.Problems = capProblems(sortProblems(problems))
	s.Valid = !hasError(s.Problems)
	return s
}

func safeCheckInjection(doc *document, t dispatchd.Triggers) (problems []dispatchd.Problem) {
	defer func() {
		if r := recover(); r != nil {
			problems = []dispatchd.Problem{problemAt(Pos{Line: 1, Column: 1}, KindInternal, SeverityWarning,
				"internal error in the script injection check: %v", r)}
		}
	}()
	return checkInjection(doc, t)
}
