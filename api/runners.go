package api

import (
	"net/http"
	"time"

	"github.com/dispatchd/dispatchd"
)

// createRegistrationToken answers POST …/actions/runners/registration-token
// for a repository or an organization: a token that registers runners for
// an hour. Needs administration rights, as on GitHub.
func (s *Server) createRegistrationToken(w http.ResponseWriter, r *http.Request) error {
	owner, err := s.secretOwnerFor(r, dispatchd.AreaAdministration, dispatchd.Write)
	if err != nil {
		return err
	}
	token := dispatchd.NewRegistrationToken()
	expires := time.Now().Add(dispatchd.RegistrationTokenTTL).UTC().Truncate(time.Second)
	if err := s.Store.CreateRegistrationToken(r.Context(), owner.scope, owner.id, dispatchd.HashToken(token), expires); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": token, "expires_at": expires.Format(time.RFC3339)})
	return nil
}

// listRunners answers GET …/actions/runners: the runners registered for
// the repository or organization, then the server's embedded runners,
// which take every repository's jobs.
func (s *Server) listRunners(w http.ResponseWriter, r *http.Request) error {
	owner, err := s.secretOwnerFor(r, dispatchd.AreaAdministration, dispatchd.Write)
	if err != nil {
		return err
	}
	own, err := s.Store.ListRunners(r.Context(), owner.scope, owner.id)
	if err != nil {
		return err
	}
	server, err := s.Store.ListRunners(r.Context(), dispatchd.RunnerScopeServer, 0)
	if err != nil {
		return err
	}
	all := append(own, server...)
	p := pageOf(r)
	items := make([]any, 0, p.perPage)
	for _, run := range all[min(p.offset(), len(all)):min(p.offset()+p.perPage, len(all))] {
		items = append(items, s.runnerJSON(run))
	}
	s.setLink(w, r, p, len(all))
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(all), "runners": items})
	return nil
}

// runnerJSON is GitHub's runner object; status and busy come from the
// broker, which hears from the runners.
func (s *Server) runnerJSON(run *dispatchd.Runner) map[string]any {
	status, busy := "offline", false
	if s.Broker != nil {
		st := s.Broker.Status(run.ID)
		busy = st.Busy
		if st.Online {
			status = "online"
		}
	}
	labels := make([]map[string]any, 0, len(run.Labels))
	for i, l := range run.Labels {
		typ := "custom"
		if i < len(dispatchd.DefaultRunnerLabels) {
			typ = "read-only"
		}
		labels = append(labels, map[string]any{"id": i + 1, "name": l, "type": typ})
	}
	return map[string]any{"id": run.ID, "name": run.Name, "os": "linux", "status": status, "busy": busy, "labels": labels}
}
