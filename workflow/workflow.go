package workflow

import (
	"strings"

	"github.com/dispatchd/dispatchd"
	"github.com/rhysd/actionlint"
	yaml "go.yaml.in/yaml/v4"
)

// Workflow is the model of one workflow file that the engine runs. Strings
// that may hold ${{ }} expressions are kept as written; the engine evaluates
// them with the contexts of the run.
type Workflow struct {
	Path        string
	Name        string // `name:`; empty when absent
	RunName     string // `run-name:`, raw
	Triggers    dispatchd.Triggers
	Env         Env
	Defaults    *RunDefaults // `defaults.run`; nil when absent
	Permissions *Permissions // nil when absent
	Concurrency *Concurrency // nil when absent
	Jobs        []*Job       // in file order
}

// Job returns the job with the given id. Job ids are case-insensitive in
// `needs:` and in the needs context, so the lookup is too.
func (w *Workflow) Job(id string) *Job {
	for _, j := range w.Jobs {
		if strings.EqualFold(j.ID, id) {
			return j
		}
	}
	return nil
}

// RunDefaults is `defaults.run`. At job level the whole mapping replaces the
// workflow's (WORKFLOW_SEMANTICS §10), hence a pointer: nil means absent.
type RunDefaults struct {
	Shell            string
	WorkingDirectory string
}

// Permissions is `permissions:`: either one level for every scope
// (`read-all`, `write-all`, or an expression) or a mapping of scopes.
// `permissions: {}` is a non-nil Permissions with no All and no Scopes.
type Permissions struct {
	All    string
	Scopes []Pair // scope → level, in file order
}

// Concurrency is `concurrency:` as a string (Group only) or a mapping.
// Expressions are kept as raw strings.
type Concurrency struct {
	Group            string
	CancelInProgress BoolOrExpr
	Queue            string // the undocumented `queue:` key of the current schema
}

// Parse builds the model of a workflow file. Its problems are what decides
// whether the workflow can run: YAML errors, limits, the schema findings of
// actionlint's parser (unknown keys, wrong types; a few are warnings), and
// GitHub's job graph rules (WORKFLOW_SEMANTICS §5); any error means it
// cannot. The model is nil only when the file could not be read as YAML at
// all; otherwise it is returned, best effort, with the problems. Lint advice
// and script injection are Summarize's.
func Parse(path string, src []byte) (*Workflow, []dispatchd.Problem) {
	doc, problems := load(path, src)
	if doc == nil {
		return nil, problems
	}
	w, _, problems := parseDocument(doc)
	return w, capProblems(sortProblems(problems))
}

// parseDocument is Parse past the limits; Summarize shares it and lints the
// actionlint AST it returns.
func parseDocument(doc *document) (*Workflow, *actionlint.Workflow, []dispatchd.Problem) {
	w, problems := buildModel(doc)
	if w == nil {
		return nil, nil, problems
	}
	ast, errs := safeActionlintParse(doc.src)
	problems = append(problems, errs...)
	problems = append(problems, checkNeeds(w)...)
	return w, ast, problems
}

// buildModel converts the YAML tree; a panic here is a bug in this package
// and becomes an error problem rather than a crash.
func buildModel(doc *document) (w *Workflow, problems []dispatchd.Problem) {
	defer func() {
		if r := recover(); r != nil {
			w = nil
			problems = []dispatchd.Problem{problemAt(Pos{Line: 1, Column: 1}, KindInternal, SeverityError,
				"internal error while reading the workflow: %v", r)}
		}
	}()
	return workflowOf(doc.path, doc.root), nil
}

func workflowOf(path string, root *yaml.Node) *Workflow {
	w := &Workflow{Path: path, Triggers: dispatchd.Triggers{Events: []string{}}}
	for _, e := range entries(root) {
		switch e.name {
		case "name":
			w.Name = str(e.val)
		case "run-name":
			w.RunName = str(e.val)
		case "on":
			w.Triggers = triggersOf(e.val)
		case "env":
			w.Env = envOf(e.val)
		case "defaults":
			w.Defaults = runDefaultsOf(e.val)
		case "permissions":
			w.Permissions = permissionsOf(e.val)
		case "concurrency":
			w.Concurrency = concurrencyOf(e.val)
		case "jobs":
			for _, je := range entries(e.val) {
				w.Jobs = append(w.Jobs, jobOf(je))
			}
		}
	}
	return w
}

func runDefaultsOf(n *yaml.Node) *RunDefaults {
	run := lookup(n, "run")
	if kindOf(run) != yaml.MappingNode {
		return nil
	}
	return &RunDefaults{
		Shell:            str(lookup(run, "shell")),
		WorkingDirectory: str(lookup(run, "working-directory")),
	}
}

func permissionsOf(n *yaml.Node) *Permissions {
	if s, ok := scalar(n); ok {
		return &Permissions{All: s}
	}
	if kindOf(n) != yaml.MappingNode {
		return nil
	}
	return &Permissions{Scopes: pairs(n)}
}

func concurrencyOf(n *yaml.Node) *Concurrency {
	if s, ok := scalar(n); ok {
		return &Concurrency{Group: s}
	}
	if kindOf(n) != yaml.MappingNode {
		return nil
	}
	return &Concurrency{
		Group:            str(lookup(n, "group")),
		CancelInProgress: boolOrExpr(lookup(n, "cancel-in-progress")),
		Queue:            str(lookup(n, "queue")),
	}
}
