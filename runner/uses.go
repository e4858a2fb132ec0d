package runner

import (
	"fmt"
	"path/filepath"
	"strings"
)

// runUses runs a `uses:` step: the built-in actions/checkout, a local
// action (uses: ./path), or an action from a repository that Job.Actions
// fetches (uses: OWNER/REPO[/PATH]@REF). Container images fail the step.
func (j *jobRun) runUses(sr *stepRun) string {
	uses := strings.TrimSpace(sr.st.Uses)
	switch {
	case strings.HasPrefix(uses, "docker://"):
		j.log.errorf(sr.n, fmt.Sprintf("Container actions (uses: %s) are not supported on this runner.", uses))
	case isLocalAction(uses):
		return j.runLocalAction(sr, uses)
	case isCheckout(uses):
		return j.runCheckout(sr, uses)
	default:
		return j.runRemoteAction(sr, uses)
	}
	return resultFailure
}

func isLocalAction(uses string) bool { return uses == "." || strings.HasPrefix(uses, "./") }

// isRemoteAction reports whether uses names an action in a repository
// (anything but a container image, a local path and the built-in checkout).
func isRemoteAction(uses string) bool {
	return uses != "" && !strings.HasPrefix(uses, "docker://") && !isLocalAction(uses) && !isCheckout(uses)
}

func isCheckout(uses string) bool {
	name, _, _ := strings.Cut(uses, "@")
	return strings.EqualFold(name, "actions/checkout")
}

// actionOf locates the step's action for github.action_path and
// github.action_repository / action_ref; a composite action's own steps
// see their action's path.
func (j *jobRun) actionOf(sr *stepRun) *actionRef {
	uses := strings.TrimSpace(sr.st.Uses)
	switch {
	case uses == "" || strings.HasPrefix(uses, "docker://"):
		return sr.sc.action
	case isLocalAction(uses):
		return &actionRef{path: filepath.Join(j.dirs.workspace, uses)}
	}
	if !isCheckout(uses) {
		if a, err := parseActionSpec(uses); err == nil {
			return &actionRef{path: j.actionPath(a), repository: a.repository(), ref: a.ref}
		}
	}
	name, ref, _ := strings.Cut(uses, "@")
	return &actionRef{repository: name, ref: ref}
}

// evalWith evaluates the step's `with:` values, in order.
func (j *jobRun) evalWith(sr *stepRun) (*envList, error) {
	c := j.exprContext(sr)
	with := newEnvList()
	for _, p := range sr.st.With {
		v, err := evalString(p.Value, c, nil)
		if err != nil {
			return nil, fmt.Errorf("evaluating with.%s: %w", p.Name, err)
		}
		with.set(p.Name, v)
	}
	return with, nil
}

// getFold reads an input by case-insensitive name, as action inputs are.
func (e *envList) getFold(name string) (string, bool) {
	for _, n := range e.names {
		if strings.EqualFold(n, name) {
			return e.vals[n], true
		}
	}
	return "", false
}

// printActionHeader writes an action step's header: the group, `with:`
// and `env:` blocks.
func (j *jobRun) printActionHeader(sr *stepRun, uses string, with *envList) {
	j.log.output(sr.n, "##[group]Run "+uses)
	if with.len() > 0 {
		j.log.output(sr.n, "with:")
		with.each(func(k, v string) { j.log.output(sr.n, "  "+k+": "+v) })
	}
	j.printEnv(sr)
	j.log.output(sr.n, "##[endgroup]")
}
