package runner

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"

	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/workflow"
)

// runDefaults is the `defaults.run` that applies to the job's steps.
type runDefaults struct {
	shell, workingDirectory string
}

// setUp is the "Set up job" phase: directories, contexts, masks, the job's
// environment and defaults. An error fails the job before any step.
func (j *jobRun) setUp() error {
	j.top = &scope{status: expr.StatusSuccess}
	j.ids = stepIDs(j.spec.Steps)
	j.top.steps = expr.NewObject()
	if j.spec.Uses != "" {
		return fmt.Errorf("the job calls the reusable workflow %q: the scheduler must expand it into jobs", j.spec.Uses)
	}
	if j.job.Spec == nil {
		return errors.New("the job has no model (Job.Spec is nil)")
	}
	if j.job.WorkDir == "" {
		return errors.New("the runner has no work directory (Job.WorkDir is empty)")
	}
	// Absolute, because steps run in the workspace and are given paths
	// below WorkDir (the script, the env files). The caller's Job is left as it is.
	work, err := filepath.Abs(j.job.WorkDir)
	if err != nil {
		return err
	}
	job := *j.job
	job.WorkDir = work
	j.job = &job
	j.loadContexts()
	for _, s := range j.job.Secrets {
		j.mask.addSecret(s)
	}
	j.log.output(0, "Prepare workflow directory")
	if err := j.dirs.prepare(j.eventPayload()); err != nil {
		return fmt.Errorf("preparing the workflow directory: %w", err)
	}
	if err := j.loadEnv(); err != nil {
		return err
	}
	if err := j.loadDefaults(); err != nil {
		return err
	}
	if err := j.loadTimeout(); err != nil {
		return err
	}
	if j.needsActions() {
		j.log.output(0, "Prepare all required actions")
		j.prepareActions()
	}
	j.log.output(0, "Complete job name: "+j.displayName())
	return nil
}

// loadContexts takes the caller's contexts and adds the runner's own.
func (j *jobRun) loadContexts() {
	ctxs := j.job.Contexts
	caller := contextObject(ctxs, "github")
	j.dirs = newDirs(j.job.WorkDir, getString(caller, "repository"))
	j.github = jobGitHub(caller, j.spec.ID, j.dirs)
	j.runnerCtx = runnerContext(j.dirs, j.job.Debug)
	j.secrets = secretsObject(j.job.Secrets)
	j.vars = contextObject(ctxs, "vars")
	j.needs = contextObject(ctxs, "needs")
	j.inputs = contextObject(ctxs, "inputs")
	j.matrix = toValue(ctxs["matrix"])
	j.strategy = defaultStrategy()
	if s, ok := toValue(ctxs["strategy"]).(*expr.Object); ok {
		j.strategy = s
	}
	j.top.inputs = j.inputs
}

// eventPayload is Job.Event, or github.event serialized when the caller
// gave only the context.
func (j *jobRun) eventPayload() []byte {
	if j.job.Event != nil {
		return j.job.Event
	}
	if ev, ok := j.github.Get("event"); ok && ev != nil {
		return []byte(expr.ToJSON(ev))
	}
	return []byte("{}")
}

func (j *jobRun) needsActions() bool {
	for _, s := range j.spec.Steps {
		if s.Uses != "" {
			return true
		}
	}
	return false
}

func (j *jobRun) displayName() string {
	if j.job.Name != "" {
		return j.job.Name
	}
	return j.spec.ID
}

// jobContext is what job-level keys are evaluated with.
func (j *jobRun) jobContext(env *envList) *expr.Context {
	values := map[string]any{
		"github": j.github, "inputs": j.inputs, "vars": j.vars, "secrets": j.secrets,
		"needs": j.needs, "strategy": j.strategy, "matrix": j.matrix,
	}
	if env != nil {
		values["env"] = env.object()
	}
	return &expr.Context{Values: values, Level: expr.StepLevel, Workspace: j.dirs.workspace}
}

