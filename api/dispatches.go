package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/dispatch"
)

// repositoryDispatch answers POST /repos/{owner}/{repo}/dispatches: 204, with
// the dispatchd extension X-Dispatch-Id naming the recorded event.
func (s *Server) repositoryDispatch(w http.ResponseWriter, r *http.Request) error {
	repo, err := s.repoFor(r, dispatchd.AreaContents, dispatchd.Write)
	if err != nil {
		return err
	}
	body, err := s.readRaw(w, r)
	if err != nil {
		return err
	}
	var v schemaErrors
	v.closedKeys(body, "event_type", "client_payload")
	eventType := v.str(body, "event_type", true, 1, 100)
	payload := v.obj(body, "client_payload", 10)
	if err := v.err(); err != nil {
		return err
	}
	if len(payload) > MaxClientPayload {
		return &dispatchd.Error{Code: dispatchd.EINVALID, Message: "client_payload is too large.", Errors: []dispatchd.FieldError{{
			Resource: "Dispatch", Field: "client_payload", Code: "invalid",
			Message: "client_payload is " + strconv.Itoa(len(payload)) + " bytes; at most 65535 are allowed"}}}
	}
	actor := actorFrom(r.Context())
	cause, err := s.causeOf(r.Context(), actor)
	if err != nil {
		return err
	}
	return s.idempotent(w, r, repo, body, func(idem *dispatchd.Idempotency) (*dispatch.Result, error) {
		return s.Dispatch.RepositoryDispatch(r.Context(), actor.User, repo, eventType, payload, dispatch.Options{Idempotency: idem, Cause: cause})
	}, s.writeRepositoryDispatch)
}

func (s *Server) writeRepositoryDispatch(w http.ResponseWriter, r *http.Request, repo *dispatchd.Repo, e *dispatchd.Event) error {
	w.Header().Set("X-Dispatch-Id", strconv.FormatInt(e.ID, 10))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// workflowDispatch answers POST …/actions/workflows/{workflow_id}/dispatches:
// 204, or 200 with the run when return_run_details is true or the API
// version is 2026-03-10.
func (s *Server) workflowDispatch(w http.ResponseWriter, r *http.Request) error {
	repo, err := s.repoFor(r, dispatchd.AreaActions, dispatchd.Write)
	if err != nil {
		return err
	}
	wf, err := s.findWorkflow(r, repo)
	if err != nil {
		return err
	}
	body, err := s.readRaw(w, r)
	if err != nil {
		return err
	}
	var v schemaErrors
	v.closedKeys(body, "ref", "inputs", "return_run_details")
	ref := v.str(body, "ref", true, 1, 0)
	inputsRaw := v.obj(body, "inputs", 25)
	details := v.boolean(body, "return_run_details")
	if err := v.err(); err != nil {
		return err
	}
	inputs, err := decodeInputs(inputsRaw)
	if err != nil {
		return err
	}
	if r.Header.Get("X-GitHub-Api-Version") == "2026-03-10" {
		details = true
	}
	actor := actorFrom(r.Context())
	cause, err := s.causeOf(r.Context(), actor)
	if err != nil {
		return err
	}
	return s.idempotent(w, r, repo, body, func(idem *dispatchd.Idempotency) (*dispatch.Result, error) {
		return s.Dispatch.WorkflowDispatch(r.Context(), actor.User, repo, wf, ref, inputs, dispatch.Options{Idempotency: idem, Cause: cause})
	}, func(w http.ResponseWriter, r *http.Request, repo *dispatchd.Repo, e *dispatchd.Event) error {
		w.Header().Set("X-Dispatch-Id", strconv.FormatInt(e.ID, 10))
		if !details || len(e.RunIDs) == 0 {
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		id := e.RunIDs[0]
		writeJSON(w, http.StatusOK, map[string]any{"workflow_run_id": id,
			"run_url":  s.urls().API("/repos/%s/actions/runs/%d", repo.FullName(), id),
			"html_url": s.urls().HTML("/%s/actions/runs/%d", repo.FullName(), id)})
		return nil
	})
}

func decodeInputs(raw json.RawMessage) (map[string]any, error) {
	inputs := map[string]any{}
	if raw == nil {
		return inputs, nil
	}
	if len(raw) > MaxClientPayload {
		return nil, dispatchd.Errorf(dispatchd.EINVALID, "inputs are too large: at most 65535 characters are allowed.")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&inputs); err != nil {
		return nil, errProblemsParsing
	}
	return inputs, nil
}

// writeResult answers a dispatch that created (or, replayed, had created) event e.
type writeResult func(w http.ResponseWriter, r *http.Request, repo *dispatchd.Repo, e *dispatchd.Event) error

// idempotent runs a dispatch under the dispatchd extension Idempotency-Key:
// a key repeated within 24 hours with the same request gets the original
// answer and creates nothing; with a different request it is 422. Without
// the header the dispatch simply runs.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, repo *dispatchd.Repo, body map[string]json.RawMessage,
	run func(*dispatchd.Idempotency) (*dispatch.Result, error), write writeResult) error {
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		res, err := run(nil)
		if err != nil {
			return err
		}
		s.wakeRuns()
		return write(w, r, repo, res.Event)
	}
	if len(key) > 255 {
		return dispatchd.Errorf(dispatchd.EINVALID, "Idempotency-Key is longer than 255 characters.")
	}
	actor := actorFrom(r.Context()).User
	hash := requestHash(r, body)
	if done, err := s.replay(w, r, repo, actor.ID, key, hash, write); done || err != nil {
		return err
	}
	idem := &dispatchd.Idempotency{RepoID: repo.ID, ActorID: actor.ID, Key: key, RequestHash: hash, Status: http.StatusOK, Body: []byte{}}
	res, err := run(idem)
	if dispatchd.ErrorCode(err) == dispatchd.ECONFLICT {
		// A concurrent request with the same key won the race: answer as it did.
		if done, err := s.replay(w, r, repo, actor.ID, key, hash, write); done || err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	s.wakeRuns()
	return write(w, r, repo, res.Event)
}

// replay answers from an earlier request with the same key, if there is one.
func (s *Server) replay(w http.ResponseWriter, r *http.Request, repo *dispatchd.Repo, actorID int64, key, hash string, write writeResult) (bool, error) {
	prev, err := s.Store.FindIdempotency(r.Context(), repo.ID, actorID, key, time.Now().Add(-dispatchd.IdempotencyWindow))
	if dispatchd.ErrorCode(err) == dispatchd.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return true, err
	}
	if prev.RequestHash != hash {
		return true, dispatchd.Errorf(dispatchd.EINVALID, "Idempotency-Key %q was already used with a different request.", key)
	}
	e, err := s.Store.FindEvent(r.Context(), repo.ID, prev.EventID)
	if err != nil {
		return true, err
	}
	w.Header().Set("Idempotent-Replayed", "true")
	return true, write(w, r, repo, e)
}

// requestHash identifies a request for idempotency: method, path, the API
// version (it changes the answer) and the body's members in key order.
func requestHash(r *http.Request, body map[string]json.RawMessage) string {
	h := sha256.New()
	h.Write([]byte(r.Method + " " + r.URL.Path + "\n" + r.Header.Get("X-GitHub-Api-Version") + "\n"))
	canon, _ := json.Marshal(body) // map keys are sorted
	h.Write(canon)
	return hex.EncodeToString(h.Sum(nil))
}
