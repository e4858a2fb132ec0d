package runner

import (
	"os"
	"slices"
	"strings"

	"github.com/dispatchd/dispatchd/expr"
)

// envList is an ordered, case-sensitive set of environment variables (Linux
// names are case-sensitive). Setting an existing name keeps its place, as
// the runner's dictionaries do, so the header's `env:` block lists
// variables in the order they first appeared.
type envList struct {
	names []string
	vals  map[string]string
}

func newEnvList() *envList { return &envList{vals: map[string]string{}} }

func (e *envList) set(name, value string) {
	if _, ok := e.vals[name]; !ok {
		e.names = append(e.names, name)
	}
	e.vals[name] = value
}

func (e *envList) get(name string) (string, bool) {
	v, ok := e.vals[name]
	return v, ok
}

func (e *envList) len() int { return len(e.names) }

func (e *envList) clone() *envList {
	c := &envList{names: slices.Clone(e.names), vals: make(map[string]string, len(e.vals))}
	for k, v := range e.vals {
		c.vals[k] = v
	}
	return c
}

// each calls f for every variable, in order.
func (e *envList) each(f func(name, value string)) {
	for _, n := range e.names {
		f(n, e.vals[n])
	}
}

// object is the `env` context. Contexts are case-insensitive objects, so of
// two names differing only in case the later one wins there.
func (e *envList) object() *expr.Object {
	o := expr.NewObject()
	e.each(func(n, v string) { o.Set(n, v) })
	return o
}

// parseEnviron reads KEY=VALUE strings (os.Environ's format).
func parseEnviron(kvs []string) *envList {
	e := newEnvList()
	for _, kv := range kvs {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			e.set(k, v)
		}
	}
	return e
}

// environ renders the list for exec.
func (e *envList) environ() []string {
	out := make([]string, 0, len(e.names))
	e.each(func(n, v string) { out = append(out, n+"="+v) })
	return out
}

// githubEnvKeys are the github context keys the runner exports as GITHUB_*
// (GitHubContext.cs's allow-list).
var githubEnvKeys = []string{
	"action_path", "action_ref", "action_repository", "action", "actor", "actor_id",
	"api_url", "base_ref", "env", "event_name", "event_path", "graphql_url", "head_ref",
	"job", "output", "path", "ref_name", "ref_protected", "ref_type", "ref", "repository",
	"repository_id", "repository_owner", "repository_owner_id", "retention_days",
	"run_attempt", "run_id", "run_number", "server_url", "sha", "state", "step_summary",
	"triggering_actor", "workflow", "workflow_ref", "workflow_sha", "workspace",
}

// defaultVars are the variables a step cannot override (§11): GITHUB_* from
// the github context's allow-listed keys, RUNNER_* from the runner context,
// and GITHUB_ACTIONS. Booleans are true/false. The runner exports strings
// and booleans only; numbers are exported too (G15 form) so that a caller
// that passes run_id as a number still gets GITHUB_RUN_ID.
func defaultVars(github, runnerCtx *expr.Object) *envList {
	e := newEnvList()
	e.set("GITHUB_ACTIONS", "true")
	for k, v := range github.All() {
		if slices.Contains(githubEnvKeys, strings.ToLower(k)) {
			if s, ok := envString(v); ok {
				e.set("GITHUB_"+strings.ToUpper(k), s)
			}
		}
	}
	for k, v := range runnerCtx.All() {
		if s, ok := envString(v); ok {
			e.set("RUNNER_"+strings.ToUpper(k), s)
		}
	}
	return e
}

func envString(v any) (string, bool) {
	switch v.(type) {
	case string, bool, float64:
		return expr.ToString(v), true
	}
	return "", false
}

// processEnv builds a step's process environment, lowest precedence first:
// the runner's own environment, CI=true, the step's env context (workflow,
// job, GITHUB_ENV, step env, composite inputs), PATH with the GITHUB_PATH
// entries in front, then the default variables, which win (§7, §11).
func processEnv(base []string, stepEnv, extra *envList, prepend []string, fixed *envList) []string {
	e := parseEnviron(base)
	e.set("CI", "true")
	stepEnv.each(e.set)
	if extra != nil {
		extra.each(e.set)
	}
	if len(prepend) > 0 {
		path, _ := e.get("PATH")
		e.set("PATH", prependPath(prepend, path))
	}
	fixed.each(e.set)
	return e.environ()
}

// prependPath puts the GITHUB_PATH entries (kept oldest first, as the
// runner's PrependPath list) in front of path, the latest first.
func prependPath(entries []string, path string) string {
	parts := make([]string, 0, len(entries)+1)
	for i := len(entries) - 1; i >= 0; i-- {
		parts = append(parts, entries[i])
	}
	if path != "" {
		parts = append(parts, path)
	}
	return strings.Join(parts, ":")
}

// addPathEntry records a GITHUB_PATH line: a duplicate moves to the end of
// the list, that is to the front of PATH.
func addPathEntry(entries []string, dir string) []string {
	entries = slices.DeleteFunc(entries, func(e string) bool { return e == dir })
	return append(entries, dir)
}

// searchDirs is where shells are looked up: the GITHUB_PATH entries, latest
// first, then the runner's PATH.
func searchDirs(entries []string, base []string) []string {
	path, _ := parseEnviron(base).get("PATH")
	return strings.Split(prependPath(entries, path), ":")
}

// baseEnviron is Job.Environment, or the runner process's own environment.
func baseEnviron(job *Job) []string {
	if job.Environment != nil {
		return job.Environment
	}
	return os.Environ()
}
