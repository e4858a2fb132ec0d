package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dispatchd/dispatchd/engine"
	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/runner"
	"github.com/dispatchd/dispatchd/runnerproto"
	"github.com/dispatchd/dispatchd/workflow"
)

// How long a finished job's last events and its completion may take: a
// minute while the runner keeps going, a few seconds once it is stopping.
const (
	finalTimeout  = time.Minute
	shutdownGrace = 5 * time.Second
)

// buildJob turns the server's description of a job into the runner's. An
// error fails the job before its first step.
func (a *agent) buildJob(pj *runnerproto.Job) (*runner.Job, error) {
	wf, problems := workflow.Parse(pj.WorkflowPath, []byte(pj.WorkflowSource))
	if wf == nil {
		msg := "it is not YAML"
		if len(problems) > 0 {
			p := problems[0]
			msg = fmt.Sprintf("line %d, column %d: %s", p.Line, p.Column, p.Message)
		}
		return nil, fmt.Errorf("the workflow %s could not be read: %s", pj.WorkflowPath, msg)
	}
	spec := wf.Job(pj.JobKey) // job ids are case-insensitive
	if spec == nil {
		return nil, fmt.Errorf("the workflow %s has no job %q", pj.WorkflowPath, pj.JobKey)
	}
	contexts := map[string]any{"matrix": nil} // nil for a job without a matrix, as the engine does
	for name, raw := range pj.Contexts {
		name = strings.ToLower(name)
		if len(raw) == 0 {
			contexts[name] = nil
			continue
		}
		v, err := expr.FromJSON(raw)
		if err != nil {
			return nil, fmt.Errorf("the %s context sent by the server is not valid JSON: %w", name, err)
		}
		contexts[name] = v
	}
	env := a.cfg.Environment
	if env == nil {
		env = engine.BaseEnvironment()
	}
	return &runner.Job{
		Workflow: wf, Spec: spec, Name: pj.Name, Contexts: contexts, Secrets: pj.Secrets, Event: pj.Event,
		WorkDir: a.jobDir(pj), Debug: pj.Debug, Environment: env,
		Checkout: &gitCheckout{repository: pj.Repository, url: pj.Checkout.GitURL, token: pj.Checkout.Token,
			sha: pj.Checkout.SHA},
		Actions: &ServerActions{URL: serverRoot(pj, a.cfg.URL), Token: pj.Checkout.Token, JobToken: true},
	}, nil
}

// jobDir is the job's own work directory, removed after the job.
func (a *agent) jobDir(pj *runnerproto.Job) string {
	return filepath.Join(a.cfg.WorkDir, strconv.FormatInt(pj.ID, 10))
}

// execute runs one job the server handed out and reports it: events while
// it runs, then its result, unless the server forgot the job meanwhile.
// ctx is the runner's: when it ends, the job is cancelled and still
// reported, within shutdownGrace.
func (a *agent) execute(ctx context.Context, pj *runnerproto.Job) {
	log := a.log.With("job_id", pj.ID, "job", pj.Name, "run_id", pj.RunID)
	log.Info("job started")
	if a.cfg.JobStarted != nil {
		a.cfg.JobStarted(pj)
	}
	jobCtx, cancelJob := context.WithCancelCause(ctx)
	defer cancelJob(nil)
	rep := startReporter(ctx, a.client, pj.ID, cancelJob, log)

	var res runner.Result
	job, err := a.buildJob(pj)
	if err == nil {
		err = os.RemoveAll(job.WorkDir) // a previous runner's leftovers
	}
	if err != nil {
		log.Error("the job could not start", "err", err)
		res = failBeforeStart(rep, err)
	} else {
		res = runner.Run(jobCtx, job, rep)
	}
	if cause := context.Cause(jobCtx); cause != nil && !errors.Is(cause, context.Canceled) {
		log.Info("job cancelled", "reason", cause)
	}

	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalTimeout)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(shutdownGrace, cancel) })
	defer stop()
	known := rep.close(fctx)
	if known {
		if err := a.complete(fctx, pj.ID, res); err != nil {
			log.Error("the job's result could not be sent", "err", err)
			known = false
		}
	} else {
		log.Warn("the server no longer knows the job; its result is not sent", "result", res.Result)
	}
	if err := os.RemoveAll(a.jobDir(pj)); err != nil {
		log.Warn("removing the job's work directory", "err", err)
	}
	log.Info("job finished", "result", res.Result, "reported", known)
	if a.cfg.JobFinished != nil {
		a.cfg.JobFinished(pj, res, known)
	}
}

// failBeforeStart reports a job that could not start as the engine does:
// a failed "Set up job" with the reason.
func failBeforeStart(rep runner.Reporter, err error) runner.Result {
	rep.StepStarted(0, "Set up job")
	rep.Log(0, time.Now(), "##[error]"+err.Error())
	rep.StepFinished(0, "failure", "failure")
	return runner.Result{Result: "failure"}
}

// complete sends the job's result, retrying network errors and 5xx until
// ctx ends.
func (a *agent) complete(ctx context.Context, id int64, res runner.Result) error {
	path := runnerproto.PathJobs + strconv.FormatInt(id, 10) + "/complete"
	var b backoff
	for {
		_, err := a.client.post(ctx, path, runnerproto.Completion{Result: res}, nil, requestTimeout, nil)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || !retryable(err) {
			return err
		}
		a.log.Warn("sending the job's result failed; retrying", "job_id", id, "err", err)
		if !sleep(ctx, b.next()) {
			return err
		}
	}
}
