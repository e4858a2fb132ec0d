package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/render"
)

// The dispatchd extension that answers "which runs did my dispatch start?",
// which GitHub cannot: GET /repos/{owner}/{repo}/dispatches/{dispatch_id}
// and GET /repos/{owner}/{repo}/dispatches.

// dispatchEvent renders a recorded event with its runs.
func (s *Server) dispatchEvent(r *http.Request, repo *dispatchd.Repo, e *dispatchd.Event, views *views) (map[string]any, error) {
	actor, err := views.user(r.Context(), e.ActorID)
	if err != nil {
		return nil, err
	}
	runs := make([]map[string]any, 0, len(e.RunIDs))
	for _, id := range e.RunIDs {
		run, err := s.Store.FindRun(r.Context(), repo.ID, id)
		if dispatchd.ErrorCode(err) == dispatchd.ENOTFOUND {
			continue // deleted since
		} else if err != nil {
			return nil, err
		}
		runs = append(runs, map[string]any{
			"id": run.ID, "name": run.Name, "display_title": run.DisplayTitle, "workflow_id": run.WorkflowID,
			"path": run.Path, "status": run.Status, "conclusion": render.Nullable(run.Conclusion),
			"url":      s.urls().API("/repos/%s/actions/runs/%d", repo.FullName(), run.ID),
			"html_url": s.urls().HTML("/%s/actions/runs/%d", repo.FullName(), run.ID),
		})
	}
	m := map[string]any{
		"id": e.ID, "event": e.Name, "ref": e.Ref, "sha": e.SHA, "created_at": render.Timestamp(e.CreatedAt),
		"actor": s.urls().SimpleUser(actor), "payload": json.RawMessage(e.Payload), "workflow_runs": runs,
		"url": s.urls().API("/repos/%s/dispatches/%d", repo.FullName(), e.ID),
	}
	if e.Action != "" {
		m["event_type"] = e.Action
	}
	if m["caused_by"], err = s.causeJSON(r, e.Cause); err != nil {
		return nil, err
	}
	return m, nil
}

// getDispatch answers GET /repos/{owner}/{repo}/dispatches/{dispatch_id}.
func (s *Server) getDispatch(w http.ResponseWriter, r *http.Request) error {
	repo, err := s.repoFor(r, dispatchd.AreaActions, dispatchd.Read)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("dispatch_id"), 10, 64)
	if err != nil || id <= 0 {
		return errNotFound
	}
	e, err := s.Store.FindEvent(r.Context(), repo.ID, id)
	if err != nil {
		return err
	}
	m, err := s.dispatchEvent(r, repo, e, newViews(s.Store, repo))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// listDispatches answers GET /repos/{owner}/{repo}/dispatches, newest first.
func (s *Server) listDispatches(w http.ResponseWriter, r *http.Request) error {
	repo, err := s.repoFor(r, dispatchd.AreaActions, dispatchd.Read)
	if err != nil {
		return err
	}
	p := pageOf(r)
	events, total, err := s.Store.ListEvents(r.Context(), repo.ID, p.offset(), p.perPage)
	if err != nil {
		return err
	}
	views := newViews(s.Store, repo)
	out := make([]map[string]any, 0, len(events))
	for _, e := range events {
		m, err := s.dispatchEvent(r, repo, e, views)
		if err != nil {
			return err
		}
		out = append(out, m)
	}
	s.setLink(w, r, p, total)
	writeJSON(w, http.StatusOK, map[string]any{"total_count": total, "dispatches": out})
	return nil
}
