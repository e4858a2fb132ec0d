package api

import (
	"errors"
	"net/http"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/render"
	"github.com/dispatchd/dispatchd/seal"
)

// owner of secrets and variables: a repository or an organization.
type secretOwner struct {
	scope string
	id    int64
}

// secretOwnerFor resolves {owner}/{repo} (needing the secrets area at
// level) or {org} (needing to administer the organization).
func (s *Server) secretOwnerFor(r *http.Request, area dispatchd.Area, level dispatchd.Level) (secretOwner, error) {
	if r.PathValue("org") == "" {
		repo, err := s.repoFor(r, area, level)
		if err != nil {
			return secretOwner{}, err
		}
		return secretOwner{dispatchd.ScopeRepo, repo.ID}, nil
	}
	a, err := requireUser(r)
	if err != nil {
		return secretOwner{}, err
	}
	org, err := s.Store.FindUserByLogin(r.Context(), r.PathValue("org"))
	if err != nil || !org.IsOrg() {
		return secretOwner{}, errNotFound
	}
	role, err := s.Store.OrgRole(r.Context(), org.ID, a.User.ID)
	if err != nil {
		return secretOwner{}, err
	}
	switch {
	case role == "":
		return secretOwner{}, errNotFound
	case role != dispatchd.OrgRoleAdmin:
		return secretOwner{}, dispatchd.Errorf(dispatchd.EFORBIDDEN, "Must have admin rights to the organization.")
	case a.Token != nil && !(a.Token.Kind == dispatchd.TokenClassic && a.Token.HasScope("repo")):
		return secretOwner{}, dispatchd.ErrTokenForbidden
	}
	return secretOwner{dispatchd.ScopeOrg, org.ID}, nil
}

func (s *Server) keys() seal.Keys { return seal.New(s.Key) }

// secretPublicKey answers GET …/actions/secrets/public-key.
func (s *Server) secretPublicKey(w http.ResponseWriter, r *http.Request) error {
	o, err := s.secretOwnerFor(r, dispatchd.AreaMetadata, dispatchd.Read)
	if err != nil {
		return err
	}
	id, key := s.keys().PublicKey(o.scope, o.id)
	writeJSON(w, http.StatusOK, map[string]string{"key_id": id, "key": key})
	return nil
}

func secretJSON(x *dispatchd.Secret) map[string]any {
	m := map[string]any{"name": x.Name, "created_at": render.Timestamp(x.CreatedAt), "updated_at": render.Timestamp(x.UpdatedAt)}
	if x.Scope == dispatchd.ScopeOrg {
		m["visibility"] = "all"
	}
	return m
}

// listSecrets answers GET …/actions/secrets: names and times, never values.
func (s *Server) listSecrets(w http.ResponseWriter, r *http.Request) error {
	o, err := s.secretOwnerFor(r, dispatchd.AreaSecrets, dispatchd.Read)
	if err != nil {
		return err
	}
	list, err := s.Store.ListSecrets(r.Context(), o.scope, o.id)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(list))
	for _, x := range list {
		out = append(out, secretJSON(x))
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(out), "secrets": out})
	return nil
}

// getSecret answers GET …/actions/secrets/{name}.
func (s *Server) getSecret(w http.ResponseWriter, r *http.Request) error {
	o, err := s.secretOwnerFor(r, dispatchd.AreaSecrets, dispatchd.Read)
	if err != nil {
		return err
	}
	x, err := s.Store.FindSecret(r.Context(), o.scope, o.id, r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, secretJSON(x))
	return nil
}

// putSecret answers PUT …/actions/secrets/{name}: the value arrives sealed
// to the public key, is opened, and is stored encrypted under the server
// key. 201 when created, 204 when replaced.
func (s *Server) putSecret(w http.ResponseWriter, r *http.Request) error {
	o, err := s.secretOwnerFor(r, dispatchd.AreaSecrets, dispatchd.Write)
	if err != nil {
		return err
	}
	body, err := s.readObject(w, r)
	if err != nil {
		return err
	}
	enc, ok, err := body.str("encrypted_value")
	if err != nil {
		return err
	} else if !ok {
		return &dispatchd.Error{Code: dispatchd.EINVALID, Message: "Invalid request.\n\n\"encrypted_value\" wasn't supplied.",
			Errors: []dispatchd.FieldError{{Resource: "Secret", Field: "encrypted_value", Code: "missing_field"}}}
	}
	if keyID, _, err := body.str("key_id"); err != nil {
		return err
	} else if want, _ := s.keys().PublicKey(o.scope, o.id); keyID != "" && keyID != want {
		return dispatchd.Errorf(dispatchd.EINVALID, "key_id %q is not this repository's or organization's current public key.", keyID)
	}
	name := r.PathValue("name")
	if err := dispatchd.ValidateSecretName(name); err != nil {
		return err
	}
	plain, err := s.keys().Open(o.scope, o.id, enc)
	if errors.Is(err, seal.ErrUnsealable) {
		return dispatchd.Errorf(dispatchd.EINVALID, "Invalid request.\n\nencrypted_value: %v.", err)
	}
	x := &dispatchd.Secret{Scope: o.scope, OwnerID: o.id, Name: name}
	x.Sealed = s.keys().Encrypt(secretAAD(o, name), plain)
	created, err := s.Store.PutSecret(r.Context(), x)
	if err != nil {
		return err
	}
	if created {
		writeJSON(w, http.StatusCreated, map[string]any{})
	} else {
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

// secretAAD binds a stored value to its owner and name.
func secretAAD(o secretOwner, name string) string {
	return dispatchd.SecretAAD(o.scope, o.id, name)
}

// deleteSecret answers DELETE …/actions/secrets/{name}.
func (s *Server) deleteSecret(w http.ResponseWriter, r *http.Request) error {
	o, err := s.secretOwnerFor(r, dispatchd.AreaSecrets, dispatchd.Write)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteSecret(r.Context(), o.scope, o.id, r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
