package scheduler

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/broker"
	"github.com/dispatchd/dispatchd/engine"
	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/runner"
	"github.com/dispatchd/dispatchd/runnerproto"
)

// onRunners returns the engine's leg executor for a run: each leg becomes
// an offer to the runners, which take it over the runner protocol.
func (s *Scheduler) onRunners(run *dispatchd.Run, repo *dispatchd.Repo, file *dispatchd.WorkflowFile, rec *recorder,
	started func()) func(context.Context, *engine.Leg, *runner.Job, runner.Reporter) runner.Result {
	return func(ctx context.Context, l *engine.Leg, job *runner.Job, rep runner.Reporter) runner.Result {
		jr := rec.reporterOf(l)
		if jr == nil {
			return runner.Result{Result: "failure"}
		}
		req, err := jobRequest(run, repo, file, jr.job.ID, job)
		if err != nil {
			rep.StepStarted(0, "Set up job")
			rep.Log(0, time.Now(), "##[error]"+err.Error())
			rep.StepFinished(0, "failure", "failure")
			return runner.Result{Result: "failure"}
		}
		token, revoke, err := s.jobToken(ctx, run, repo, jr.job.ID)
		if err != nil {
			return runner.Result{Result: "failure"}
		}
		defer revoke()
		req.Checkout = runnerproto.Checkout{GitURL: "/" + repo.FullName() + ".git", Token: token, SHA: run.HeadSHA}
		started()
		return s.Broker.Submit(ctx, &broker.Offer{Job: *req, Repo: repo, Labels: runsOn(job), Reporter: rep,
			Assigned: func(r *dispatchd.Runner) { jr.assigned(r) }})
	}
}

// jobRequest is the job as the runner protocol carries it.
func jobRequest(run *dispatchd.Run, repo *dispatchd.Repo, file *dispatchd.WorkflowFile, jobID int64, job *runner.Job) (*runnerproto.Job, error) {
	contexts := map[string]json.RawMessage{}
	for k, v := range job.Contexts {
		if v == nil {
			continue
		}
		contexts[k] = json.RawMessage(expr.ToJSON(v))
	}
	return &runnerproto.Job{ID: jobID, RunID: run.ID, Name: job.Name, Repository: repo.FullName(), WorkflowPath: file.Path,
		WorkflowSource: string(file.Source), JobKey: job.Spec.ID, Contexts: contexts, Secrets: job.Secrets,
		Event: json.RawMessage(job.Event), Debug: job.Debug}, nil
}

// runsOn is the job's runs-on labels, evaluated with its contexts (a
// matrix may choose them).
func runsOn(job *runner.Job) []string {
	var out []string
	ctx := &expr.Context{Values: job.Contexts}
	for _, l := range job.Spec.RunsOn.Labels {
		if strings.Contains(l, "${{") {
			v, err := expr.EvalTemplate(l, ctx)
			if err != nil {
				continue
			}
			l = expr.ToString(v)
		}
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// jobTokenLife bounds a job token's life when its revocation is missed (a
// crash): the longest a job may run.
const jobTokenLife = 6*time.Hour + 10*time.Minute

// jobToken is the credential of a job's checkout: read access to the run's
// repository for as long as the job runs, on behalf of the run's actor.
func (s *Scheduler) jobToken(ctx context.Context, run *dispatchd.Run, repo *dispatchd.Repo, jobID int64) (string, func(), error) {
	secret := dispatchd.NewTokenSecret(dispatchd.TokenFineGrained)
	t := &dispatchd.Token{UserID: run.ActorID, Kind: dispatchd.TokenFineGrained, Name: "job " + strconv.FormatInt(jobID, 10),
		Hash: dispatchd.HashToken(secret), Hint: secret[len(secret)-4:], ExpiresAt: time.Now().Add(jobTokenLife),
		Repos: []dispatchd.RepoGrant{{RepoID: repo.ID, Permissions: dispatchd.Permissions{
			dispatchd.AreaMetadata: dispatchd.Read, dispatchd.AreaContents: dispatchd.Read}}}}
	if err := s.Store.CreateToken(context.WithoutCancel(ctx), t); err != nil {
		return "", nil, err
	}
	return secret, func() { s.Store.RevokeToken(context.WithoutCancel(ctx), t.ID) }, nil
}
