package dispatch

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/workflow"
)

// RepositoryDispatch records a repository_dispatch event and creates a run
// of every enabled, valid workflow on the default branch head whose `on:`
// has repository_dispatch with no types or with eventType among them. The
// request is validated by the caller; an event that matches nothing is
// recorded all the same.
func (s *Service) RepositoryDispatch(ctx context.Context, actor *dispatchd.User, repo *dispatchd.Repo,
	eventType string, clientPayload json.RawMessage, o Options) (*Result, error) {
	ref := "refs/heads/" + repo.DefaultBranch
	sha, err := s.Store.FindRef(ctx, repo.ID, ref)
	if dispatchd.ErrorCode(err) == dispatchd.ENOTFOUND {
		sha = "" // an empty repository: the event is recorded, nothing runs
	} else if err != nil {
		return nil, err
	}
	p, err := s.repositoryDispatchPayload(repo, actor, eventType, clientPayload)
	if err != nil {
		return nil, err
	}
	event := p.obj
	e := &dispatchd.Event{RepoID: repo.ID, Name: "repository_dispatch", Action: eventType, Ref: ref, SHA: sha,
		ActorID: actor.ID, Payload: p.data, Parts: p.parts}
	var runs []dispatchd.NewRun
	if sha != "" {
		if runs, err = s.repositoryDispatchRuns(ctx, e, event, repo, actor); err != nil {
			return nil, err
		}
	}
	e.Cause = o.Cause
	if err := s.Store.CreateEvent(ctx, e, runs, o.Idempotency); err != nil {
		return nil, err
	}
	return &Result{Event: e, Runs: runsOf(runs)}, nil
}

func (s *Service) repositoryDispatchRuns(ctx context.Context, e *dispatchd.Event, event *expr.Object, repo *dispatchd.Repo, actor *dispatchd.User) ([]dispatchd.NewRun, error) {
	files, err := s.filesAt(ctx, repo.ID, e.SHA)
	if dispatchd.ErrorCode(err) == dispatchd.ENOTFOUND {
		return nil, nil // pushed but not indexed yet: nothing can match
	} else if err != nil {
		return nil, err
	}
	var runs []dispatchd.NewRun
	var disabled []int64
	checked := false // disabled workflows are looked up once, if anything matches
	for _, f := range files {
		if !f.Summary.Valid || !workflow.MatchesRepositoryDispatch(&f.Summary.Triggers, e.Action) {
			continue
		}
		m := s.modelOf(f)
		if ok, _ := m.runnable(); !ok {
			continue
		}
		if !checked {
			if disabled, err = s.Store.DisabledWorkflows(ctx, repo.ID); err != nil {
				return nil, err
			}
			checked = true
		}
		if slices.Contains(disabled, f.WorkflowID) {
			continue
		}
		t := &trigger{repo: repo, actor: actor, eventName: e.Name, event: event, ref: e.Ref, sha: e.SHA,
			file: f, name: workflowName(f)}
		runs = append(runs, s.newRun(t, m))
	}
	return runs, nil
}
