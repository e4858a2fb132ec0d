package api

import (
	"net/http"
	"slices"

	"github.com/dispatchd/dispatchd"
)

// listPendingDeployments answers GET …/actions/runs/{run_id}/pending_deployments:
// the environments the run's jobs wait for.
func (s *Server) listPendingDeployments(w http.ResponseWriter, r *http.Request) error {
	repo, run, err := s.repoRun(r, dispatchd.Read)
	if err != nil {
		return err
	}
	ds, err := s.Store.ListPendingDeployments(r.Context(), run.ID)
	if err != nil {
		return err
	}
	actor := actorFrom(r.Context())
	v := newViews(s.Store, repo)
	out := make([]map[string]any, 0, len(ds))
	for _, d := range dedupeByEnvironment(ds) {
		reviewers, err := v.usersByID(r.Context(), d.Environment.Reviewers)
		if err != nil {
			return err
		}
		can := d.State == dispatchd.DeploymentWaiting && mayReview(actor) == nil &&
			dispatchd.CanReview(d.Environment, run, actor.User.ID) == nil
		out = append(out, s.urls().PendingDeployment(repo, d, reviewers, can))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// dedupeByEnvironment keeps the first deployment of each environment: the
// legs of a matrix job wait for the same one, and one review releases all.
func dedupeByEnvironment(ds []*dispatchd.PendingDeployment) []*dispatchd.PendingDeployment {
	seen := map[int64]bool{}
	var out []*dispatchd.PendingDeployment
	for _, d := range ds {
		if !seen[d.EnvironmentID] {
			seen[d.EnvironmentID] = true
			out = append(out, d)
		}
	}
	return out
}

// mayReview refuses what cannot be a reviewer: nobody, and a job's
// GITHUB_TOKEN, which on GitHub is an app's and never a required reviewer
// (a job must not approve its own run's deployments).
func mayReview(a *dispatchd.Actor) error {
	switch {
	case a.Anonymous():
		return dispatchd.ErrRequiresAuth
	case a.Token.IsJobToken():
		return dispatchd.ErrIntegrationForbidden
	}
	return nil
}

// reviewPendingDeployments answers POST …/actions/runs/{run_id}/pending_deployments
// with {environment_ids, state, comment}: a required reviewer approves or
// rejects the run's jobs that wait for those environments. 200 with a
// deployment object per job (see render.Deployment); 422 when an
// environment has no job waiting for a review, or the caller may not
// review it (not a reviewer, or self review prevented).
func (s *Server) reviewPendingDeployments(w http.ResponseWriter, r *http.Request) error {
	repo, run, err := s.repoRun(r, dispatchd.Read)
	if err != nil {
		return err
	}
	actor := actorFrom(r.Context())
	if err := mayReview(actor); err != nil {
		return err
	}
	body, err := s.readObject(w, r)
	if err != nil {
		return err
	}
	ids, state, comment, err := reviewBody(body)
	if err != nil {
		return err
	}
	for _, id := range ids {
		env, err := s.Store.FindEnvironmentByID(r.Context(), repo.ID, id)
		if dispatchd.ErrorCode(err) == dispatchd.ENOTFOUND {
			return dispatchd.Errorf(dispatchd.EINVALID, "There is no deployment of this run waiting for a review in environment %d.", id)
		} else if err != nil {
			return err
		}
		if err := dispatchd.CanReview(env, run, actor.User.ID); err != nil {
			return err
		}
	}
	ds, err := s.Store.ReviewDeployments(r.Context(), run.ID, ids, state, actor.User.ID, comment)
	if err != nil {
		return err
	}
	creator, err := newViews(s.Store, repo).user(r.Context(), run.TriggeringActorID)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(ds))
	for _, d := range ds {
		out = append(out, s.urls().Deployment(repo, run, d, creator))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// reviewBody reads {environment_ids, state, comment}, all three required
// as GitHub's schema has them.
func reviewBody(body object) (ids []int64, state, comment string, err error) {
	raw, ok := body["environment_ids"].([]any)
	if !ok || len(raw) == 0 {
		return nil, "", "", reviewFieldError("environment_ids", "environment_ids must be a non-empty array of environment ids.")
	}
	for _, v := range raw {
		id, isInt := integerOf(v)
		if !isInt || id <= 0 {
			return nil, "", "", invalidType("environment_ids/items", v, "an integer")
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	state, _, err = body.str("state")
	if err != nil {
		return nil, "", "", err
	}
	if state != dispatchd.DeploymentApproved && state != dispatchd.DeploymentRejected {
		return nil, "", "", reviewFieldError("state", "state must be approved or rejected.")
	}
	comment, present, err := body.str("comment")
	if err != nil {
		return nil, "", "", err
	} else if !present {
		return nil, "", "", reviewFieldError("comment", "comment is required.")
	}
	return ids, state, comment, nil
}

func reviewFieldError(field, msg string) error {
	return &dispatchd.Error{Code: dispatchd.EINVALID, Message: "Validation Failed", Errors: []dispatchd.FieldError{{
		Resource: "PendingDeployment", Field: field, Code: "invalid", Message: msg}}}
}
