// Package engine runs a whole workflow run in this process: it decides when
// each job starts (needs, if:, concurrency), expands matrices, applies
// fail-fast and max-parallel, executes jobs with the runner package, and
// concludes the run, with GitHub's rules (WORKFLOW_SEMANTICS §4.4, §5, §10,
// §12). `dispatchd exec` uses it directly.
package engine

import (
	"context"
	"os"

	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/runner"
	"github.com/dispatchd/dispatchd/workflow"
)

// Run is a workflow run to execute.
type Run struct {
	Workflow *workflow.Workflow
	GitHub   *expr.Object // the run's github context
	Inputs   *expr.Object
	Vars     *expr.Object
	Secrets  map[string]string
	Event    []byte // the event payload
	WorkDir  string // each leg works below it
	Checkout runner.Checkouter
	// Actions fetches the repositories of `uses: OWNER/REPO@REF` steps;
	// nil: such steps fail.
	Actions runner.ActionFetcher
	Debug   bool
	// Done holds jobs that already ended, by job id: a re-run of failed
	// jobs keeps the others, and their outputs, as they were.
	Done map[string]*JobResult
	// Environment is the base environment of every step's process; nil
	// means BaseEnvironment(): never dispatchd's own environment, which may
	// hold its credentials.
	Environment []string
	// Execute runs one leg's job: on a runner the server chose, say. Nil
	// runs it in this process with runner.Run.
	Execute func(ctx context.Context, l *Leg, job *runner.Job, rep runner.Reporter) runner.Result
}

func (r *Run) execute(ctx context.Context, l *Leg, job *runner.Job, rep runner.Reporter) runner.Result {
	if r.Execute != nil {
		return r.Execute(ctx, l, job, rep)
	}
	return runner.Run(ctx, job, rep)
}

// baseVars are the variables of this process a step inherits.
var baseVars = []string{"PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "TERM"}

// BaseEnvironment is the part of this process's environment steps get.
func BaseEnvironment() []string {
	var env []string
	for _, k := range baseVars {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

func (r *Run) environment() []string {
	if r.Environment != nil {
		return r.Environment
	}
	return BaseEnvironment()
}

// Leg is one execution of a job: the job itself, or one matrix combination.
type Leg struct {
	Key    string       // the job id
	Name   string       // display name: "build (linux, 18)"
	Index  int          // strategy.job-index
	Matrix *expr.Object // nil for a job without a matrix
}

// Observer hears about legs as they start and end. Calls may come from
// several goroutines, one per running leg.
type Observer interface {
	// LegStarted returns the reporter for the leg's steps.
	LegStarted(l *Leg) runner.Reporter
	LegFinished(l *Leg, r *LegResult)
	// JobSkipped tells that a job did not run (its if: was false).
	JobSkipped(key, name string)
}

// Result is how the run ended.
type Result struct {
	Conclusion string       // success, failure, cancelled
	Jobs       []*JobResult // in file order
}

// Job returns the result of a job by id.
func (r *Result) Job(key string) *JobResult {
	for _, j := range r.Jobs {
		if j.Key == key {
			return j
		}
	}
	return nil
}

// JobResult is one job's end state, over its legs.
type JobResult struct {
	Key         string
	Name        string
	Result      string // success, failure, cancelled, skipped
	NeedsResult string // what needs.<id>.result shows: success for a continue-on-error failure
	Outputs     map[string]string
	Legs        []*LegResult // in creation order
}

// LegResult is one leg's end state.
type LegResult struct {
	Leg
	Result          string
	ContinueOnError bool
	Steps           []runner.StepResult
	Outputs         map[string]string
	Summary         string
}

// Execute runs every job of the run and returns when all have ended.
// Cancelling ctx cancels the run: running legs are cancelled, and jobs not
// started run only if their if: holds under cancelled() / always().
func Execute(ctx context.Context, r *Run, obs Observer) *Result {
	s := newScheduler(ctx, r, obs)
	return s.run()
}
