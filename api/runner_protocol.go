package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/runnerproto"
)

// maxRunnerBody bounds a runner's request: a batch of log lines.
const maxRunnerBody = 8 << 20

// serveRunner answers the runner protocol (package runnerproto).
func (s *Server) serveRunner(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, r, dispatchd.Errorf(dispatchd.EBADREQUEST, "Runner calls are POST requests."), "")
		return
	}
	if r.URL.Path == runnerproto.PathRegister {
		s.registerRunner(w, r)
		return
	}
	if s.Broker == nil {
		writeError(w, r, dispatchd.ErrNotFound, "")
		return
	}
	run, err := s.runnerOf(r)
	if err != nil {
		writeError(w, r, err, "")
		return
	}
	switch rest := strings.TrimPrefix(r.URL.Path, runnerproto.PathJobs); {
	case r.URL.Path == runnerproto.PathAcquire:
		s.acquireJob(w, r, run)
	case strings.HasSuffix(rest, "/events"):
		s.jobEvents(w, r, run, strings.TrimSuffix(rest, "/events"))
	case strings.HasSuffix(rest, "/complete"):
		s.completeJob(w, r, run, strings.TrimSuffix(rest, "/complete"))
	default:
		writeError(w, r, dispatchd.ErrNotFound, "")
	}
}

// runnerOf authenticates a runner by its token.
func (s *Server) runnerOf(r *http.Request) (*dispatchd.Runner, error) {
	secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !strings.HasPrefix(secret, dispatchd.PrefixRunner) {
		return nil, dispatchd.ErrBadCredentials
	}
	run, err := s.Store.FindRunnerByTokenHash(r.Context(), dispatchd.HashToken(secret))
	if dispatchd.ErrorCode(err) == dispatchd.ENOTFOUND {
		return nil, dispatchd.ErrBadCredentials
	}
	return run, err
}

func decodeRunnerBody(r *http.Request, v any) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxRunnerBody+1))
	if err != nil || len(data) > maxRunnerBody {
		return dispatchd.Errorf(dispatchd.ETOOLARGE, "The request is too large.")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return dispatchd.Errorf(dispatchd.EBADREQUEST, "Problems parsing JSON")
	}
	return nil
}

func (s *Server) registerRunner(w http.ResponseWriter, r *http.Request) {
	var req runnerproto.RegisterRequest
	if err := decodeRunnerBody(r, &req); err != nil {
		writeError(w, r, err, "")
		return
	}
	name := strings.TrimSpace(req.Name)
	if name == "" || len(name) > 64 {
		writeError(w, r, dispatchd.Errorf(dispatchd.EINVALID, "A runner needs a name of at most 64 characters."), "")
		return
	}
	secret := dispatchd.NewRunnerSecret()
	run := &dispatchd.Runner{Name: name, Labels: runnerLabels(req.Labels), TokenHash: dispatchd.HashToken(secret)}
	if err := s.Store.RegisterRunner(r.Context(), dispatchd.HashToken(req.Token), run); err != nil {
		writeError(w, r, err, "")
		return
	}
	s.Logger.Info("runner registered", "runner_id", run.ID, "name", run.Name, "scope", run.Scope, "labels", run.Labels)
	writeJSON(w, http.StatusCreated, runnerproto.RegisterResponse{ID: run.ID, Name: run.Name, Token: secret, Labels: run.Labels})
}

// runnerLabels are the default labels and the custom ones, once each.
func runnerLabels(custom []string) []string {
	out := append([]string(nil), dispatchd.DefaultRunnerLabels...)
	for _, l := range custom {
		l = strings.TrimSpace(l)
		dup := l == ""
		for _, have := range out {
			dup = dup || strings.EqualFold(have, l)
		}
		if !dup {
			out = append(out, l)
		}
	}
	return out
}

// acquireJob holds the request until a job for the runner is ready.
func (s *Server) acquireJob(w http.ResponseWriter, r *http.Request, run *dispatchd.Runner) {
	ctx, cancel := context.WithTimeout(r.Context(), runnerproto.PollTimeout)
	defer cancel()
	o := s.Broker.Acquire(ctx, run)
	if o == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	job := o.Job
	// The runner fetches from the address it reached the server at.
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	job.Checkout.GitURL = scheme + "://" + r.Host + job.Checkout.GitURL
	writeJSON(w, http.StatusOK, job)
}

func (s *Server) jobEvents(w http.ResponseWriter, r *http.Request, run *dispatchd.Runner, id string) {
	jobID, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		writeError(w, r, dispatchd.ErrNotFound, "")
		return
	}
	var batch runnerproto.Events
	if err := decodeRunnerBody(r, &batch); err != nil {
		writeError(w, r, err, "")
		return
	}
	cancel, err := s.Broker.Events(run, jobID, batch)
	if err != nil {
		writeError(w, r, err, "")
		return
	}
	writeJSON(w, http.StatusOK, runnerproto.EventsResponse{Cancel: cancel})
}

func (s *Server) completeJob(w http.ResponseWriter, r *http.Request, run *dispatchd.Runner, id string) {
	jobID, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		writeError(w, r, dispatchd.ErrNotFound, "")
		return
	}
	var c runnerproto.Completion
	if err := decodeRunnerBody(r, &c); err != nil {
		writeError(w, r, err, "")
		return
	}
	if err := s.Broker.Complete(run, jobID, c.Result); err != nil {
		writeError(w, r, err, "")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
