package api

import (
	"net/http"
	"strconv"

	"github.com/dispatchd/dispatchd"
)

// listJobs answers GET …/runs/{run_id}/jobs (filter latest or all) and
// GET …/runs/{run_id}/attempts/{attempt_number}/jobs.
func (s *Server) listJobs(w http.ResponseWriter, r *http.Request) error {
	repo, run, err := s.repoRun(r, dispatchd.Read)
	if err != nil {
		return err
	}
	attempt := run.RunAttempt
	switch {
	case r.PathValue("attempt_number") != "":
		if attempt, err = attemptOf(r, run); err != nil {
			return err
		}
	case r.URL.Query().Get("filter") == "all":
		attempt = 0
	case r.URL.Query().Get("filter") != "" && r.URL.Query().Get("filter") != "latest":
		return &dispatchd.Error{Code: dispatchd.EINVALID, Message: "Validation Failed", Errors: []dispatchd.FieldError{{
			Resource: "Job", Field: "filter", Code: "invalid", Message: "filter must be latest or all"}}}
	}
	jobs, err := s.Store.ListJobs(r.Context(), run.ID, attempt)
	if err != nil {
		return err
	}
	p := pageOf(r)
	page := jobs[min(p.offset(), len(jobs)):min(p.offset()+p.perPage, len(jobs))]
	out := make([]map[string]any, 0, len(page))
	for _, j := range page {
		out = append(out, s.urls().Job(j, run, repo))
	}
	s.setLink(w, r, p, len(jobs))
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(jobs), "jobs": out})
	return nil
}

// jobFor loads {job_id} of the repository with its run.
func (s *Server) jobFor(r *http.Request, repo *dispatchd.Repo) (*dispatchd.Job, *dispatchd.Run, error) {
	id, err := strconv.ParseInt(r.PathValue("job_id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, nil, errNotFound
	}
	j, err := s.Store.FindJob(r.Context(), repo.ID, id)
	if err != nil {
		return nil, nil, err
	}
	run, err := s.Store.FindRun(r.Context(), repo.ID, j.RunID)
	return j, run, err
}

// getJob answers GET …/actions/jobs/{job_id}.
func (s *Server) getJob(w http.ResponseWriter, r *http.Request) error {
	repo, err := s.repoFor(r, dispatchd.AreaActions, dispatchd.Read)
	if err != nil {
		return err
	}
	j, run, err := s.jobFor(r, repo)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.urls().Job(j, run, repo))
	return nil
}

// cancelRun answers POST …/runs/{run_id}/cancel and …/force-cancel: 202 {},
// 409 when the run has completed.
func (s *Server) cancelRun(w http.ResponseWriter, r *http.Request) error {
	repo, run, err := s.repoRun(r, dispatchd.Write)
	if err != nil {
		return err
	}
	if _, err := s.Store.CancelRun(r.Context(), repo.ID, run.ID); err != nil {
		return err
	}
	if s.Runs != nil {
		s.Runs.Cancel(run.ID)
	}
	writeJSON(w, http.StatusAccepted, map[string]any{})
	return nil
}

// rerunRun answers POST …/runs/{run_id}/rerun and …/rerun-failed-jobs: 201 {}.
func (s *Server) rerunRun(failedOnly bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		repo, run, err := s.repoRun(r, dispatchd.Write)
		if err != nil {
			return err
		}
		body, err := s.readObject(w, r)
		if err != nil {
			return err
		}
		if _, _, err := body.boolean("enable_debug_logging"); err != nil {
			return err
		}
		if _, err := s.Store.RerunRun(r.Context(), repo.ID, run.ID, failedOnly); err != nil {
			return err
		}
		s.wakeRuns()
		writeJSON(w, http.StatusCreated, map[string]any{})
		return nil
	}
}