// loadEnv evaluates the workflow's env, then the job's over it (§10). Job
// env may not read env: both are evaluated without it.
func (j *jobRun) loadEnv() error {
	j.env = newEnvList()
	if w := j.job.Workflow; w != nil {
		if err := evalEnv(w.Env, j.jobContext(nil), workflowEnvContexts, j.env); err != nil {
			return fmt.Errorf("evaluating the workflow's env: %w", err)
		}
	}
	if err := evalEnv(j.spec.Env, j.jobContext(nil), jobEnvContexts, j.env); err != nil {
		return fmt.Errorf("evaluating the job's env: %w", err)
	}
	return nil
}

// evalEnv evaluates an env: section into out. Every value is evaluated
// before any is set: entries of one env map cannot see each other.
func evalEnv(env workflow.Env, c *expr.Context, allowed []string, out *envList) error {
	var vals []envPair
	if env.Expr != "" {
		v, err := evalTemplate(env.Expr, c, allowed)
		if err != nil {
			return err
		}
		o, ok := v.(*expr.Object)
		if !ok {
			return fmt.Errorf("env must be a mapping: %s", env.Expr)
		}
		for k, v := range o.All() {
			vals = append(vals, envPair{k, expr.ToString(v)})
		}
	}
	for _, p := range env.Vars {
		v, err := evalString(p.Value, c, allowed)
		if err != nil {
			return err
		}
		vals = append(vals, envPair{p.Name, v})
	}
	for _, p := range vals {
		out.set(p.name, p.value)
	}
	return nil
}

// loadDefaults picks defaults.run: the job's mapping replaces the
// workflow's entirely (§10); only the job's may hold expressions.
func (j *jobRun) loadDefaults() error {
	if d := j.spec.Defaults; d != nil {
		c := j.jobContext(j.env)
		shell, err := evalString(d.Shell, c, jobDefaultsContexts)
		if err != nil {
			return fmt.Errorf("evaluating defaults.run.shell: %w", err)
		}
		wd, err := evalString(d.WorkingDirectory, c, jobDefaultsContexts)
		if err != nil {
			return fmt.Errorf("evaluating defaults.run.working-directory: %w", err)
		}
		j.defaults = runDefaults{shell: shell, workingDirectory: wd}
		return nil
	}
	if w := j.job.Workflow; w != nil && w.Defaults != nil {
		j.defaults = runDefaults{shell: w.Defaults.Shell, workingDirectory: w.Defaults.WorkingDirectory}
	}
	return nil
}

// loadTimeout evaluates the job's timeout-minutes (default 360; the
// fraction is dropped, as for steps).
func (j *jobRun) loadTimeout() error {
	j.timeoutMin = defaultJobTimeout
	minutes, set, err := evalMinutes(j.spec.TimeoutMinutes, j.jobContext(j.env), jobTimeoutContexts)
	if err != nil {
		return fmt.Errorf("evaluating the job's timeout-minutes: %w", err)
	}
	if set && minutes > 0 {
		j.timeoutMin = minutes
	}
	return nil
}

// evalMinutes evaluates a timeout-minutes value, truncated to whole
// minutes as the runner's (Int32) cast does.
func evalMinutes(n workflow.NumberOrExpr, c *expr.Context, allowed []string) (int, bool, error) {
	if !n.Set {
		return 0, false, nil
	}
	f := n.Value
	if n.Expr != "" {
		v, err := evalTemplate(n.Expr, c, allowed)
		if err != nil {
			return 0, true, err
		}
		num, ok := v.(float64)
		if !ok {
			return 0, true, fmt.Errorf("Unexpected value '%s'", expr.ToString(v))
		}
		f = num
	}
	if math.IsNaN(f) || f < 0 {
		return 0, true, nil
	}
	return int(math.Min(math.Trunc(f), math.MaxInt32)), true, nil
}
