package workflow

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/dispatchd/dispatchd"
	"github.com/rhysd/actionlint"
	yaml "go.yaml.in/yaml/v4"
)

// safeActionlintParse runs actionlint's parser for its schema errors. A
// panic there is reported as an error: without actionlint's reading of the
// file nothing says whether GitHub would accept it.
func safeActionlintParse(src []byte) (ast *actionlint.Workflow, problems []dispatchd.Problem) {
	defer func() {
		if r := recover(); r != nil {
			ast = nil
			problems = []dispatchd.Problem{problemAt(Pos{Line: 1, Column: 1}, KindInternal, SeverityError,
				"internal error in actionlint's parser: %v", r)}
		}
	}()
	ast, errs := actionlint.Parse(src)
	for _, e := range errs {
		problems = append(problems, lintProblem(e))
	}
	return ast, problems
}

// lintConfig accepts every runner label: dispatchd's runners are
// self-hosted and carry whatever labels their operators give them.
// actionlint matches these as path.Match globs, where * stops at '/'.
var lintConfig = func() *actionlint.Config {
	c := &actionlint.Config{}
	c.SelfHostedRunner.Labels = []string{"*", "*/*", "*/*/*", "*/*/*/*"}
	return c
}()

// lint runs actionlint's rules over a parsed workflow. The rule list is
// built here rather than through actionlint.Linter because the Linter stats
// the path on disk, looks for a repository config, mutates a global colour
// setting, and can start shellcheck/pyflakes processes; none of that belongs
// in a server. The caches are created without a project, so no local action
// or reusable workflow is ever read from disk, and actionlint never fetches
// remote actions. A panic in a rule becomes a warning: the linter failed,
// which says nothing about whether the workflow can run.
func lint(path string, ast *actionlint.Workflow) (problems []dispatchd.Problem) {
	defer func() {
		if r := recover(); r != nil {
			problems = append(problems, problemAt(Pos{Line: 1, Column: 1}, KindInternal, SeverityWarning,
				"internal error in actionlint, lint results are incomplete: %v", r))
		}
	}()
	actions := actionlint.NewLocalActionsCache(nil, nil)
	workflows := actionlint.NewLocalReusableWorkflowCache(nil, "", nil)
	// Not included: RuleJobNeeds (checkNeeds reports the same with GitHub's
	// wording), shellcheck and pyflakes (external processes).
	rules := []actionlint.Rule{
		actionlint.NewRuleMatrix(),
		actionlint.NewRuleCredentials(),
		actionlint.NewRuleShellName(),
		actionlint.NewRuleRunnerLabel(),
		actionlint.NewRuleEvents(),
		actionlint.NewRuleAction(actions),
		actionlint.NewRuleEnvVar(),
		actionlint.NewRuleID(),
		actionlint.NewRuleGlob(),
		actionlint.NewRulePermissions(),
		actionlint.NewRuleWorkflowCall(path, workflows),
		actionlint.NewRuleExpression(actions, workflows),
		actionlint.NewRuleDeprecatedCommands(),
		actionlint.NewRuleIfCond(),
	}
	v := actionlint.NewVisitor()
	for _, r := range rules {
		r.SetConfig(lintConfig)
		v.AddPass(r)
	}
	if err := v.Visit(ast); err != nil {
		problems = append(problems, problemAt(Pos{Line: 1, Column: 1}, KindInternal, SeverityWarning,
			"actionlint stopped early, lint results are incomplete: %v", err))
	}
	for _, r := range rules {
		for _, e := range r.Errs() {
			if skipLintError(e) {
				continue
			}
			problems = append(problems, lintProblem(e))
		}
	}
	return problems
}

// Some of actionlint's checks are quadratic: duplicate detection in a
// matrix row compares every pair of values, every expression copies the
// declared inputs and secrets into its type environment, every runs-on label
// that names a matrix key is checked against all its values. Within
// MaxFileSize that reaches tens of seconds, so files beyond these sizes,
// which GitHub would not run anyway (25 inputs, 256 matrix jobs) or which
// are far larger than any real workflow, are indexed but not linted.
const (
	maxLintedNodes        = 20_000 // workflows have one or two per line
	maxLintedMatrixValues = 256    // values in one matrix vector
	maxLintedMatrixList   = 1024   // include or exclude entries
	maxLintedDeclarations = 100    // inputs or secrets of one trigger
)

