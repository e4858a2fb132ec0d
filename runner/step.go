package runner

import (
	"fmt"
	"strings"
	"time"

	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/workflow"
)

// scope is where steps run: the job itself, or the steps of a composite
// action, which have their own steps context, inputs and status.
type scope struct {
	parent *scope
	steps  *expr.Object // the steps context
	inputs *expr.Object // the inputs context
	// status is job.status for the job, the action's own status inside a
	// composite action; the status functions of an if: read it.
	status string
	env    *envList // a composite action's environment; nil: the job's (jobRun.env)
	extra  *envList // INPUT_* variables for a composite action's processes
	action *actionRef
	depth  int // composite nesting
	// deadline is when the composite action's step times out (zero: no
	// timeout); its steps are stopped then.
	deadline time.Time
}

// earliestDeadline is the first deadline of the scope and the scopes
// around it; zero when none has one.
func (sc *scope) earliestDeadline() time.Time {
	var d time.Time
	for s := sc; s != nil; s = s.parent {
		if !s.deadline.IsZero() && (d.IsZero() || s.deadline.Before(d)) {
			d = s.deadline
		}
	}
	return d
}

// expired reports whether an enclosing action's timeout has passed.
func (sc *scope) expired() bool {
	d := sc.earliestDeadline()
	return !d.IsZero() && !time.Now().Before(d)
}

// stepRun is one step being executed.
type stepRun struct {
	sc         *scope
	st         *workflow.Step
	id         string
	n          int // the step's number in the log (a composite's inner steps log under their action's)
	name       string
	github     *expr.Object
	env        *envList // the env context: job-wide env plus the step's env
	files      stepFiles
	timeout    time.Duration
	timeoutMin int
	deadline   time.Time // when timeout-minutes runs out
	outputs    *envList

	// A JavaScript action's step: the pre or post step it is (nil for the
	// main one), the action's state (GITHUB_STATE, STATE_*), the
	// variables of its process in place of the scope's (INPUT_*, STATE_*)
	// and the message of a non-zero exit.
	phase       *actionPhase
	state       *envList
	procExtra   *envList
	exitMessage func(code int) string
}

// stepEnd is how a step ended.
type stepEnd struct {
	outcome, conclusion string
}

// runTopStep runs step i of the job and records its result.
func (j *jobRun) runTopStep(i int) {
	st := j.spec.Steps[i]
	sr, end := j.execStep(j.top, st, j.ids[i], len(j.pres)+i+1, true)
	j.results = append(j.results, StepResult{
		ID: sr.id, Name: sr.name, Outcome: end.outcome, Conclusion: end.conclusion, Outputs: outputMap(sr.outputs),
	})
}

// execStep runs one step as StepsRunner does: env, if:, then the step with
// its timeout, its environment files and continue-on-error. Only the job's
// own steps are reported as steps; a composite action's are part of its log.
func (j *jobRun) execStep(sc *scope, st *workflow.Step, id string, n int, top bool) (*stepRun, stepEnd) {
	sr, err := j.newStepRun(sc, st, id, n)
	if err == nil {
		err = j.applyStepEnv(sr)
	}
	sr.name = j.mask.mask(j.stepDisplayName(sr))
	if top {
		j.log.started(n, sr.name)
	}
	end := j.decideAndRun(sr, err)
	j.recordStep(sr, end)
	if top {
		j.log.finished(n, end.outcome, end.conclusion)
	}
	return sr, end
}

func (j *jobRun) newStepRun(sc *scope, st *workflow.Step, id string, n int) (*stepRun, error) {
	base := j.env
	if sc.env != nil {
		base = sc.env
	}
	sr := &stepRun{sc: sc, st: st, id: id, n: n, env: base.clone(), outputs: newEnvList()}
	files, err := j.dirs.newStepFiles()
	sr.files = files
	sr.github = stepGitHub(j.github, id, files, j.actionOf(sr))
	return sr, err
}

// applyStepEnv layers the step's env: over the env context; it may read
// the env context itself (workflow, job, GITHUB_ENV).
func (j *jobRun) applyStepEnv(sr *stepRun) error {
	if err := evalEnv(sr.st.Env, j.exprContext(sr), nil, sr.env); err != nil {
		return fmt.Errorf("evaluating the step's env: %w", err)
	}
	return nil
}

