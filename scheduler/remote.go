package scheduler

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/broker"
	"github.com/dispatchd/dispatchd/engine"
	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/runner"
	"github.com/dispatchd/dispatchd/runnerproto"
)

// onRunners returns the engine's leg executor for a run: each leg becomes
// an offer to the runners, which take it over the runner protocol.
// A leg whose environment has protection rules waits for them first. stop
// is the server's context.
func (s *Scheduler) onRunners(stop context.Context, run *dispatchd.Run, repo *dispatchd.Repo, file *dispatchd.WorkflowFile,
	rec *recorder, started func()) func(context.Context, *engine.Leg, *runner.Job, runner.Reporter) runner.Result {
	return func(ctx context.Context, l *engine.Leg, job *runner.Job, rep runner.Reporter) runner.Result {
		jr := rec.reporterOf(l)
		if jr == nil {
			return runner.Result{Result: "failure"}
		}
		if res, ok := s.guard(stop, ctx, run, jr, job, started); !ok {
			return res
		}
		// The job's GITHUB_TOKEN: secrets.GITHUB_TOKEN, github.token, and
		// the checkout's credential; valid while a runner runs the job.
		token := dispatchd.NewJobToken(s.TokenKey, jr.job.ID)
		grant := &dispatchd.JobGrant{JobID: jr.job.ID, RunID: run.ID, RepoID: repo.ID, ActorID: run.TriggeringActorID,
			Permissions: tokenPermissions(job.Workflow, job.Spec)}
		req := jobRequest(run, repo, file, jr.job.ID, job, token)
		req.Checkout = runnerproto.Checkout{GitURL: "/" + repo.FullName() + ".git", Token: token, SHA: run.HeadSHA}
		started()
		return s.Broker.Submit(ctx, &broker.Offer{Job: *req, Repo: repo, Labels: runsOn(job), Reporter: rep, Grant: grant,
			TokenHashes: tokenHashes(job.Secrets), Assigned: func(r *dispatchd.Runner) { jr.assigned(r) }})
	}
}

// jobRequest is the job as the runner protocol carries it, with its token
// among the secrets and in the github context.
func jobRequest(run *dispatchd.Run, repo *dispatchd.Repo, file *dispatchd.WorkflowFile, jobID int64, job *runner.Job, token string) *runnerproto.Job {
	contexts := map[string]json.RawMessage{}
	for k, v := range job.Contexts {
		if v == nil {
			continue
		}
		if gh, ok := v.(*expr.Object); ok && k == "github" {
			v = withToken(gh, token)
		}
		contexts[k] = json.RawMessage(expr.ToJSON(v))
	}
	secrets := make(map[string]string, len(job.Secrets)+1)
	for k, v := range job.Secrets {
		secrets[k] = v
	}
	secrets["GITHUB_TOKEN"] = token
	return &runnerproto.Job{ID: jobID, RunID: run.ID, Name: job.Name, Repository: repo.FullName(), WorkflowPath: file.Path,
		WorkflowSource: string(file.Source), JobKey: job.Spec.ID, Contexts: contexts, Secrets: secrets,
		Event: json.RawMessage(job.Event), Debug: job.Debug}
}

// withToken is a copy of the github context with its token.
func withToken(gh *expr.Object, token string) *expr.Object {
	out := expr.NewObject()
	for k, v := range gh.All() {
		out.Set(k, v)
	}
	out.Set("token", token)
	return out
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

// tokenHashes are the hashes of the secrets that are dispatchd tokens: a
// personal access token stored as a secret and used by the job links the
// runs it dispatches to the job's run.
func tokenHashes(secrets map[string]string) []string {
	var out []string
	for _, v := range secrets {
		if dispatchd.TokenKindOf(v) != "" {
			out = append(out, dispatchd.HashToken(v))
		}
	}
	return out
}
