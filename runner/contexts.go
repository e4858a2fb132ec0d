package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"

	"github.com/dispatchd/dispatchd/expr"
)

// runnerName is RUNNER_NAME and runner.name.
const runnerName = "dispatchd"

// toValue converts what a caller may reasonably put in Job.Contexts into
// the expression package's value types. Values already of those types pass
// through unchanged (and are never modified by the runner).
func toValue(v any) any {
	switch x := v.(type) {
	case nil, bool, float64, string, *expr.Object:
		return x
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toValue(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	case map[string]any:
		return objectOf(x, func(e any) any { return toValue(e) })
	case map[string]string:
		return objectOf(x, func(e string) any { return e })
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case float32:
		return float64(x)
	case json.Number:
		f, _ := x.Float64()
		return f
	}
	return nil
}

// objectOf builds an object from a Go map, keys sorted (a map has no order
// to keep, and toJSON output should not change from run to run).
func objectOf[V any](m map[string]V, conv func(V) any) *expr.Object {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	o := expr.NewObject()
	for _, k := range keys {
		o.Set(k, conv(m[k]))
	}
	return o
}

// contextObject returns the named context from the caller as an object,
// or an empty one.
func contextObject(ctxs map[string]any, name string) *expr.Object {
	if o, ok := toValue(ctxs[name]).(*expr.Object); ok {
		return o
	}
	return expr.NewObject()
}

// copyObject is a shallow copy: the runner adds keys to its copy of the
// github context, and the caller's object may be shared by parallel legs.
func copyObject(o *expr.Object) *expr.Object {
	c := expr.NewObject()
	for k, v := range o.All() {
		c.Set(k, v)
	}
	return c
}

// setDefault sets key when the caller did not.
func setDefault(o *expr.Object, key string, v any) {
	if _, ok := o.Get(key); !ok {
		o.Set(key, v)
	}
}

func getString(o *expr.Object, key string) string {
	v, _ := o.Get(key)
	s, _ := v.(string)
	return s
}

// jobGitHub is the job's github context: the caller's, with what the runner
// knows added (job, workspace, event_path) and a few keys derived from
// others when the caller left them out.
func jobGitHub(caller *expr.Object, jobID string, d dirs) *expr.Object {
	g := copyObject(caller)
	g.Set("job", jobID)
	g.Set("workspace", d.workspace)
	g.Set("event_path", d.eventPath)
	repo := getString(g, "repository")
	if owner, _, ok := strings.Cut(repo, "/"); ok {
		setDefault(g, "repository_owner", owner)
	}
	ref := getString(g, "ref")
	if name, ok := strings.CutPrefix(ref, "refs/heads/"); ok {
		setDefault(g, "ref_name", name)
		setDefault(g, "ref_type", "branch")
	} else if name, ok := strings.CutPrefix(ref, "refs/tags/"); ok {
		setDefault(g, "ref_name", name)
		setDefault(g, "ref_type", "tag")
	}
	setDefault(g, "base_ref", "")
	setDefault(g, "head_ref", "")
	if actor := getString(g, "actor"); actor != "" {
		setDefault(g, "triggering_actor", actor)
	}
	return g
}

// stepGitHub is one step's github context: the job's, plus the step's id
// and its environment files (github.output, github.env, … are where
// GITHUB_OUTPUT, GITHUB_ENV, … come from), plus the action's location for
// action steps.
func stepGitHub(job *expr.Object, id string, f stepFiles, action *actionRef) *expr.Object {
	g := copyObject(job)
	g.Set("action", id)
	g.Set("output", f.output)
	g.Set("env", f.env)
	g.Set("path", f.path)
	g.Set("step_summary", f.summary)
	g.Set("state", f.state)
	if action != nil {
		g.Set("action_path", action.path)
		if action.repository != "" {
			g.Set("action_repository", action.repository)
			g.Set("action_ref", action.ref)
		}
	}
	return g
}

// actionRef locates the action a step runs, for github.action_*.
type actionRef struct {
	path       string // github.action_path: a local action's directory
	repository string // owner/repo of a repository action
	ref        string
}

// runnerContext is the `runner` context; every key also becomes RUNNER_*.
func runnerContext(d dirs, debug bool) *expr.Object {
	r := expr.NewObject()
	r.Set("name", runnerName)
	r.Set("os", "Linux")
	r.Set("arch", runnerArch())
	r.Set("temp", d.temp)
	r.Set("tool_cache", d.toolCache)
	r.Set("workspace", d.runnerWorkspace)
	r.Set("environment", "self-hosted")
	if debug {
		r.Set("debug", "1")
	}
	return r
}

// runnerArch is runner.arch in GitHub's spelling.
func runnerArch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "X64"
	case "386":
		return "X86"
	case "arm":
		return "ARM"
	case "arm64":
		return "ARM64"
	}
	return strings.ToUpper(runtime.GOARCH)
}

