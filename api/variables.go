package api

import (
	"net/http"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/render"
)

func variableJSON(v *dispatchd.Variable) map[string]any {
	m := map[string]any{"name": v.Name, "value": v.Value, "created_at": render.Timestamp(v.CreatedAt),
		"updated_at": render.Timestamp(v.UpdatedAt)}
	if v.Scope == dispatchd.ScopeOrg {
		m["visibility"] = "all"
	}
	return m
}

// listVariables answers GET …/actions/variables.
func (s *Server) listVariables(w http.ResponseWriter, r *http.Request) error {
	o, err := s.secretOwnerFor(r, dispatchd.AreaSecrets, dispatchd.Read)
	if err != nil {
		return err
	}
	list, err := s.Store.ListVariables(r.Context(), o.scope, o.id)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(list))
	for _, v := range list {
		out = append(out, variableJSON(v))
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(out), "variables": out})
	return nil
}

// getVariable answers GET …/actions/variables/{name}.
func (s *Server) getVariable(w http.ResponseWriter, r *http.Request) error {
	o, err := s.secretOwnerFor(r, dispatchd.AreaSecrets, dispatchd.Read)
	if err != nil {
		return err
	}
	v, err := s.Store.FindVariable(r.Context(), o.scope, o.id, r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, variableJSON(v))
	return nil
}

// createVariable answers POST …/actions/variables: 201, or 409 when the
// name is taken.
func (s *Server) createVariable(w http.ResponseWriter, r *http.Request) error {
	o, err := s.secretOwnerFor(r, dispatchd.AreaSecrets, dispatchd.Write)
	if err != nil {
		return err
	}
	body, err := s.readObject(w, r)
	if err != nil {
		return err
	}
	name, value, err := variableFields(body, true)
	if err != nil {
		return err
	}
	if _, err := s.Store.FindVariable(r.Context(), o.scope, o.id, name); err == nil {
		return dispatchd.Errorf(dispatchd.ECONFLICT, "Already exists - Variable already exists")
	}
	if _, err := s.Store.PutVariable(r.Context(), &dispatchd.Variable{Scope: o.scope, OwnerID: o.id, Name: name, Value: value}); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{})
	return nil
}

// updateVariable answers PATCH …/actions/variables/{name}: 204.
func (s *Server) updateVariable(w http.ResponseWriter, r *http.Request) error {
	o, err := s.secretOwnerFor(r, dispatchd.AreaSecrets, dispatchd.Write)
	if err != nil {
		return err
	}
	v, err := s.Store.FindVariable(r.Context(), o.scope, o.id, r.PathValue("name"))
	if err != nil {
		return err
	}
	body, err := s.readObject(w, r)
	if err != nil {
		return err
	}
	name, value, err := variableFields(body, false)
	if err != nil {
		return err
	}
	if _, ok := body["value"]; ok {
		v.Value = value
	}
	if name != "" && name != v.Name {
		if err := s.Store.DeleteVariable(r.Context(), o.scope, o.id, v.Name); err != nil {
			return err
		}
		v.Name = name
	}
	if _, err := s.Store.PutVariable(r.Context(), v); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func variableFields(body object, required bool) (name, value string, err error) {
	name, hasName, err := body.str("name")
	if err != nil {
		return "", "", err
	}
	value, hasValue, err := body.str("value")
	if err != nil {
		return "", "", err
	}
	if required && (!hasName || !hasValue) {
		return "", "", dispatchd.Errorf(dispatchd.EINVALID, "Invalid request.\n\n\"name\" and \"value\" are required.")
	}
	if hasName {
		if err := dispatchd.ValidateSecretName(name); err != nil {
			return "", "", err
		}
	}
	return name, value, nil
}

// deleteVariable answers DELETE …/actions/variables/{name}.
func (s *Server) deleteVariable(w http.ResponseWriter, r *http.Request) error {
	o, err := s.secretOwnerFor(r, dispatchd.AreaSecrets, dispatchd.Write)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteVariable(r.Context(), o.scope, o.id, r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
