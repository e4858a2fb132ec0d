package api

import (
	"net/http"

	"github.com/dispatchd/dispatchd/render"
)

// root answers GET /api/v3/ with the URL templates GitHub lists there.
func (s *Server) root(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{
		"current_user_url":              s.urls().API("/user"),
		"current_user_repositories_url": s.urls().API("/user/repos{?type,page,per_page,sort}"),
		"organization_repositories_url": s.urls().API("/orgs/{org}/repos{?type,page,per_page,sort}"),
		"repository_url":                s.urls().API("/repos/{owner}/{repo}"),
		"user_url":                      s.urls().API("/users/{user}"),
		"organization_url":              s.urls().API("/orgs/{org}"),
		"workflows_url":                 s.urls().API("/repos/{owner}/{repo}/actions/workflows"),
	})
	return nil
}

// currentUser answers GET /user.
func (s *Server) currentUser(w http.ResponseWriter, r *http.Request) error {
	a, err := requireUser(r)
	if err != nil {
		return err
	}
	u := s.urls().SimpleUser(a.User)
	u["name"], u["email"] = render.Nullable(a.User.Name), render.Nullable(a.User.Email)
	u["created_at"], u["updated_at"] = render.Timestamp(a.User.CreatedAt), render.Timestamp(a.User.UpdatedAt)
	if a.Token != nil && len(a.Token.Scopes) > 0 {
		w.Header().Set("X-OAuth-Scopes", joinScopes(a.Token.Scopes))
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

// getUser answers GET /users/{username} and GET /orgs/{org}.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request) error {
	login := r.PathValue("username")
	if login == "" {
		login = r.PathValue("org")
	}
	u, err := s.Store.FindUserByLogin(r.Context(), login)
	if err != nil {
		return err
	}
	if r.PathValue("org") != "" && !u.IsOrg() {
		return errNotFound
	}
	writeJSON(w, http.StatusOK, s.urls().SimpleUser(u))
	return nil
}

func joinScopes(scopes []string) string {
	out := ""
	for i, s := range scopes {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}