// defaultStrategy is the strategy context of a job without a matrix.
func defaultStrategy() *expr.Object {
	s := expr.NewObject()
	s.Set("fail-fast", true)
	s.Set("job-index", float64(0))
	s.Set("job-total", float64(1))
	s.Set("max-parallel", float64(1))
	return s
}

// jobObject is the `job` context.
func jobObject(status string) *expr.Object {
	o := expr.NewObject()
	o.Set("status", status)
	return o
}

// secretsObject is the `secrets` context; GITHUB_TOKEN is always there.
func secretsObject(secrets map[string]string) *expr.Object {
	o := objectOf(secrets, func(s string) any { return s })
	setDefault(o, "GITHUB_TOKEN", "")
	return o
}

// Contexts allowed in job-level keys the runner evaluates (§10, the
// context availability table).
var (
	workflowEnvContexts = []string{"github", "inputs", "vars", "secrets"}
	jobEnvContexts      = []string{"github", "needs", "strategy", "matrix", "vars", "secrets", "inputs"}
	jobDefaultsContexts = []string{"github", "needs", "strategy", "matrix", "vars", "inputs", "env"}
	jobTimeoutContexts  = []string{"github", "needs", "strategy", "matrix", "vars", "inputs"}
)

// evalTemplate evaluates a YAML string value that may hold ${{ }}. allowed,
// when not nil, lists the contexts the key may use: others are the parse
// error GitHub gives.
func evalTemplate(raw string, c *expr.Context, allowed []string) (any, error) {
	e, err := expr.ParseTemplate(raw)
	if err != nil {
		return nil, exprError(raw, err)
	}
	if allowed != nil {
		for _, name := range e.Contexts() {
			if !slices.Contains(allowed, name) {
				return nil, fmt.Errorf("Unrecognized named-value: '%s'. Located within expression: %s", name, raw)
			}
		}
	}
	v, err := e.Eval(c)
	if err != nil {
		return nil, exprError(raw, err)
	}
	return v, nil
}

// evalString evaluates a template whose result must be a string (env
// values, run, with, …): scalars convert as in interpolation, a mapping or
// sequence is an error.
func evalString(raw string, c *expr.Context, allowed []string) (string, error) {
	if !strings.Contains(raw, "${{") {
		return raw, nil
	}
	v, err := evalTemplate(raw, c, allowed)
	if err != nil {
		return "", err
	}
	switch v.(type) {
	case *expr.Object:
		return "", fmt.Errorf("A mapping was not expected: %s", raw)
	case []any:
		return "", fmt.Errorf("A sequence was not expected: %s", raw)
	}
	return expr.ToString(v), nil
}

// exprError words an expression error as the runner does.
func exprError(raw string, err error) error {
	var e *expr.Error
	if errors.As(err, &e) {
		return fmt.Errorf("%s. Located at position %d within expression: %s", e.Msg, e.Col, strings.TrimSpace(raw))
	}
	return err
}
