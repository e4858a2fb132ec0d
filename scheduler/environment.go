package scheduler

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/runner"
)

// deploymentPoll is how often a held job reads its pending deployment. The
// review may reach any server of a scale-out, so the store is the channel
// it comes through; a second is below what a reviewer notices.
var deploymentPoll = time.Second

// environmentName is the job's `environment:` name, evaluated with the
// leg's contexts (github, inputs, vars, needs, strategy, matrix) as GitHub
// evaluates it; "" when the job names none.
func environmentName(job *runner.Job) (string, error) {
	env := job.Spec.Environment
	if env == nil {
		return "", nil
	}
	name := env.Name
	if strings.Contains(name, "${{") {
		v, err := expr.EvalTemplate(name, &expr.Context{Values: job.Contexts})
		if err != nil {
			return "", err
		}
		name = expr.ToString(v)
	}
	return strings.TrimSpace(name), nil
}

// guard holds a leg whose environment has protection rules until they
// pass: the job waits (status waiting) until the wait timer has elapsed
// and, with reviewers, one approved. It reports false, with the leg's
// result, when the leg must not run: rejected, or cancelled while it
// waited. stop is the server's context: when it ends the job keeps
// waiting, and the restart holds it again.
func (s *Scheduler) guard(stop, ctx context.Context, run *dispatchd.Run, jr *jobReporter, job *runner.Job,
	started func()) (runner.Result, bool) {
	name, err := environmentName(job)
	if err != nil {
		return jr.refuse("The job's environment could not be evaluated: " + err.Error()), false
	}
	if name == "" {
		return runner.Result{}, true
	}
	env, err := s.Store.EnsureEnvironment(jr.r.ctx, run.RepoID, name)
	if err != nil {
		return jr.refuse(fmt.Sprintf("The environment %q cannot be used: %s", name, dispatchd.ErrorMessage(err))), false
	}
	if !env.Protected() {
		return proceed(jr)
	}
	started() // a held job holds no runner
	d, err := jr.hold(env)
	if err != nil {
		s.Logger.Error("holding a job for its environment failed", "job_id", jr.job.ID, "err", err)
		return jr.refuse("The job could not wait for its environment."), false
	}
	return s.await(stop, ctx, jr, d)
}

// await waits until the held job's deployment is ready, reading it again
// once a poll (or when its wait timer ends).
func (s *Scheduler) await(stop, ctx context.Context, jr *jobReporter, d *dispatchd.PendingDeployment) (runner.Result, bool) {
	for !d.Ready(time.Now()) {
		if d.State == dispatchd.DeploymentRejected {
			return jr.refuse(s.rejection(jr.r.ctx, d)), false
		}
		select {
		case <-ctx.Done():
			if stop.Err() != nil {
				jr.suspend()
			}
			return runner.Result{Result: dispatchd.ConclusionCancelled}, false
		case <-time.After(nextLook(d, time.Now())):
		}
		next, err := s.Store.FindPendingDeployment(jr.r.ctx, jr.job.ID)
		switch {
		case dispatchd.ErrorCode(err) == dispatchd.ENOTFOUND:
			// Deleting the environment deletes the wait with its rules.
			return proceed(jr)
		case err != nil:
			s.Logger.Error("reading a held job's deployment failed", "job_id", jr.job.ID, "err", err) // read again
		default:
			d = next
		}
	}
	return proceed(jr)
}

// nextLook is how long a held job sleeps before it reads its deployment
// again: until its wait timer ends, or one poll, whichever is sooner.
func nextLook(d *dispatchd.PendingDeployment, now time.Time) time.Duration {
	if left := d.TimerEnds().Sub(now); left > 0 && left < deploymentPoll {
		return left
	}
	return deploymentPoll
}

// rejection is the log line of a job whose deployment was rejected.
func (s *Scheduler) rejection(ctx context.Context, d *dispatchd.PendingDeployment) string {
	who := "a reviewer"
	if u, err := s.Store.FindUserByID(ctx, d.ReviewerID); err == nil {
		who = u.Login
	}
	line := fmt.Sprintf("The deployment to the environment %s was rejected by %s.", d.Environment.Name, who)
	if d.Comment != "" {
		line += " " + d.Comment
	}
	return line
}

// hold records that the leg waits for env, as the job's status.
func (j *jobReporter) hold(env *dispatchd.Environment) (*dispatchd.PendingDeployment, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.r.store.HoldJob(j.r.ctx, j.job, env)
}

// proceed lets a leg go to a runner, queued again if it waited.
func proceed(jr *jobReporter) (runner.Result, bool) {
	jr.release()
	return runner.Result{}, true
}

// release queues a job that waited: it goes to a runner now. Like the
// reporter's other saves, a failing one leaves the job to run.
func (j *jobReporter) release() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.job.Status == dispatchd.StatusWaiting {
		j.job.Status = dispatchd.StatusQueued
		j.save()
	}
}

// refuse ends a leg that will not run, with why in its log.
func (j *jobReporter) refuse(line string) runner.Result {
	j.Log(0, time.Now(), "##[error]"+line)
	return runner.Result{Result: dispatchd.ConclusionFailure}
}

// suspend keeps the job waiting in the store when the leg ends because the
// server stops.
func (j *jobReporter) suspend() {
	j.mu.Lock()
	j.suspended = true
	j.mu.Unlock()
}
