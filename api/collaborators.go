package api

import (
	"net/http"

	"github.com/dispatchd/dispatchd"
)

// collaboratorRoles maps GitHub's permission names to dispatchd's roles.
var collaboratorRoles = map[string]dispatchd.Role{
	"pull": dispatchd.RoleRead, "read": dispatchd.RoleRead, "triage": dispatchd.RoleRead,
	"push": dispatchd.RoleWrite, "write": dispatchd.RoleWrite, "maintain": dispatchd.RoleWrite,
	"admin": dispatchd.RoleAdmin,
}

// putCollaborator answers PUT /repos/{owner}/{repo}/collaborators/{username}.
// dispatchd has no invitations: the user becomes a collaborator at once (204).
func (s *Server) putCollaborator(w http.ResponseWriter, r *http.Request) error {
	repo, err := s.repoFor(r, dispatchd.AreaAdministration, dispatchd.Write)
	if err != nil {
		return err
	}
	body, err := s.readObject(w, r)
	if err != nil {
		return err
	}
	perm, ok, err := body.str("permission")
	if err != nil {
		return err
	} else if !ok {
		perm = "push" // GitHub's default
	}
	role, known := collaboratorRoles[perm]
	if !known {
		return &dispatchd.Error{Code: dispatchd.EINVALID, Message: "Validation Failed", Errors: []dispatchd.FieldError{{
			Resource: "Repository", Field: "permission", Code: "invalid", Value: perm,
			Message: "permission must be one of pull, triage, push, maintain, admin"}}}
	}
	user, err := s.Store.FindUserByLogin(r.Context(), r.PathValue("username"))
	if err != nil {
		return err
	}
	if user.IsOrg() {
		return dispatchd.Errorf(dispatchd.EINVALID, "An organization cannot be a collaborator.")
	}
	if err := s.Store.SetCollaborator(r.Context(), repo.ID, user.ID, role); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteCollaborator answers DELETE /repos/{owner}/{repo}/collaborators/{username}.
func (s *Server) deleteCollaborator(w http.ResponseWriter, r *http.Request) error {
	repo, err := s.repoFor(r, dispatchd.AreaAdministration, dispatchd.Write)
	if err != nil {
		return err
	}
	user, err := s.Store.FindUserByLogin(r.Context(), r.PathValue("username"))
	if err != nil {
		return err
	}
	if err := s.Store.RemoveCollaborator(r.Context(), repo.ID, user.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// checkCollaborator answers GET /repos/{owner}/{repo}/collaborators/{username}:
// 204 when the user has a role on the repository, 404 otherwise. As on
// GitHub, only those with push access may ask; a fine-grained token needs
// only metadata:read, but the user's role must allow pushing.
func (s *Server) checkCollaborator(w http.ResponseWriter, r *http.Request) error {
	repo, err := s.repoFor(r, dispatchd.AreaMetadata, dispatchd.Read)
	if err != nil {
		return err
	}
	a := actorFrom(r.Context())
	if a.Anonymous() {
		return dispatchd.ErrRequiresAuth
	}
	callerRole, err := dispatchd.RoleOf(r.Context(), s.Store, a.User, repo)
	if err != nil {
		return err
	}
	if callerRole.Permissions().Get(dispatchd.AreaContents) < dispatchd.Write {
		return dispatchd.Errorf(dispatchd.EFORBIDDEN, "Must have push access to view repository collaborators.")
	}
	user, err := s.Store.FindUserByLogin(r.Context(), r.PathValue("username"))
	if err != nil {
		return err
	}
	role, err := dispatchd.RoleOf(r.Context(), s.Store, user, repo)
	if err != nil {
		return err
	}
	if role == dispatchd.RoleNone {
		return errNotFound
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
