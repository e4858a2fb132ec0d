package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/dispatchd/dispatchd"
)

// Environments: whoever may read the repository's actions reads them;
// repository administrators (the administration area) change them. A
// non-admin who can see the repository gets 403 "Must have admin rights"
// (dispatchd.Authorize), as for other repository settings: the
// environments are no secret to them, they can list them.

// environmentFor loads {owner}/{repo} at area and level, and its
// {environment_name}; a name that cannot exist is not found. The route
// takes the rest of the path: a name may hold a slash (review/pr-1),
// which clients send escaped and the router sees decoded.
func (s *Server) environmentFor(r *http.Request, area dispatchd.Area, level dispatchd.Level) (*dispatchd.Repo, *dispatchd.Environment, error) {
	repo, err := s.repoFor(r, area, level)
	if err != nil {
		return nil, nil, err
	}
	name := r.PathValue("environment_name")
	if dispatchd.ValidateEnvironmentName(name) != nil {
		return repo, nil, errNotFound
	}
	e, err := s.Store.FindEnvironment(r.Context(), repo.ID, name)
	return repo, e, err
}

// environmentJSON renders an environment with its reviewers.
func (s *Server) environmentJSON(ctx context.Context, v *views, e *dispatchd.Environment) (map[string]any, error) {
	reviewers, err := v.usersByID(ctx, e.Reviewers)
	if err != nil {
		return nil, err
	}
	return s.urls().Environment(v.repo, e, reviewers), nil
}

