// Package runner executes one job (one matrix leg) of a workflow run on this
// machine, with GitHub's step semantics: shells, environment, env files,
// workflow commands, masking, step if/continue-on-error/timeout, outputs.
// It knows nothing about servers: the caller resolves the job's contexts and
// receives what happens through a Reporter. `dispatchd exec` and the runners
// that take jobs from a server both use it.
package runner

import (
	"context"
	"errors"
	"time"

	"github.com/dispatchd/dispatchd/workflow"
)

// Job is everything needed to execute one job, resolved by the scheduler.
type Job struct {
	Workflow *workflow.Workflow // for workflow-level env and defaults
	Spec     *workflow.Job      // the job's model
	Name     string             // display name, evaluated ("build (linux, 18)")

	// Contexts supplied by the scheduler, by lower-case name: "github" (the
	// run's github context: event, event_name, ref, sha, repository, actor,
	// run_id, run_number, run_attempt, workflow, server_url, api_url, …;
	// the runner adds job and action), "inputs", "vars", "strategy",
	// "matrix" (nil for a job without one), "needs". The runner builds env,
	// job, steps, runner and secrets itself.
	Contexts map[string]any
	Secrets  map[string]string // secrets.*; every value is masked
	Event    []byte            // the event payload, written to $GITHUB_EVENT_PATH

	// WorkDir is the runner's work directory; the job gets
	// <WorkDir>/<repo>/<repo> as GITHUB_WORKSPACE and temp dirs below it.
	WorkDir string
	// Checkout fills the workspace for the built-in actions/checkout.
	Checkout Checkouter
	// Actions fetches the repositories of `uses: OWNER/REPO[/PATH]@REF`
	// steps; nil means such steps fail, saying the runner has no source
	// for them.
	Actions ActionFetcher
	// Debug shows ::debug:: lines (ACTIONS_STEP_DEBUG).
	Debug bool
	// Environment is added to every step's process environment before the
	// job's own (PATH and HOME, for instance); nil means os.Environ().
	Environment []string
}

// Checkouter places the repository's content at a commit in a directory,
// as actions/checkout does (ref, fetch-depth, path come from `with:`).
type Checkouter interface {
	Checkout(ctx context.Context, dir string, opts CheckoutOptions) error
}

// ActionFetcher places the content of an action's repository, OWNER/REPO
// at REF (a branch, a tag or a commit), in dir, which exists and is empty.
// The runner calls it once per OWNER/REPO@REF and job (steps of a job that
// use the same action share one copy, below WorkDir/_actions). An
// error wrapping ErrActionNotFound means the repository or the ref does
// not exist (or may not be read); its text, when it says more, is logged.
type ActionFetcher interface {
	Fetch(ctx context.Context, owner, repo, ref, dir string) error
}

// ErrActionNotFound is what an ActionFetcher's error wraps when the
// action's repository or ref is not there.
var ErrActionNotFound = errors.New("action not found")

// CheckoutOptions are actions/checkout's inputs that the built-in supports.
type CheckoutOptions struct {
	Repository string // owner/repo; empty means the run's repository
	Ref        string // empty means the run's sha
	FetchDepth int    // 1 by default; 0 means all history
}

// Reporter receives what happens, in order, from one goroutine at a time.
type Reporter interface {
	// StepStarted announces step n and its display name. Steps are
	// numbered in the order they run, from 0: "Set up job" (0), the "Pre …"
	// steps of the job's actions that have a `pre:` script, the job's own
	// steps, the "Post …" steps of the actions that have a `post:` script,
	// then "Complete job", last. Without pre and post steps, step i of the
	// job is number i+1 and "Complete job" is len(steps)+1.
	StepStarted(n int, name string)
	// Log is one line of output, already masked, in GitHub's raw form
	// (the runner's "##[group]Run …" header, the step's output, the
	// "##[error]…" lines of commands).
	Log(n int, at time.Time, line string)
	// StepFinished gives the step's outcome and conclusion (success,
	// failure, cancelled, skipped).
	StepFinished(n int, outcome, conclusion string)
	// Annotation is an ::error/::warning/::notice, masked.
	Annotation(a Annotation)
}

// Annotation is a workflow command's annotation.
type Annotation struct {
	Level          string // error, warning, notice
	Message        string
	Title          string
	File           string // relative to the workspace
	Line, EndLine  int
	Col, EndColumn int
	Step           int
}

// Result is how the job ended.
type Result struct {
	Result  string            // success, failure, cancelled
	Outputs map[string]string // job outputs: empty ones and ones holding a secret dropped
	Steps   []StepResult
	Summary string // the job summary (step summaries joined), masked
}

// StepResult is one step's end state; skipped steps are included.
type StepResult struct {
	ID         string // the step id or the generated one (__run, __run_2, …)
	Name       string
	Outcome    string
	Conclusion string
	Outputs    map[string]string
}

// Run executes the job. Cancelling ctx cancels the job as GitHub does:
// running steps get SIGINT, then SIGTERM, then SIGKILL with their process
// groups; steps still to come run only if their if: holds (always()).
func Run(ctx context.Context, job *Job, rep Reporter) Result {
	return run(ctx, job, rep)
}
