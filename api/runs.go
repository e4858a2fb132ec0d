package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/render"
)

// runStatuses are the values GitHub's `status` filter accepts.
var runStatuses = map[string]bool{"completed": true, "action_required": true, "cancelled": true, "failure": true,
	"neutral": true, "skipped": true, "stale": true, "success": true, "timed_out": true, "in_progress": true,
	"queued": true, "requested": true, "waiting": true, "pending": true}

// listRuns answers GET …/actions/runs and GET …/actions/workflows/{workflow_id}/runs.
func (s *Server) listRuns(w http.ResponseWriter, r *http.Request) error {
	repo, err := s.repoFor(r, dispatchd.AreaActions, dispatchd.Read)
	if err != nil {
		return err
	}
	f, err := runFilter(r, repo)
	if err != nil {
		return err
	}
	if r.PathValue("workflow_id") != "" {
		wf, err := s.findWorkflow(r, repo)
		if err != nil {
			return err
		}
		f.WorkflowID = wf.ID
	}
	p := pageOf(r)
	f.Offset, f.Limit = p.offset(), p.perPage
	if searchesRuns(r) {
		f.Max = maxSearchedRuns
	}
	runs, total, err := s.Store.ListRuns(r.Context(), f)
	if err != nil {
		return err
	}
	views := newViews(s.Store, repo)
	out := make([]map[string]any, 0, len(runs))
	for _, run := range runs {
		v, err := views.of(r.Context(), run)
		if err != nil {
			return err
		}
		out = append(out, s.urls().Run(v))
	}
	listable := total
	if f.Max > 0 {
		listable = min(total, f.Max)
	}
	s.setLink(w, r, p, listable)
	writeJSON(w, http.StatusOK, map[string]any{"total_count": total, "workflow_runs": out})
	return nil
}

// maxSearchedRuns is GitHub's cap on a filtered run listing: "This
// endpoint will return up to 1,000 results for each search when using the
// following parameters: actor, branch, check_suite_id, created, event,
// head_sha, status." total_count still counts every match; the Link header
// stops at the page holding the last run that can be listed.
const maxSearchedRuns = 1000

// searchesRuns reports whether a run listing uses a parameter of the cap.
func searchesRuns(r *http.Request) bool {
	q := r.URL.Query()
	for _, k := range []string{"actor", "branch", "check_suite_id", "created", "event", "head_sha", "status"} {
		if q.Get(k) != "" {
			return true
		}
	}
	return false
}

func runFilter(r *http.Request, repo *dispatchd.Repo) (dispatchd.RunFilter, error) {
	q := r.URL.Query()
	f := dispatchd.RunFilter{RepoID: repo.ID, Event: q.Get("event"), Branch: q.Get("branch"),
		ActorLogin: q.Get("actor"), HeadSHA: q.Get("head_sha"), Status: q.Get("status")}
	if f.Status != "" && !runStatuses[f.Status] {
		return f, &dispatchd.Error{Code: dispatchd.EINVALID, Message: "Validation Failed", Errors: []dispatchd.FieldError{{
			Resource: "WorkflowRun", Field: "status", Code: "invalid", Value: f.Status}}}
	}
	if c := q.Get("created"); c != "" {
		min, max, err := parseCreated(c)
		if err != nil {
			return f, err
		}
		f.CreatedMin, f.CreatedMax = min, max
	}
	if d := q.Get("dispatch_id"); d != "" {
		id, err := strconv.ParseInt(d, 10, 64)
		if err != nil || id <= 0 {
			return f, dispatchd.Errorf(dispatchd.EINVALID, "dispatch_id must be a positive integer.")
		}
		f.EventID = id
	}
	return f, nil
}

// views renders runs with their actors and commits, looking each up once
// per request.
type views struct {
	store   dispatchd.Store
	repo    *dispatchd.Repo
	users   map[int64]*dispatchd.User
	commits map[string]*dispatchd.Commit
}

func newViews(s dispatchd.Store, repo *dispatchd.Repo) *views {
	return &views{store: s, repo: repo, users: map[int64]*dispatchd.User{}, commits: map[string]*dispatchd.Commit{}}
}

