package runner

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/dispatchd/dispatchd/expr"
)

// maxCompositeDepth is how deeply composite actions may nest.
const maxCompositeDepth = 10

// runLocalAction runs `uses: ./path`, an action in the workspace.
func (j *jobRun) runLocalAction(sr *stepRun, uses string) string {
	dir := filepath.Join(j.dirs.workspace, uses)
	m, err := loadAction(dir)
	if err != nil {
		var nm *noManifestError
		switch {
		case errors.As(err, &nm) && nm.dockerfile:
			j.log.errorf(sr.n, dockerUnsupported(uses))
		case errors.As(err, &nm):
			j.log.errorf(sr.n, err.Error()+" Did you forget to run actions/checkout before running your local action?")
		default:
			j.log.errorf(sr.n, err.Error())
		}
		return resultFailure
	}
	return j.runAction(sr, uses, dir, m)
}

// runAction runs an action whose metadata has been read, from its
// directory: a composite or a JavaScript action (main script).
func (j *jobRun) runAction(sr *stepRun, uses, dir string, m *actionManifest) string {
	switch {
	case m.using == "composite":
		return j.runComposite(sr, uses, m)
	case m.isNode():
		return j.runNodeMain(sr, uses, dir, m)
	case m.using == "docker":
		j.log.errorf(sr.n, dockerUnsupported(uses))
	default:
		j.log.errorf(sr.n, fmt.Sprintf("The action '%s' has runs.using: '%s', which this runner does not support: use 'composite', 'node20' or 'node24' ('node12' and 'node16' run with node too).", uses, m.using))
	}
	return resultFailure
}

// dockerUnsupported is the error of a step whose action is a Docker action.
func dockerUnsupported(uses string) string {
	return fmt.Sprintf("Docker actions are not supported on this runner: '%s' is one (runs.using: docker). Use a JavaScript or composite action.", uses)
}

// runComposite runs a composite action's steps in their own scope: own
// steps context, `inputs` from with: and the defaults (also as INPUT_*),
// the step's environment, its own status. The action's outputs are
// evaluated at the end and become the step's outputs.
func (j *jobRun) runComposite(sr *stepRun, uses string, m *actionManifest) string {
	if sr.sc.depth+1 > maxCompositeDepth {
		j.log.errorf(sr.n, fmt.Sprintf("Composite actions may nest at most %d levels deep.", maxCompositeDepth))
		return resultFailure
	}
	with, err := j.evalWith(sr)
	if err != nil {
		j.log.errorf(sr.n, err.Error())
		return resultFailure
	}
	j.printActionHeader(sr, uses, with)
	inputs, err := j.actionInputs(sr, m, with, true)
	if err != nil {
		j.log.errorf(sr.n, err.Error())
		return resultFailure
	}
	child := j.compositeScope(sr, inputs)
	ids := stepIDs(m.steps)
	for i, st := range m.steps {
		if child.expired() {
			break // the steps left do not start once the action timed out
		}
		j.execStep(child, st, ids[i], sr.n, false)
	}
	if child.expired() {
		return j.compositeTimedOut(sr)
	}
	if !j.compositeOutputs(sr, child, m) {
		child.status = mergeStatus(child.status, expr.StatusFailure)
	}
	switch child.status {
	case expr.StatusFailure:
		return resultFailure
	case expr.StatusCancelled:
		return resultCancelled
	}
	return resultSuccess
}

// compositeTimedOut ends a composite step whose timeout-minutes (or an
// enclosing action's) ran out.
func (j *jobRun) compositeTimedOut(sr *stepRun) string {
	if !sr.deadline.IsZero() && !time.Now().Before(sr.deadline) {
		j.log.errorf(sr.n, fmt.Sprintf("The action '%s' has timed out after %d minutes.", sr.name, sr.timeoutMin))
	}
	return resultFailure
}

// compositeScope is the scope of the action's steps. Its status starts as
// success (the runner's action_status) unless the job is cancelled.
func (j *jobRun) compositeScope(sr *stepRun, inputs *envList) *scope {
	status := expr.StatusSuccess
	if sr.sc.status == expr.StatusCancelled {
		status = expr.StatusCancelled
	}
	extra := newEnvList() // INPUT_* of this action only, not of one around it
	inputs.each(func(k, v string) {
		extra.set(inputVar(k), v)
	})
	return &scope{
		parent:   sr.sc,
		steps:    expr.NewObject(),
		inputs:   inputs.object(),
		status:   status,
		env:      sr.env.clone(),
		extra:    extra,
		action:   j.actionOf(sr),
		depth:    sr.sc.depth + 1,
		deadline: sr.deadline,
	}
}

// actionInputs resolves the action's inputs: with: values, else defaults
// (which may hold expressions). As the runner does, unknown inputs and
// missing required ones are warnings, not errors.
func (j *jobRun) actionInputs(sr *stepRun, m *actionManifest, with *envList, warn bool) (*envList, error) {
	c := j.exprContext(sr)
	inputs := newEnvList()
	var valid []string
	for _, in := range m.inputs {
		valid = append(valid, in.id)
		v, ok := with.getFold(in.id)
		switch {
		case ok:
		case in.def != nil:
			d, err := evalString(*in.def, c, nil)
			if err != nil {
				return nil, fmt.Errorf("evaluating the default of input '%s': %w", in.id, err)
			}
			v = d
		case in.required && warn:
			j.log.warning(sr.n, "Input required and not supplied: "+in.id)
		}
		inputs.set(in.id, v)
	}
	var unexpected []string
	with.each(func(k, _ string) {
		if _, ok := inputs.getFold(k); !ok {
			unexpected = append(unexpected, k)
		}
	})
	if len(unexpected) > 0 && warn {
		j.log.warning(sr.n, fmt.Sprintf("Unexpected input(s) '%s', valid inputs are ['%s']",
			strings.Join(unexpected, "', '"), strings.Join(valid, "', '")))
	}
	return inputs, nil
}

// compositeOutputs evaluates the action's outputs with its steps context.
func (j *jobRun) compositeOutputs(sr *stepRun, child *scope, m *actionManifest) bool {
	inner := &stepRun{sc: child, github: sr.github, env: child.env}
	c := j.exprContext(inner)
	for _, o := range m.outputs {
		v, err := evalString(o.Value, c, nil)
		if err != nil {
			j.log.errorf(sr.n, fmt.Sprintf("evaluating output '%s': %v", o.Name, err))
			return false
		}
		sr.outputs.set(o.Name, v)
	}
	return true
}
