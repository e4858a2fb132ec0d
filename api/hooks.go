package api

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/render"
	"github.com/dispatchd/dispatchd/webhook"
)

// hookOwner is what a hook belongs to: a repository or an organization.
type hookOwner struct {
	scope string
	id    int64
	repo  *dispatchd.Repo // set for a repository's hooks
	org   *dispatchd.User // set for an organization's hooks
}

// path is the owner's API path: /repos/{owner}/{repo} or /orgs/{org}.
func (o hookOwner) path() string {
	if o.repo != nil {
		return "/repos/" + o.repo.FullName()
	}
	return "/orgs/" + o.org.Login
}

// hookOwnerFor resolves {owner}/{repo} or {org} for the hooks API. A
// repository's hooks need the webhooks area at level (repository admins;
// classic tokens with repo or admin:repo_hook); an organization's need an
// owner of the organization (classic tokens with repo or admin:org_hook).
// Whoever may not manage the hooks gets 404, as on GitHub.
func (s *Server) hookOwnerFor(r *http.Request, level dispatchd.Level) (hookOwner, error) {
	if r.PathValue("org") == "" {
		repo, err := s.repoFor(r, dispatchd.AreaWebhooks, level)
		if dispatchd.ErrorCode(err) == dispatchd.EFORBIDDEN && err != dispatchd.ErrTokenForbidden {
			return hookOwner{}, errNotFound // the role falls short: hooks are not even shown to exist
		} else if err != nil {
			return hookOwner{}, err
		}
		return hookOwner{scope: dispatchd.ScopeRepo, id: repo.ID, repo: repo}, nil
	}
	a, err := requireUser(r)
	if err != nil {
		return hookOwner{}, err
	}
	org, err := s.Store.FindUserByLogin(r.Context(), r.PathValue("org"))
	if dispatchd.ErrorCode(err) == dispatchd.ENOTFOUND || (err == nil && !org.IsOrg()) {
		return hookOwner{}, errNotFound
	} else if err != nil {
		return hookOwner{}, err
	}
	role, err := s.Store.OrgRole(r.Context(), org.ID, a.User.ID)
	if err != nil {
		return hookOwner{}, err
	}
	t := a.Token
	switch {
	case role != dispatchd.OrgRoleAdmin:
		return hookOwner{}, errNotFound
	case t != nil && !(t.Kind == dispatchd.TokenClassic && (t.HasScope("repo") || t.HasScope("admin:org_hook"))):
		return hookOwner{}, dispatchd.ErrTokenForbidden
	}
	return hookOwner{scope: dispatchd.ScopeOrg, id: org.ID, org: org}, nil
}

// hookFor loads the owner of the route, checking the actor may act on its
// hooks at level, and its {hook_id}.
func (s *Server) hookFor(r *http.Request, level dispatchd.Level) (hookOwner, *dispatchd.Hook, error) {
	o, err := s.hookOwnerFor(r, level)
	if err != nil {
		return o, nil, err
	}
	id, err := strconv.ParseInt(r.PathValue("hook_id"), 10, 64)
	if err != nil || id <= 0 {
		return o, nil, errNotFound
	}
	h, err := s.Store.FindHook(r.Context(), o.scope, o.id, id)
	return o, h, err
}

// secretMask stands for a hook's secret in every answer: the secret itself
// is never shown.
const secretMask = "********"

// hookConfigJSON is GitHub's webhook-config.
func hookConfigJSON(h *dispatchd.Hook) map[string]any {
	c := map[string]any{"url": h.URL, "content_type": h.ContentType, "insecure_ssl": h.InsecureSSL}
	if h.HasSecret() {
		c["secret"] = secretMask
	}
	return c
}

