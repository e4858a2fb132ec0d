package api

import (
	"context"
	"net/http"

	"github.com/dispatchd/dispatchd"
)

// DefaultMaxDispatchDepth bounds a chain of runs that dispatch each other.
const DefaultMaxDispatchDepth = 16

// causeOf tells which run, if any, is making a request: a job's
// GITHUB_TOKEN names its run; a token that a running job holds among its
// secrets points at that job's run. A dispatch beyond the chain's depth
// limit is refused, which stops runs that dispatch themselves in a loop.
func (s *Server) causeOf(ctx context.Context, a *dispatchd.Actor) (dispatchd.Cause, error) {
	var c dispatchd.Cause
	if a.Token == nil || s.Broker == nil {
		return c, nil
	}
	var repoID int64
	switch {
	case a.Token.Kind == dispatchd.TokenJob && len(a.Token.Repos) == 1:
		c.RunID, c.Kind, repoID = a.Token.JobRunID, dispatchd.CauseGitHubToken, a.Token.Repos[0].RepoID
	default:
		g := s.Broker.RunUsing(a.Token.Hash)
		if g == nil {
			return c, nil
		}
		c.RunID, c.Kind, repoID = g.RunID, dispatchd.CauseSecretToken, g.RepoID
	}
	run, err := s.Store.FindRun(ctx, repoID, c.RunID)
	if err != nil {
		return c, err
	}
	parent, err := s.Store.FindEvent(ctx, repoID, run.EventID)
	if err != nil {
		return c, err
	}
	c.RepoID, c.Depth = repoID, parent.Cause.Depth+1
	if limit := s.maxDepth(); c.Depth > limit {
		return c, dispatchd.Errorf(dispatchd.EINVALID,
			"This dispatch would be number %d in a chain of runs dispatching runs; at most %d are allowed (serve --max-dispatch-depth).",
			c.Depth, limit)
	}
	return c, nil
}

func (s *Server) maxDepth() int {
	if s.MaxDispatchDepth > 0 {
		return s.MaxDispatchDepth
	}
	return DefaultMaxDispatchDepth
}

// causeJSON is the dispatchd extension `caused_by` of an event and of the
// runs it created: null for an event a person made; else the kind, the
// chain depth, and the run, if the caller may see its repository.
func (s *Server) causeJSON(r *http.Request, c dispatchd.Cause) (any, error) {
	if c.RunID == 0 {
		return nil, nil
	}
	m := map[string]any{"kind": c.Kind, "depth": c.Depth}
	repo, ok, err := s.visibleRepo(r, c.RepoID)
	if err != nil || !ok {
		return m, err
	}
	m["run"] = s.runLink(repo, c.RunID)
	return m, nil
}

// dispatchedJSON lists the events a run's jobs made (the dispatchd
// extension `dispatched` of a run), those in repositories the caller may
// see.
func (s *Server) dispatchedJSON(r *http.Request, runID int64) ([]map[string]any, error) {
	events, err := s.Store.EventsCausedBy(r.Context(), runID)
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for _, e := range events {
		repo, ok, err := s.visibleRepo(r, e.RepoID)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		m := map[string]any{"id": e.ID, "event": e.Name, "repository": repo.FullName(),
			"url": s.urls().API("/repos/%s/dispatches/%d", repo.FullName(), e.ID)}
		if e.Action != "" {
			m["event_type"] = e.Action
		}
		out = append(out, m)
	}
	return out, nil
}

// visibleRepo loads a repository by id if the actor may read its runs.
func (s *Server) visibleRepo(r *http.Request, id int64) (*dispatchd.Repo, bool, error) {
	repo, err := s.Store.FindRepoByID(r.Context(), id)
	if dispatchd.ErrorCode(err) == dispatchd.ENOTFOUND {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	if err := s.authorize(r, repo, dispatchd.AreaActions, dispatchd.Read); err != nil {
		return nil, false, nil
	}
	return repo, true, nil
}

func (s *Server) runLink(repo *dispatchd.Repo, runID int64) map[string]any {
	return map[string]any{"id": runID, "repository": repo.FullName(),
		"url":      s.urls().API("/repos/%s/actions/runs/%d", repo.FullName(), runID),
		"html_url": s.urls().HTML("/%s/actions/runs/%d", repo.FullName(), runID)}
}