// usersByID looks up users by id, in order; one deleted since is the ghost.
func (v *views) usersByID(ctx context.Context, ids []int64) ([]*dispatchd.User, error) {
	out := make([]*dispatchd.User, 0, len(ids))
	for _, id := range ids {
		u, err := v.user(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// listEnvironments answers GET …/environments: {total_count, environments}.
func (s *Server) listEnvironments(w http.ResponseWriter, r *http.Request) error {
	repo, err := s.repoFor(r, dispatchd.AreaActions, dispatchd.Read)
	if err != nil {
		return err
	}
	envs, err := s.Store.ListEnvironments(r.Context(), repo.ID)
	if err != nil {
		return err
	}
	p := pageOf(r)
	v := newViews(s.Store, repo)
	out := make([]map[string]any, 0, p.perPage)
	for _, e := range envs[min(p.offset(), len(envs)):min(p.offset()+p.perPage, len(envs))] {
		m, err := s.environmentJSON(r.Context(), v, e)
		if err != nil {
			return err
		}
		out = append(out, m)
	}
	s.setLink(w, r, p, len(envs))
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(envs), "environments": out})
	return nil
}

// getEnvironment answers GET …/environments/{environment_name}.
func (s *Server) getEnvironment(w http.ResponseWriter, r *http.Request) error {
	repo, e, err := s.environmentFor(r, dispatchd.AreaActions, dispatchd.Read)
	if err != nil {
		return err
	}
	return s.writeEnvironment(w, r, repo, e)
}

// writeEnvironment answers 200 with the environment.
func (s *Server) writeEnvironment(w http.ResponseWriter, r *http.Request, repo *dispatchd.Repo, e *dispatchd.Environment) error {
	m, err := s.environmentJSON(r.Context(), newViews(s.Store, repo), e)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// putEnvironment answers PUT …/environments/{environment_name}: it creates
// the environment or changes the settings the body gives (an absent key
// keeps its setting, null clears it), and answers 200 with it either way.
func (s *Server) putEnvironment(w http.ResponseWriter, r *http.Request) error {
	repo, e, err := s.environmentFor(r, dispatchd.AreaAdministration, dispatchd.Write)
	if dispatchd.ErrorCode(err) == dispatchd.ENOTFOUND && repo != nil && r.PathValue("environment_name") != "" {
		e, err = &dispatchd.Environment{RepoID: repo.ID, Name: r.PathValue("environment_name")}, nil
	}
	if err != nil {
		return err
	}
	if err := dispatchd.ValidateEnvironmentName(e.Name); err != nil {
		return err
	}
	body, err := s.readObject(w, r)
	if err != nil {
		return err
	}
	if err := s.applyEnvironmentBody(r.Context(), repo, body, e); err != nil {
		return err
	}
	if _, err := s.Store.PutEnvironment(r.Context(), e); err != nil {
		return err
	}
	return s.writeEnvironment(w, r, repo, e)
}

// deleteEnvironment answers DELETE …/environments/{environment_name}: 204.
// Jobs that wait for it go on: its rules went with it.
func (s *Server) deleteEnvironment(w http.ResponseWriter, r *http.Request) error {
	repo, e, err := s.environmentFor(r, dispatchd.AreaAdministration, dispatchd.Write)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteEnvironment(r.Context(), repo.ID, e.Name); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// applyEnvironmentBody sets what a PUT body gives on e: wait_timer,
// prevent_self_review, reviewers. deployment_branch_policy may only be
// null (or absent): dispatchd has no branch policies, and accepting one
// it would not enforce would mislead, so anything else is 422.
// can_admins_bypass (which go-github always sends) is read and ignored:
// there is no bypass to turn off.
func (s *Server) applyEnvironmentBody(ctx context.Context, repo *dispatchd.Repo, body object, e *dispatchd.Environment) error {
	if v, ok := body["wait_timer"]; ok {
		n, err := waitTimerOf(v)
		if err != nil {
			return err
		}
		e.WaitTimer = n
	}
	if b, ok, err := body.boolean("prevent_self_review"); err != nil {
		return err
	} else if ok {
		e.PreventSelfReview = b
	}
	if v := body["can_admins_bypass"]; v != nil {
		if _, isBool := v.(bool); !isBool {
			return invalidType("can_admins_bypass", v, "a boolean")
		}
	}
	if v, ok := body["deployment_branch_policy"]; ok && v != nil {
		return environmentFieldError("deployment_branch_policy", "dispatchd supports no deployment branch policies: deployment_branch_policy must be null.")
	}
	if v, ok := body["reviewers"]; ok {
		ids, err := s.reviewersOf(ctx, repo, v)
		if err != nil {
			return err
		}
		e.Reviewers = ids
	}
	return nil
}

// waitTimerOf reads wait_timer: an integer of minutes, 0 to 43200; null is 0.
func waitTimerOf(v any) (int, error) {
	if v == nil {
		return 0, nil
	}
	n, ok := integerOf(v)
	if !ok {
		return 0, invalidType("wait_timer", v, "an integer")
	}
	if n < 0 || n > dispatchd.MaxWaitTimer {
		return 0, environmentFieldError("wait_timer", "wait_timer must be an integer from 0 to 43200 (minutes).")
	}
	return int(n), nil
}

// reviewersOf reads reviewers: up to six `{type: "User", id}`; null is
// none. dispatchd has no teams, so a Team is refused; a user must exist
// and be able to read the repository, as GitHub requires of reviewers.
func (s *Server) reviewersOf(ctx context.Context, repo *dispatchd.Repo, v any) ([]int64, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, invalidType("reviewers", v, "an array")
	}
	if len(list) > dispatchd.MaxReviewers {
		return nil, environmentFieldError("reviewers", "An environment can have at most 6 reviewers.")
	}
	ids := make([]int64, 0, len(list))
	for _, item := range list {
		id, err := s.reviewerOf(ctx, repo, item)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// reviewerOf reads one reviewer entry and checks the user.
func (s *Server) reviewerOf(ctx context.Context, repo *dispatchd.Repo, item any) (int64, error) {
	m, ok := item.(map[string]any)
	if !ok {
		return 0, invalidType("reviewers/items", item, "an object")
	}
	typ, _, err := object(m).str("type")
	if err != nil {
		return 0, err
	}
	switch typ {
	case "User":
	case "Team":
		return 0, environmentFieldError("reviewers", "dispatchd has no teams: reviewers must be of type User.")
	default:
		return 0, environmentFieldError("reviewers", "A reviewer's type must be User.")
	}
	id, ok := integerOf(m["id"])
	if !ok || id <= 0 {
		return 0, environmentFieldError("reviewers", "A reviewer's id must be a user's id.")
	}
	u, err := s.Store.FindUserByID(ctx, id)
	if dispatchd.ErrorCode(err) == dispatchd.ENOTFOUND || (err == nil && u.IsOrg()) {
		return 0, environmentFieldError("reviewers", "There is no user with id %d.", id)
	} else if err != nil {
		return 0, err
	}
	role, err := dispatchd.RoleOf(ctx, s.Store, u, repo)
	if err != nil {
		return 0, err
	}
	if repo.Private && role == dispatchd.RoleNone {
		return 0, environmentFieldError("reviewers", "The user %s cannot read this repository, so cannot review its deployments.", u.Login)
	}
	return id, nil
}

// integerOf reads a JSON integer.
func integerOf(v any) (int64, bool) {
	num, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	n, err := num.Int64()
	return n, err == nil
}

// environmentFieldError is a 422 about one field of an environment.
func environmentFieldError(field, format string, args ...any) error {
	return &dispatchd.Error{Code: dispatchd.EINVALID, Message: "Validation Failed", Errors: []dispatchd.FieldError{{
		Resource: "Environment", Field: field, Code: "invalid", Message: fmt.Sprintf(format, args...)}}}
}