// hookJSON is GitHub's hook (a repository's) or org-hook.
func (s *Server) hookJSON(o hookOwner, h *dispatchd.Hook) map[string]any {
	u := s.urls().API("%s/hooks/%d", o.path(), h.ID)
	typ := "Repository"
	if o.org != nil {
		typ = "Organization"
	}
	var code any
	if h.LastResponse.Code != 0 {
		code = h.LastResponse.Code
	}
	status := h.LastResponse.Status
	if status == "" {
		status = dispatchd.HookStatusUnused
	}
	m := map[string]any{
		"type": typ, "id": h.ID, "name": h.Name, "active": h.Active, "events": h.Events, "config": hookConfigJSON(h),
		"updated_at": render.Timestamp(h.UpdatedAt), "created_at": render.Timestamp(h.CreatedAt),
		"url": u, "ping_url": u + "/pings", "deliveries_url": u + "/deliveries",
		"last_response": map[string]any{"code": code, "status": status, "message": render.Nullable(h.LastResponse.Message)},
	}
	if o.repo != nil {
		m["test_url"] = u + "/tests" // organizations' hooks have none
	}
	return m
}

// strings reads an array of strings at key.
func (o object) strings(key string) (val []string, present bool, err error) {
	v, ok := o[key]
	if !ok {
		return nil, false, nil
	}
	list, isList := v.([]any)
	if !isList {
		return nil, true, invalidType(key, v, "an array")
	}
	out := make([]string, 0, len(list))
	for _, item := range list {
		s, isStr := item.(string)
		if !isStr {
			return nil, true, invalidType(key+"/items", item, "a string")
		}
		out = append(out, s)
	}
	return out, true, nil
}

// applyHookConfig sets what a config object gives (url, content_type,
// secret, insecure_ssl) on h, and reports whether it set the secret. The
// mask that answers show for a secret keeps the secret as it is.
func applyHookConfig(v any, h *dispatchd.Hook) (secretSet bool, err error) {
	m, ok := v.(map[string]any)
	if !ok {
		return false, invalidType("config", v, "an object")
	}
	c := object(m)
	if u, ok, err := c.str("url"); err != nil {
		return false, err
	} else if ok {
		h.URL = u
	}
	if ct, ok, err := c.str("content_type"); err != nil {
		return false, err
	} else if ok {
		h.ContentType = ct
	}
	if sec, ok, err := c.str("secret"); err != nil {
		return false, err
	} else if ok && sec != secretMask {
		h.Secret, secretSet = sec, true
	}
	// insecure_ssl is a string or a number, "0" or "1".
	switch x := c["insecure_ssl"].(type) {
	case nil:
	case string:
		h.InsecureSSL = x
	case json.Number:
		h.InsecureSSL = x.String()
	default:
		return false, invalidType("insecure_ssl", x, "a string or a number")
	}
	return secretSet, nil
}

// applyHookBody sets what a create or update body gives on h: config,
// events, add_events, remove_events, active and name. It reports whether
// the secret was set.
func applyHookBody(body object, h *dispatchd.Hook) (secretSet bool, err error) {
	if v, ok := body["config"]; ok {
		if secretSet, err = applyHookConfig(v, h); err != nil {
			return false, err
		}
	}
	if name, ok, err := body.str("name"); err != nil {
		return false, err
	} else if ok {
		h.Name = name
	}
	if events, ok, err := body.strings("events"); err != nil {
		return false, err
	} else if ok {
		h.Events = events
	}
	if add, _, err := body.strings("add_events"); err != nil {
		return false, err
	} else {
		h.Events = append(h.Events, add...)
	}
	if remove, _, err := body.strings("remove_events"); err != nil {
		return false, err
	} else if len(remove) > 0 {
		h.Events = slices.DeleteFunc(slices.Clone(h.Events), func(e string) bool { return slices.Contains(remove, e) })
	}
	if active, ok, err := body.boolean("active"); err != nil {
		return false, err
	} else if ok {
		h.Active = active
	}
	return secretSet, nil
}

// hookError gives a duplicate hook GitHub's status, 422.
func hookError(err error) error {
	if e, ok := err.(*dispatchd.Error); ok && e.Code == dispatchd.ECONFLICT {
		c := *e
		c.Code = dispatchd.EINVALID
		return &c
	}
	return err
}