// decideAndRun evaluates the step's if: and runs it when it holds.
func (j *jobRun) decideAndRun(sr *stepRun, setupErr error) stepEnd {
	if setupErr != nil {
		j.log.errorf(sr.n, setupErr.Error())
		return stepEnd{resultFailure, resultFailure}
	}
	if j.jobCtx.Err() != nil {
		j.noteCancel(sr)
	}
	ok, err := j.condition(sr)
	if err != nil {
		// A condition that cannot be evaluated fails the step (§4.1).
		j.log.errorf(sr.n, err.Error())
		return stepEnd{resultFailure, resultFailure}
	}
	if !ok {
		return stepEnd{resultSkipped, resultSkipped}
	}
	return j.runStep(sr)
}

// condition evaluates the step's if: with the implicit success(). A pre
// or post step has its action's pre-if / post-if instead, whose status
// functions see the job's status.
func (j *jobRun) condition(sr *stepRun) (bool, error) {
	cond, c := sr.st.If, j.exprContext(sr)
	if sr.phase != nil {
		cond, c.JobStatus = sr.phase.condition(), j.top.status
	}
	ok, err := expr.EvalIf(cond, c)
	if err != nil {
		return false, exprError(cond, err)
	}
	return ok, nil
}

// runStep runs a step whose condition held.
func (j *jobRun) runStep(sr *stepRun) stepEnd {
	j.stepTimeout(sr)
	status := j.body(sr)
	if !j.processFiles(sr) {
		status = mergeStatus(status, resultFailure)
	}
	end := stepEnd{status, status}
	if status == resultFailure && j.continueOnError(sr) {
		end.conclusion = resultSuccess
	}
	return end
}

// body runs what the step does.
func (j *jobRun) body(sr *stepRun) string {
	if sr.phase != nil {
		return j.runNode(sr, sr.phase.uses, sr.phase.dir, sr.phase.m, sr.phase.stage)
	}
	if strings.TrimSpace(sr.st.Uses) == "" {
		return j.runScript(sr)
	}
	return j.runUses(sr)
}

// recordStep updates the steps context and the scope's status. Generated
// ids (__run, …) are not in the steps context, so a skipped step appears
// there only when it has an id.
func (j *jobRun) recordStep(sr *stepRun, end stepEnd) {
	if !strings.HasPrefix(sr.id, "__") {
		o := expr.NewObject()
		o.Set("outputs", sr.outputs.object())
		o.Set("outcome", end.outcome)
		o.Set("conclusion", end.conclusion)
		sr.sc.steps.Set(sr.id, o)
	}
	if end.conclusion == resultFailure {
		sr.sc.status = mergeStatus(sr.sc.status, expr.StatusFailure)
	}
}

// exprContext is what a step's expressions see.
func (j *jobRun) exprContext(sr *stepRun) *expr.Context {
	return &expr.Context{
		Values: map[string]any{
			"github": sr.github, "env": sr.env.object(), "vars": j.vars, "job": jobObject(j.top.status),
			"steps": sr.sc.steps, "runner": j.runnerCtx, "secrets": j.secrets, "strategy": j.strategy,
			"matrix": j.matrix, "needs": j.needs, "inputs": sr.sc.inputs,
		},
		JobStatus: sr.sc.status,
		Level:     expr.StepLevel,
		Workspace: j.dirs.workspace,
	}
}

// stepTimeout evaluates timeout-minutes. As in the runner an error is
// logged and the step runs without a timeout, and so does a value below
// one minute: the runner truncates to whole minutes and only sets a
// timeout above zero (0.5 → 0 → none).
func (j *jobRun) stepTimeout(sr *stepRun) {
	minutes, _, err := evalMinutes(sr.st.TimeoutMinutes, j.exprContext(sr), nil)
	if err != nil {
		j.log.errorf(sr.n, "An error occurred when attempting to determine the step timeout.")
		j.log.errorf(sr.n, err.Error())
		return
	}
	if minutes > 0 {
		sr.timeoutMin = minutes
		sr.timeout = time.Duration(minutes) * j.t.minute
		sr.deadline = time.Now().Add(sr.timeout)
	}
}

