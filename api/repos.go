package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/gitrepo"
)

var errNotFound = dispatchd.ErrNotFound

// createUserRepo answers POST /user/repos.
func (s *Server) createUserRepo(w http.ResponseWriter, r *http.Request) error {
	a, err := requireUser(r)
	if err != nil {
		return err
	}
	return s.createRepo(w, r, a, a.User)
}

// createOrgRepo answers POST /orgs/{org}/repos: any member may create one,
// GitHub's default for organizations.
func (s *Server) createOrgRepo(w http.ResponseWriter, r *http.Request) error {
	a, err := requireUser(r)
	if err != nil {
		return err
	}
	org, err := s.Store.FindUserByLogin(r.Context(), r.PathValue("org"))
	if err != nil || !org.IsOrg() {
		return errNotFound
	}
	role, err := s.Store.OrgRole(r.Context(), org.ID, a.User.ID)
	if err != nil {
		return err
	} else if role == "" {
		return dispatchd.Errorf(dispatchd.EFORBIDDEN, "You need admin access to the organization before adding a repository to it.")
	}
	return s.createRepo(w, r, a, org)
}

type repoRequest struct {
	name, description, defaultBranch string
	private, autoInit                bool
}

func parseRepoRequest(body object) (repoRequest, error) {
	req := repoRequest{defaultBranch: "main"}
	name, ok, err := body.str("name")
	if err != nil {
		return req, err
	} else if !ok {
		return req, &dispatchd.Error{Code: dispatchd.EINVALID, Message: "Repository creation failed.",
			Errors: []dispatchd.FieldError{{Resource: "Repository", Field: "name", Code: "missing_field"}}}
	}
	req.name = name
	if req.description, _, err = body.str("description"); err != nil {
		return req, err
	}
	if req.private, _, err = body.boolean("private"); err != nil {
		return req, err
	}
	if v, ok, err := body.str("visibility"); err != nil {
		return req, err
	} else if ok {
		if v != "public" && v != "private" {
			return req, dispatchd.Errorf(dispatchd.EINVALID, "Visibility %q is not supported: use public or private.", v)
		}
		req.private = v == "private"
	}
	if req.autoInit, _, err = body.boolean("auto_init"); err != nil {
		return req, err
	}
	if b, ok, err := body.str("default_branch"); err != nil {
		return req, err
	} else if ok {
		req.defaultBranch = b
	}
	return req, dispatchd.ValidateBranchName(req.defaultBranch)
}

// canCreate checks the token's grant for creating a repository: classic
// tokens need repo (or public_repo for a public one); fine-grained tokens
// are limited to the repositories they list, so they cannot.
func canCreate(a *dispatchd.Actor, private bool) error {
	t := a.Token
	switch {
	case t == nil:
		return nil
	case t.Kind == dispatchd.TokenClassic && (t.HasScope("repo") || (!private && t.HasScope("public_repo"))):
		return nil
	}
	return dispatchd.ErrTokenForbidden
}

func (s *Server) createRepo(w http.ResponseWriter, r *http.Request, a *dispatchd.Actor, owner *dispatchd.User) error {
	body, err := s.readObject(w, r)
	if err != nil {
		return err
	}
	req, err := parseRepoRequest(body)
	if err != nil {
		return err
	}
	if err := canCreate(a, req.private); err != nil {
		return err
	}
	repo := &dispatchd.Repo{Owner: owner, Name: req.name, Description: req.description, Private: req.private, DefaultBranch: req.defaultBranch}
	if err := s.Store.CreateRepo(r.Context(), repo); err != nil {
		return err
	}
	// The row exists before the directory; if git fails the row goes too,
	// so neither outlives the other.
	if err := s.initRepo(r.Context(), repo, req.autoInit, a.User); err != nil {
		s.Git.Delete(repo.ID)
		s.Store.DeleteRepo(context.WithoutCancel(r.Context()), repo.ID)
		return err
	}
	repo, err = s.Store.FindRepoByID(r.Context(), repo.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", s.urls().API("/repos/%s", repo.FullName()))
	writeJSON(w, http.StatusCreated, s.urls().Repository(repo, dispatchd.RoleAdmin.Permissions()))
	return nil
}

func (s *Server) initRepo(ctx context.Context, repo *dispatchd.Repo, autoInit bool, by *dispatchd.User) error {
	if err := s.Git.Create(ctx, repo.ID, repo.DefaultBranch); err != nil {
		return err
	}
	if !autoInit {
		return nil
	}
	readme := fmt.Sprintf("# %s\n", repo.Name)
	if repo.Description != "" {
		readme += "\n" + repo.Description + "\n"
	}
	who := gitrepo.Signature{Name: by.Login, Email: by.Login + "@users.noreply.dispatchd"}
	if _, err := s.Git.InitialCommit(ctx, repo.ID, repo.DefaultBranch, "Initial commit", who,
		map[string][]byte{"README.md": []byte(readme)}); err != nil {
		return err
	}
	unlock := s.Git.Lock(repo.ID)
	defer unlock()
	_, err := s.Index.Sync(ctx, repo.ID)
	return err
}

// getRepo answers GET /repos/{owner}/{repo}.
func (s *Server) getRepo(w http.ResponseWriter, r *http.Request) error {
	repo, err := s.repoFor(r, dispatchd.AreaMetadata, dispatchd.Read)
	if err != nil {
		return err
	}
	perms, err := s.permissions(r, repo)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.urls().Repository(repo, perms))
	return nil
}