// listHooks answers GET …/hooks.
func (s *Server) listHooks(w http.ResponseWriter, r *http.Request) error {
	o, err := s.hookOwnerFor(r, dispatchd.Read)
	if err != nil {
		return err
	}
	hooks, err := s.Store.ListHooks(r.Context(), o.scope, o.id)
	if err != nil {
		return err
	}
	p := pageOf(r)
	s.setLink(w, r, p, len(hooks))
	out := []map[string]any{}
	for _, h := range hooks[min(p.offset(), len(hooks)):min(p.offset()+p.perPage, len(hooks))] {
		out = append(out, s.hookJSON(o, h))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// getHook answers GET …/hooks/{hook_id}.
func (s *Server) getHook(w http.ResponseWriter, r *http.Request) error {
	o, h, err := s.hookFor(r, dispatchd.Read)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.hookJSON(o, h))
	return nil
}

// createHook answers POST …/hooks: 201 with the hook, which is pinged at
// once, as GitHub does.
func (s *Server) createHook(w http.ResponseWriter, r *http.Request) error {
	o, err := s.hookOwnerFor(r, dispatchd.Write)
	if err != nil {
		return err
	}
	body, err := s.readObject(w, r)
	if err != nil {
		return err
	}
	if _, ok := body["config"]; !ok {
		return &dispatchd.Error{Code: dispatchd.EINVALID, Message: "Invalid request.\n\n\"config\" wasn't supplied.",
			Errors: []dispatchd.FieldError{{Resource: "Hook", Field: "config", Code: "missing_field"}}}
	}
	h := &dispatchd.Hook{Scope: o.scope, OwnerID: o.id, Active: true}
	if _, err := applyHookBody(body, h); err != nil {
		return err
	}
	webhook.SealSecret(s.keys(), h)
	if err := s.Store.CreateHook(r.Context(), h); err != nil {
		return hookError(err)
	}
	if h.Active {
		if err := s.ping(r.Context(), o, h); err != nil {
			// The hook exists: the answer says so; the ping is lost.
			loggerFrom(r.Context()).Error("webhook: enqueueing the ping of a new hook", "hook", h.ID, "err", err)
		}
	}
	u := s.urls().API("%s/hooks/%d", o.path(), h.ID)
	w.Header().Set("Location", u)
	writeJSON(w, http.StatusCreated, s.hookJSON(o, h))
	return nil
}

// updateHook answers PATCH …/hooks/{hook_id}: what the body leaves out
// stays as it is.
func (s *Server) updateHook(w http.ResponseWriter, r *http.Request) error {
	return s.patchHook(w, r, false)
}

// patchHook updates a hook from the body, or only its config (PATCH
// …/hooks/{hook_id}/config), and answers with the hook or its config.
func (s *Server) patchHook(w http.ResponseWriter, r *http.Request, configOnly bool) error {
	o, h, err := s.hookFor(r, dispatchd.Write)
	if err != nil {
		return err
	}
	body, err := s.readObject(w, r)
	if err != nil {
		return err
	}
	var secretSet bool
	if configOnly {
		secretSet, err = applyHookConfig(map[string]any(body), h)
	} else {
		secretSet, err = applyHookBody(body, h)
	}
	if err != nil {
		return err
	}
	if secretSet {
		webhook.SealSecret(s.keys(), h)
	}
	if err := s.Store.UpdateHook(r.Context(), h); err != nil {
		return hookError(err)
	}
	if configOnly {
		writeJSON(w, http.StatusOK, hookConfigJSON(h))
	} else {
		writeJSON(w, http.StatusOK, s.hookJSON(o, h))
	}
	return nil
}

// deleteHook answers DELETE …/hooks/{hook_id}: 204; its deliveries go with it.
func (s *Server) deleteHook(w http.ResponseWriter, r *http.Request) error {
	o, h, err := s.hookFor(r, dispatchd.Write)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteHook(r.Context(), o.scope, o.id, h.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getHookConfig answers GET …/hooks/{hook_id}/config.
func (s *Server) getHookConfig(w http.ResponseWriter, r *http.Request) error {
	_, h, err := s.hookFor(r, dispatchd.Read)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, hookConfigJSON(h))
	return nil
}

// updateHookConfig answers PATCH …/hooks/{hook_id}/config.
func (s *Server) updateHookConfig(w http.ResponseWriter, r *http.Request) error {
	return s.patchHook(w, r, true)
}

// pingHook answers POST …/hooks/{hook_id}/pings: 204, and a ping delivery.
func (s *Server) pingHook(w http.ResponseWriter, r *http.Request) error {
	o, h, err := s.hookFor(r, dispatchd.Read)
	if err != nil {
		return err
	}
	if err := s.ping(r.Context(), o, h); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// testHook answers POST /repos/{owner}/{repo}/hooks/{hook_id}/tests: the
// latest push to the default branch is delivered again, to this hook only,
// if it subscribes to push. As GitHub, 204 whether or not a test was sent.
func (s *Server) testHook(w http.ResponseWriter, r *http.Request) error {
	o, h, err := s.hookFor(r, dispatchd.Read)
	if err != nil {
		return err
	}
	if h.Wants("push") {
		if err := s.deliverLatestPush(r.Context(), o.repo, h); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// pushesSearched bounds the recent events searched for the latest push.
const pushesSearched = 100

func (s *Server) deliverLatestPush(ctx context.Context, repo *dispatchd.Repo, h *dispatchd.Hook) error {
	events, _, err := s.Store.ListEvents(ctx, repo.ID, 0, pushesSearched)
	if err != nil {
		return err
	}
	for _, e := range events {
		if e.Name != "push" || e.Ref != "refs/heads/"+repo.DefaultBranch {
			continue
		}
		full, err := s.Store.FindEvent(ctx, repo.ID, e.ID) // with its payload whole
		if err != nil {
			return err
		}
		d := &dispatchd.Delivery{HookID: h.ID, Event: "push", Payload: full.Payload, RepoID: repo.ID}
		return s.Store.EnqueueDeliveries(ctx, []*dispatchd.Delivery{d})
	}
	return nil
}

// zen are GitHub's zen sayings; a ping carries one.
var zen = []string{
	"Responsive is better than fast.", "It's not fully shipped until it's fast.", "Anything added dilutes everything else.",
	"Practicality beats purity.", "Approachable is better than simple.", "Mind your words, they are important.",
	"Speak like a human.", "Half measures are as bad as nothing at all.", "Encourage flow.",
	"Non-blocking is better than blocking.", "Favor focus over features.", "Avoid administrative distraction.",
	"Design for failure.", "Keep it logically awesome.",
}

// pingEvent is GitHub's ping payload, in GitHub's order.
type pingEvent struct {
	Zen          string         `json:"zen"`
	HookID       int64          `json:"hook_id"`
	Hook         map[string]any `json:"hook"`
	Repository   map[string]any `json:"repository,omitempty"`
	Organization map[string]any `json:"organization,omitempty"`
	Sender       map[string]any `json:"sender,omitempty"`
}

// ping enqueues a ping delivery to h, sent by the request's user.
func (s *Server) ping(ctx context.Context, o hookOwner, h *dispatchd.Hook) error {
	p := pingEvent{Zen: zen[rand.IntN(len(zen))], HookID: h.ID, Hook: s.hookJSON(o, h)}
	if sender := actorFrom(ctx).User; sender != nil {
		p.Sender = s.urls().SimpleUser(sender)
	}
	var repoID int64
	switch {
	case o.repo != nil:
		repoID = o.repo.ID
		p.Repository = s.urls().Repository(o.repo, nil)
		if o.repo.Owner.IsOrg() {
			p.Organization = s.urls().Organization(o.repo.Owner)
		}
	default:
		p.Organization = s.urls().Organization(o.org)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // as GitHub's payloads
	if err := enc.Encode(p); err != nil {
		return err
	}
	d := &dispatchd.Delivery{HookID: h.ID, Event: "ping", Payload: bytes.TrimSuffix(b.Bytes(), []byte("\n")), RepoID: repoID}
	return s.Store.EnqueueDeliveries(ctx, []*dispatchd.Delivery{d})
}