// lintBudget returns why actionlint's rules must not run on the document,
// "" when they may.
func lintBudget(doc *document) string {
	if doc.nodes > maxLintedNodes {
		return fmt.Sprintf("the file has %d YAML nodes", doc.nodes)
	}
	root := doc.root
	on := lookup(root, "on")
	for _, sec := range [][2]string{{"workflow_dispatch", "inputs"}, {"workflow_call", "inputs"}, {"workflow_call", "secrets"}} {
		if n := len(entries(lookup(lookup(on, sec[0]), sec[1]))); n > maxLintedDeclarations {
			return fmt.Sprintf("on.%s.%s declares %d entries", sec[0], sec[1], n)
		}
	}
	for _, job := range entries(lookup(root, "jobs")) {
		for _, e := range entries(lookup(lookup(job.val, "strategy"), "matrix")) {
			v := deref(e.val)
			if v == nil || v.Kind != yaml.SequenceNode {
				continue
			}
			limit := maxLintedMatrixValues
			if e.name == "include" || e.name == "exclude" {
				limit = maxLintedMatrixList
			}
			if len(v.Content) > limit {
				return fmt.Sprintf("strategy.matrix.%s of job %q has %d entries", e.name, job.name, len(v.Content))
			}
		}
	}
	return ""
}

// skippedLint is what Summarize reports instead of actionlint's findings
// when lintBudget says no, keeping GitHub's own input limit an error.
func skippedLint(reason string, t dispatchd.Triggers) []dispatchd.Problem {
	ps := []dispatchd.Problem{problemAt(Pos{Line: 1, Column: 1}, KindLimit, SeverityWarning,
		"lint skipped: %s, more than can be checked in reasonable time", reason)}
	if wd := t.WorkflowDispatch; wd != nil && len(wd.Inputs) > MaxDispatchInputs {
		ps = append(ps, problemAt(Pos{Line: 1, Column: 1}, "events", SeverityError,
			"maximum number of inputs for \"workflow_dispatch\" event is %d but %d inputs are provided",
			MaxDispatchInputs, len(wd.Inputs)))
	}
	return ps
}

// skipLintError drops what this package reports better itself.
func skipLintError(e *actionlint.Error) bool {
	switch e.Kind {
	case "expression":
		// Replaced by the injection check, which also knows about
		// client_payload and inputs, and reports warnings, not errors.
		return strings.Contains(e.Message, "potentially untrusted")
	case "runner-label":
		// Labels are free-form on self-hosted runners; lintConfig's globs
		// cannot match every label with '/' in it.
		return strings.Contains(e.Message, "is unknown. available labels are")
	}
	return false
}

// maxMessage bounds a problem's message: actionlint spells out whole object
// types ("property "x" is not defined in object type {…}"), which for a
// large matrix is hundreds of KiB that the index would store.
const maxMessage = 1000

func lintProblem(e *actionlint.Error) dispatchd.Problem {
	msg := e.Message
	if len(msg) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return dispatchd.Problem{
		Line:     max(e.Line, 1),
		Column:   max(e.Column, 1),
		Message:  msg,
		Kind:     e.Kind,
		Severity: lintSeverity(e.Kind, e.Message),
	}
}

// lintSeverity decides which actionlint findings make a workflow unable to
// run on GitHub (errors) and which are advice (warnings). actionlint reports
// everything as an error; GitHub rejects a workflow only for schema errors,
// malformed expressions, unknown contexts or functions, bad job graphs,
// unknown events or permissions, malformed `uses:`, and invalid ids.
func lintSeverity(kind, msg string) string {
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(msg, s) {
				return true
			}
		}
		return false
	}
	switch kind {
	case "syntax-check":
		// Unknown keys under workflow_dispatch are ignored by GitHub
		// (WORKFLOW_SEMANTICS §2). Unused anchors are tidiness, not an error.
		if has(`key for "workflow_dispatch" section`, "is defined but not used") {
			return SeverityWarning
		}
		return SeverityError
	case "expression":
		if has("lexing", "parsing", "parser did not reach", "unexpected end of input",
			"undefined variable", "undefined function", "is not allowed here",
			"number of arguments is wrong", "requires an odd number of arguments") {
			return SeverityError
		}
		return SeverityWarning
	case "events":
		if has("runs too frequently") {
			return SeverityWarning
		}
		return SeverityError
	case "action":
		if has("in invalid format", "tag of Docker action should not be empty") {
			return SeverityError
		}
		return SeverityWarning
	case "id", "permissions", "workflow-call", "job-needs":
		return SeverityError
	}
	// matrix, credentials, shell-name, runner-label, env-var, glob,
	// deprecated-commands, if-cond, and rules added by future versions.
	return SeverityWarning
}
