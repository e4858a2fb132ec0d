package runner

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/workflow"
)

// Step outcomes and conclusions, and job results.
const (
	resultSuccess   = "success"
	resultFailure   = "failure"
	resultCancelled = "cancelled"
	resultSkipped   = "skipped"
)

// timings are the runner's waits. They are a value passed down rather
// than constants so that tests can shorten them.
type timings struct {
	minute         time.Duration // one minute of timeout-minutes
	interruptGrace time.Duration // SIGINT, then SIGTERM after this
	terminateGrace time.Duration // SIGTERM, then SIGKILL after this
	streamGrace    time.Duration // how long a step waits for its output pipe after its process exited
}

// defaultTimings are the runner's (ProcessInvoker: 7.5 s after SIGINT,
// 2.5 s after SIGTERM, 5 s for the output streams).
var defaultTimings = timings{
	minute:         time.Minute,
	interruptGrace: 7500 * time.Millisecond,
	terminateGrace: 2500 * time.Millisecond,
	streamGrace:    5 * time.Second,
}

// defaultJobTimeout is a job's timeout-minutes when it has none.
const defaultJobTimeout = 360

func run(ctx context.Context, job *Job, rep Reporter) Result {
	return newJobRun(job, rep, defaultTimings).execute(ctx)
}

// jobRun is one execution of a job. Everything in it belongs to the job
// goroutine, except what logger, masker and cmdProc guard themselves.
type jobRun struct {
	job  *Job
	spec *workflow.Job
	t    timings
	mask *masker
	log  *logger
	dirs dirs
	base []string // the runner's environment for every step

	// Contexts. github is the job's; each step gets a copy with its keys.
	github, runnerCtx, secrets, vars, strategy, needs, inputs *expr.Object
	matrix                                                    any

	env      *envList // workflow env + job env + GITHUB_ENV: the job-wide environment
	paths    []string // GITHUB_PATH entries, oldest first
	defaults runDefaults
	top      *scope // the job's steps
	ids      []string

	// Actions from repositories: fetched ones by OWNER/REPO@REF, the pre
	// steps found in "Set up job", the post steps registered by the main
	// steps that ran (run last first), the state of the job's action steps.
	actions map[string]*fetchedAction
	pres    []*actionPhase
	posts   []*actionPhase
	states  map[string]*envList

	results  []StepResult
	summary  []string
	procs    []*proc // every step process, for the orphan cleanup
	tracking string  // RUNNER_TRACKING_ID, marks the job's processes
	since    uint64  // clock ticks since boot when the job began: older processes are not its

	jobCtx      context.Context
	timeoutMin  int
	timedOut    atomic.Bool
	cancelNoted bool // the job's cancellation has been seen (and logged)
}

func newJobRun(job *Job, rep Reporter, t timings) *jobRun {
	m := newMasker()
	spec := job.Spec
	if spec == nil {
		spec = &workflow.Job{} // setUp reports it
	}
	return &jobRun{
		job:      job,
		spec:     spec,
		t:        t,
		mask:     m,
		log:      newLogger(rep, m, job.Debug),
		base:     baseEnviron(job),
		actions:  map[string]*fetchedAction{},
		states:   map[string]*envList{},
		tracking: "dispatchd_" + randomID(),
		since:    ticksSinceBoot(),
	}
}

// execute runs the three phases: Set up job (0), the steps, Complete job
// (len(steps)+1).
func (j *jobRun) execute(ctx context.Context) Result {
	jobCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	j.jobCtx = jobCtx

	j.log.started(0, "Set up job")
	setupErr := j.setUp()
	if setupErr != nil {
		j.log.errorf(0, setupErr.Error())
		j.log.finished(0, resultFailure, resultFailure)
		j.top.status = expr.StatusFailure
		j.skipAll()
	} else {
		j.log.finished(0, resultSuccess, resultSuccess)
		stopTimer := j.startJobTimer(cancel)
		for i, ph := range j.pres {
			j.runPhase(ph, i+1)
		}
		for i := range j.spec.Steps {
			j.runTopStep(i)
		}
		n := len(j.pres) + len(j.spec.Steps) + 1
		for i := len(j.posts) - 1; i >= 0; i-- {
			j.runPhase(j.posts[i], n)
			n++
		}
		stopTimer()
	}
	outputs := j.complete(len(j.pres) + len(j.spec.Steps) + len(j.posts) + 1)
	j.dirs.cleanup()
	return Result{Result: j.jobResult(), Outputs: outputs, Steps: j.results, Summary: joinSummaries(j.summary)}
}

// startJobTimer cancels the job when its timeout-minutes pass; the
// cancellation then says why (§10).
func (j *jobRun) startJobTimer(cancel context.CancelFunc) (stop func()) {
	t := time.AfterFunc(time.Duration(j.timeoutMin)*j.t.minute, func() {
		j.timedOut.Store(true)
		cancel()
	})
	return func() { t.Stop() }
}

// jobResult is the job's result from job.status.
func (j *jobRun) jobResult() string {
	switch j.top.status {
	case expr.StatusFailure:
		return resultFailure
	case expr.StatusCancelled:
		return resultCancelled
	}
	return resultSuccess
}

// skipAll reports every step as skipped, when the job could not be set up.
func (j *jobRun) skipAll() {
	for i, st := range j.spec.Steps {
		n := i + 1
		name := defaultDisplayName(st, st.Run)
		if st.Name != "" {
			name = formatStepName("", st.Name)
		}
		j.log.started(n, name)
		j.log.finished(n, resultSkipped, resultSkipped)
		j.results = append(j.results, StepResult{ID: j.idOf(i), Name: name, Outcome: resultSkipped, Conclusion: resultSkipped})
	}
}

func (j *jobRun) idOf(i int) string {
	if i < len(j.ids) {
		return j.ids[i]
	}
	return j.spec.Steps[i].ID
}

// complete is the "Complete job" phase: job outputs, orphan processes.
func (j *jobRun) complete(n int) map[string]string {
	j.log.started(n, "Complete job")
	outputs, ok := j.jobOutputs(n)
	j.cleanupOrphans(n)
	if !ok {
		j.top.status = mergeStatus(j.top.status, expr.StatusFailure)
		j.log.finished(n, resultFailure, resultFailure)
	} else {
		j.log.finished(n, resultSuccess, resultSuccess)
	}
	return outputs
}

// mergeStatus is TaskResultUtil.MergeTaskResults for job.status: a
// cancelled job stays cancelled, otherwise failure wins.
func mergeStatus(current, coming string) string {
	if current == expr.StatusCancelled || coming == expr.StatusSuccess {
		return current
	}
	return coming
}

// joinSummaries is the job summary: the step summaries, in order, each
// ending with a newline.
func joinSummaries(parts []string) string {
	var out string
	for _, p := range parts {
		if out += p; len(p) > 0 && p[len(p)-1] != '\n' {
			out += "\n"
		}
	}
	return out
}