// permissions is the caller's effective permissions, nil for anonymous
// callers (GitHub omits the field for them).
func (s *Server) permissions(r *http.Request, repo *dispatchd.Repo) (dispatchd.Permissions, error) {
	a := actorFrom(r.Context())
	if a.Anonymous() {
		return nil, nil
	}
	role, err := dispatchd.RoleOf(r.Context(), s.Store, a.User, repo)
	if err != nil {
		return nil, err
	}
	return dispatchd.EffectivePermissions(a, repo, role), nil
}

// updateRepo answers PATCH /repos/{owner}/{repo}.
func (s *Server) updateRepo(w http.ResponseWriter, r *http.Request) error {
	repo, err := s.repoFor(r, dispatchd.AreaAdministration, dispatchd.Write)
	if err != nil {
		return err
	}
	body, err := s.readObject(w, r)
	if err != nil {
		return err
	}
	upd, err := parseRepoUpdate(body)
	if err != nil {
		return err
	}
	if upd.DefaultBranch != nil {
		if err := s.checkBranchExists(r.Context(), repo, *upd.DefaultBranch); err != nil {
			return err
		}
	}
	repo, err = s.Store.UpdateRepo(r.Context(), repo.ID, upd)
	if err != nil {
		return err
	}
	if upd.DefaultBranch != nil {
		if err := s.Git.SetDefaultBranch(r.Context(), repo.ID, repo.DefaultBranch); err != nil {
			return err
		}
	}
	perms, err := s.permissions(r, repo)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.urls().Repository(repo, perms))
	return nil
}

func parseRepoUpdate(body object) (dispatchd.RepoUpdate, error) {
	var upd dispatchd.RepoUpdate
	for _, f := range []struct {
		key string
		dst **string
	}{{"name", &upd.Name}, {"description", &upd.Description}, {"default_branch", &upd.DefaultBranch}} {
		v, ok, err := body.str(f.key)
		if err != nil {
			return upd, err
		} else if ok {
			*f.dst = &v
		}
	}
	if v, ok, err := body.boolean("private"); err != nil {
		return upd, err
	} else if ok {
		upd.Private = &v
	}
	if v, ok, err := body.str("visibility"); err != nil {
		return upd, err
	} else if ok {
		if v != "public" && v != "private" {
			return upd, dispatchd.Errorf(dispatchd.EINVALID, "Visibility %q is not supported: use public or private.", v)
		}
		p := v == "private"
		upd.Private = &p
	}
	return upd, nil
}

// checkBranchExists refuses a default branch that is not there, unless the
// repository has no branch yet (the first push will create it).
func (s *Server) checkBranchExists(ctx context.Context, repo *dispatchd.Repo, branch string) error {
	refs, err := s.Store.Refs(ctx, repo.ID)
	if err != nil {
		return err
	}
	if len(refs) == 0 {
		return nil
	}
	if _, ok := refs["refs/heads/"+branch]; !ok {
		return &dispatchd.Error{Code: dispatchd.EINVALID, Message: "Validation Failed", Errors: []dispatchd.FieldError{{
			Resource: "Repository", Field: "default_branch", Code: "invalid",
			Message: fmt.Sprintf("Cannot update default branch for this repository to %q: no such branch", branch)}}}
	}
	return nil
}

// deleteRepo answers DELETE /repos/{owner}/{repo}.
func (s *Server) deleteRepo(w http.ResponseWriter, r *http.Request) error {
	repo, err := s.repoFor(r, dispatchd.AreaAdministration, dispatchd.Write)
	if err != nil {
		return err
	}
	unlock := s.Git.Lock(repo.ID)
	defer unlock()
	if err := s.Store.DeleteRepo(r.Context(), repo.ID); err != nil {
		return err
	}
	if err := s.Git.Delete(repo.ID); err != nil {
		loggerFrom(r.Context()).Error("repository directory not removed", "repo", repo.FullName(), "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listUserRepos answers GET /user/repos: the caller's own, organization and
// collaborator repositories.
func (s *Server) listUserRepos(w http.ResponseWriter, r *http.Request) error {
	a, err := requireUser(r)
	if err != nil {
		return err
	}
	return s.listRepos(w, r, dispatchd.RepoFilter{Affiliated: a.User.ID})
}

// listOrgRepos answers GET /orgs/{org}/repos and GET /users/{username}/repos.
func (s *Server) listOrgRepos(w http.ResponseWriter, r *http.Request) error {
	login := r.PathValue("org")
	if login == "" {
		login = r.PathValue("username")
	}
	owner, err := s.Store.FindUserByLogin(r.Context(), login)
	if err != nil {
		return err
	}
	if r.PathValue("org") != "" && !owner.IsOrg() {
		return errNotFound
	}
	f := dispatchd.RepoFilter{OwnerID: owner.ID}
	if a := actorFrom(r.Context()); !a.Anonymous() {
		f.VisibleTo = a.User.ID
	}
	return s.listRepos(w, r, f)
}

// listRepos pages through the filter and drops what the caller's token may
// not see (a fine-grained token sees only its repositories and public ones).
func (s *Server) listRepos(w http.ResponseWriter, r *http.Request, f dispatchd.RepoFilter) error {
	p := pageOf(r)
	f.Offset, f.Limit = p.offset(), p.perPage
	repos, total, err := s.Store.ListRepos(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(repos))
	for _, repo := range repos {
		perms, err := s.permissions(r, repo)
		if err != nil {
			return err
		}
		if perms != nil && perms.Get(dispatchd.AreaMetadata) < dispatchd.Read {
			continue
		}
		out = append(out, s.urls().Repository(repo, perms))
	}
	s.setLink(w, r, p, total)
	writeJSON(w, http.StatusOK, out)
	return nil
}