// continueOnError evaluates continue-on-error, which must be a boolean.
func (j *jobRun) continueOnError(sr *stepRun) bool {
	b := sr.st.ContinueOnError
	if b.Expr == "" {
		return b.Set && b.Value
	}
	v, err := evalTemplate(b.Expr, j.exprContext(sr), nil)
	if err == nil {
		if bv, ok := v.(bool); ok {
			return bv
		}
		err = fmt.Errorf("Unexpected value '%s'", expr.ToString(v))
	}
	j.log.errorf(sr.n, "The step failed and an error occurred when attempting to determine whether to continue on error.")
	j.log.errorf(sr.n, err.Error())
	return false
}

// stopReason says why a running step was stopped.
type stopReason int

const (
	notStopped stopReason = iota
	stoppedByTimeout
	stoppedByCancel
	stoppedByActionTimeout // the composite action around the step timed out
)

// await waits for done while watching the step's timeout, the timeout of
// a composite action around it, and the job's cancellation. On
// cancellation the job becomes cancelled and the step's if: is evaluated
// again (StepsRunner's callback): a step that should not run when
// cancelled (no always()/cancelled()) is stopped.
func (j *jobRun) await(sr *stepRun, done <-chan struct{}, stop func()) stopReason {
	jobDone := j.jobCtx.Done()
	timeout, stopOwn := timerUntil(sr.deadline)
	defer stopOwn()
	actionTimeout, stopAction := timerUntil(sr.sc.earliestDeadline())
	defer stopAction()
	reason := notStopped
	stopFor := func(r stopReason) {
		if reason == notStopped {
			reason = r
			stop()
		}
	}
	for {
		select {
		case <-done:
			return reason
		case <-jobDone:
			jobDone = nil
			j.noteCancel(sr)
			if ok, err := j.condition(sr); err != nil || !ok {
				stopFor(stoppedByCancel)
			}
		case <-timeout:
			timeout = nil
			stopFor(stoppedByTimeout)
		case <-actionTimeout:
			actionTimeout = nil
			stopFor(stoppedByActionTimeout)
		}
	}
}

// timerUntil is a channel that fires at t; nil (never) for a zero t.
func timerUntil(t time.Time) (<-chan time.Time, func()) {
	if t.IsZero() {
		return nil, func() {}
	}
	tm := time.NewTimer(time.Until(t))
	return tm.C, func() { tm.Stop() }
}

// stoppedStatus logs why a step was stopped and gives its result.
func (j *jobRun) stoppedStatus(sr *stepRun, reason stopReason) string {
	switch reason {
	case stoppedByTimeout:
		j.log.errorf(sr.n, fmt.Sprintf("The action '%s' has timed out after %d minutes.", sr.name, sr.timeoutMin))
		return resultFailure
	case stoppedByActionTimeout:
		j.log.errorf(sr.n, "The operation was canceled.")
		return resultFailure
	}
	j.log.errorf(sr.n, "The operation was canceled.")
	return resultCancelled
}

// noteCancel makes the job (and any composite action running) cancelled.
// The first time, a job timeout says so.
func (j *jobRun) noteCancel(sr *stepRun) {
	if !j.cancelNoted {
		j.cancelNoted = true
		if j.timedOut.Load() {
			j.log.errorf(sr.n, fmt.Sprintf("The job running on runner %s has exceeded the maximum execution time of %d minutes.", runnerName, j.timeoutMin))
		}
	}
	for s := sr.sc; s != nil; s = s.parent {
		s.status = expr.StatusCancelled
	}
}

// setJobEnv applies a GITHUB_ENV (or allowed ::set-env) write: to the
// job-wide environment and to the running composite actions'.
func (j *jobRun) setJobEnv(sc *scope, name, value string) {
	j.env.set(name, value)
	for s := sc; s != nil; s = s.parent {
		if s.env != nil {
			s.env.set(name, value)
		}
	}
}

// outputMap is StepResult.Outputs.
func outputMap(e *envList) map[string]string {
	if e == nil || e.len() == 0 {
		return nil
	}
	m := make(map[string]string, e.len())
	e.each(func(k, v string) { m[k] = v })
	return m
}