func (v *views) user(ctx context.Context, id int64) (*dispatchd.User, error) {
	if u, ok := v.users[id]; ok {
		return u, nil
	}
	u, err := v.store.FindUserByID(ctx, id)
	if dispatchd.ErrorCode(err) == dispatchd.ENOTFOUND {
		u, err = &dispatchd.User{ID: id, Login: "ghost", Type: dispatchd.UserTypeUser}, nil
	}
	v.users[id] = u
	return u, err
}

func (v *views) of(ctx context.Context, run *dispatchd.Run) (render.RunView, error) {
	actor, err := v.user(ctx, run.ActorID)
	if err != nil {
		return render.RunView{}, err
	}
	trig, err := v.user(ctx, run.TriggeringActorID)
	if err != nil {
		return render.RunView{}, err
	}
	commit, ok := v.commits[run.HeadSHA]
	if !ok {
		commit, err = v.store.FindCommit(ctx, v.repo.ID, run.HeadSHA)
		if dispatchd.ErrorCode(err) == dispatchd.ENOTFOUND {
			commit, err = nil, nil
		} else if err != nil {
			return render.RunView{}, err
		}
		v.commits[run.HeadSHA] = commit
	}
	return render.RunView{Run: run, Repo: v.repo, Actor: actor, TriggeringActor: trig, Commit: commit}, nil
}

// repoRun loads {owner}/{repo}, checking the actor's access to its actions
// at level, and its {run_id}.
func (s *Server) repoRun(r *http.Request, level dispatchd.Level) (*dispatchd.Repo, *dispatchd.Run, error) {
	repo, err := s.repoFor(r, dispatchd.AreaActions, level)
	if err != nil {
		return nil, nil, err
	}
	run, err := s.runFor(r, repo)
	return repo, run, err
}

// runFor loads {run_id} of the repository.
func (s *Server) runFor(r *http.Request, repo *dispatchd.Repo) (*dispatchd.Run, error) {
	id, err := strconv.ParseInt(r.PathValue("run_id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, errNotFound
	}
	return s.Store.FindRun(r.Context(), repo.ID, id)
}

// getRun answers GET …/actions/runs/{run_id}.
func (s *Server) getRun(w http.ResponseWriter, r *http.Request) error {
	repo, run, err := s.repoRun(r, dispatchd.Read)
	if err != nil {
		return err
	}
	v, err := newViews(s.Store, repo).of(r.Context(), run)
	if err != nil {
		return err
	}
	m := s.urls().Run(v)
	// dispatchd extensions: which run's dispatch started this one, and
	// the events this one's jobs made.
	e, err := s.Store.FindEvent(r.Context(), repo.ID, run.EventID)
	if err != nil && dispatchd.ErrorCode(err) != dispatchd.ENOTFOUND {
		return err
	}
	if e != nil {
		if m["caused_by"], err = s.causeJSON(r, e.Cause); err != nil {
			return err
		}
	}
	if m["dispatched"], err = s.dispatchedJSON(r, run.ID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// attemptOf loads {attempt_number} of a run: 404 outside 1..run_attempt.
func attemptOf(r *http.Request, run *dispatchd.Run) (int, error) {
	n, err := strconv.Atoi(r.PathValue("attempt_number"))
	if err != nil || n < 1 || n > run.RunAttempt {
		return 0, errNotFound
	}
	return n, nil
}

// getRunAttempt answers GET …/runs/{run_id}/attempts/{attempt_number}; an
// earlier attempt's status comes from its jobs, all finished.
func (s *Server) getRunAttempt(w http.ResponseWriter, r *http.Request) error {
	repo, run, err := s.repoRun(r, dispatchd.Read)
	if err != nil {
		return err
	}
	n, err := attemptOf(r, run)
	if err != nil {
		return err
	}
	v, err := newViews(s.Store, repo).of(r.Context(), run)
	if err != nil {
		return err
	}
	if n < run.RunAttempt {
		jobs, err := s.Store.ListJobs(r.Context(), run.ID, n)
		if err != nil {
			return err
		}
		v.Attempt, v.Status, v.Conclusion = n, dispatchd.StatusCompleted, dispatchd.Conclude(jobs)
	}
	writeJSON(w, http.StatusOK, s.urls().Run(v))
	return nil
}

// deleteRun answers DELETE …/actions/runs/{run_id}.
func (s *Server) deleteRun(w http.ResponseWriter, r *http.Request) error {
	repo, run, err := s.repoRun(r, dispatchd.Write)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteRun(r.Context(), repo.ID, run.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
