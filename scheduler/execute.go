package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/dispatch"
	"github.com/dispatchd/dispatchd/engine"
	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/workflow"
)

// execute runs one claimed run to its end and records its conclusion.
func (s *Scheduler) execute(ctx context.Context, run *dispatchd.Run) {
	// A run outlives the request that made it, but not the server: on a
	// stop its context ends, and the restart queues it again.
	runCtx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.cancels[run.ID] = cancel
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.cancels, run.ID)
		s.mu.Unlock()
		cancel()
	}()
	var once sync.Once
	started := func() { once.Do(func() { s.starting.Add(-1) }) }
	defer started()
	log := s.Logger.With("run_id", run.ID)
	er, p, err := s.prepare(runCtx, run)
	if err != nil {
		log.Error("run could not start", "err", err)
		s.fail(context.WithoutCancel(ctx), run, err)
		return
	}
	obs, err := newRecorder(ctx, s.Store, run)
	if err != nil {
		log.Error("run could not start", "err", err)
		return
	}
	er.Execute = s.onRunners(ctx, run, p.repo, p.file, obs, started)
	res := engine.Execute(runCtx, er, obs)
	if ctx.Err() != nil {
		return // the server is stopping: the run is queued again at the next start
	}
	if _, err := s.Store.CompleteRun(context.WithoutCancel(ctx), run.ID, res.Conclusion); err != nil {
		log.Error("recording the run's conclusion failed", "err", err)
	}
}

// prepared is what a run's leg executor needs besides the engine's run.
type prepared struct {
	repo *dispatchd.Repo
	file *dispatchd.WorkflowFile
}

// prepare assembles the engine's run: the workflow as of the run's commit,
// the event, and the contexts.
func (s *Scheduler) prepare(ctx context.Context, run *dispatchd.Run) (*engine.Run, prepared, error) {
	var p prepared
	repo, err := s.Store.FindRepoByID(ctx, run.RepoID)
	if err != nil {
		return nil, p, err
	}
	event, err := s.Store.FindEvent(ctx, run.RepoID, run.EventID)
	if err != nil {
		return nil, p, err
	}
	actor, err := s.Store.FindUserByID(ctx, run.ActorID)
	if err != nil {
		return nil, p, err
	}
	file, err := s.workflowFile(ctx, run)
	if err != nil {
		return nil, p, err
	}
	p = prepared{repo: repo, file: file}
	model, _ := workflow.Parse(file.Path, file.Source)
	if model == nil {
		return nil, p, fmt.Errorf("%s at %s cannot be parsed", run.Path, run.HeadSHA)
	}
	payload, err := expr.FromJSON(event.Payload)
	if err != nil {
		return nil, p, err
	}
	inputs, err := typedInputs(file, event.Payload)
	if err != nil {
		return nil, p, err
	}
	gh := dispatch.GitHubContext{Repo: repo, Actor: actor, EventName: run.Event, Event: payload.(*expr.Object),
		Ref: event.Ref, SHA: run.HeadSHA, WorkflowPath: run.Path, WorkflowName: run.Name, ServerURL: s.BaseURL,
		APIURL: s.BaseURL + "/api/v3", GraphQLURL: s.BaseURL + "/api/graphql",
		Run: dispatch.Run{ID: run.ID, Number: run.RunNumber, Attempt: run.RunAttempt}}.Object()
	secrets, vars, err := s.secretsFor(ctx, repo)
	if err != nil {
		return nil, p, err
	}
	jobs, err := s.Store.ListJobs(ctx, run.ID, run.RunAttempt)
	if err != nil {
		return nil, p, err
	}
	// Legs run on runners, which have their own work directories and
	// checkout; these fields serve the in-process executor only.
	return &engine.Run{Workflow: model, GitHub: gh, Inputs: inputs, Vars: vars, Secrets: secrets, Event: event.Payload,
		Done: doneJobs(jobs)}, p, nil
}

func (s *Scheduler) workflowFile(ctx context.Context, run *dispatchd.Run) (*dispatchd.WorkflowFile, error) {
	files, err := s.Store.WorkflowFilesAt(ctx, run.RepoID, run.HeadSHA)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if f.Path == run.Path {
			return f, nil
		}
	}
	return nil, fmt.Errorf("%s is not in commit %s", run.Path, run.HeadSHA)
}

// typedInputs is the inputs context of a workflow_dispatch run: the event's
// string inputs, typed by the workflow's declaration.
func typedInputs(file *dispatchd.WorkflowFile, payload []byte) (*expr.Object, error) {
	obj := expr.NewObject()
	wd := file.Summary.Triggers.WorkflowDispatch
	var p struct {
		Inputs map[string]any `json:"inputs"`
	}
	if json.Unmarshal(payload, &p) != nil || p.Inputs == nil || wd == nil {
		return obj, nil
	}
	typed, _, err := workflow.ValidateInputs(wd, p.Inputs)
	if err != nil {
		return nil, err
	}
	for _, in := range wd.Inputs {
		if v, ok := typed[in.ID]; ok {
			obj.Set(in.ID, v)
		}
	}
	return obj, nil
}

// fail ends a run that could not start: its jobs fail with the reason.
func (s *Scheduler) fail(ctx context.Context, run *dispatchd.Run, cause error) {
	jobs, err := s.Store.ListJobs(ctx, run.ID, run.RunAttempt)
	if err == nil {
		for _, j := range jobs {
			if j.Status == dispatchd.StatusCompleted {
				continue
			}
			j.Status, j.Conclusion = dispatchd.StatusCompleted, dispatchd.ConclusionFailure
			s.Store.UpdateJob(ctx, j)
			s.Store.AppendLog(ctx, j.ID, []dispatchd.LogLine{{Text: "##[error]The run could not start: " + cause.Error()}})
		}
	}
	s.Store.CompleteRun(ctx, run.ID, dispatchd.ConclusionFailure)
}
