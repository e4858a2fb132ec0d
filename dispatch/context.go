package dispatch

import (
	"strconv"
	"strings"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/expr"
)

// trigger is what the contexts of a new run are made of.
type trigger struct {
	repo      *dispatchd.Repo
	actor     *dispatchd.User
	eventName string
	event     *expr.Object // the payload, as github.event
	ref       string       // full: refs/heads/main
	sha       string
	file      *dispatchd.WorkflowFile
	name      string // the workflow's name
	inputs    *expr.Object
}

// githubContext is the `github` context available at dispatch time (for
// run-name and concurrency). Ids are strings, as GitHub has them.
func (s *Service) githubContext(t *trigger) *expr.Object {
	refName, refType := shortRef(t.ref)
	g := expr.NewObject()
	for _, kv := range []struct {
		k string
		v any
	}{
		{"event", t.event}, {"event_name", t.eventName}, {"ref", t.ref}, {"ref_name", refName}, {"ref_type", refType},
		{"ref_protected", false}, {"sha", t.sha}, {"head_ref", ""}, {"base_ref", ""},
		{"repository", t.repo.FullName()}, {"repository_id", strconv.FormatInt(t.repo.ID, 10)},
		{"repository_owner", t.repo.Owner.Login}, {"repository_owner_id", strconv.FormatInt(t.repo.OwnerID, 10)},
		{"actor", t.actor.Login}, {"actor_id", strconv.FormatInt(t.actor.ID, 10)}, {"triggering_actor", t.actor.Login},
		{"workflow", t.name}, {"workflow_ref", t.repo.FullName() + "/" + t.file.Path + "@" + t.ref}, {"workflow_sha", t.sha},
		{"server_url", s.URLs.Base}, {"api_url", s.URLs.Base + "/api/v3"}, {"graphql_url", s.URLs.Base + "/api/graphql"},
		{"retention_days", "90"}, {"run_attempt", "1"},
	} {
		g.Set(kv.k, kv.v)
	}
	return g
}

// shortRef splits refs/heads/x and refs/tags/x into the name and its type.
func shortRef(ref string) (name, typ string) {
	if n, ok := strings.CutPrefix(ref, "refs/heads/"); ok {
		return n, "branch"
	}
	if n, ok := strings.CutPrefix(ref, "refs/tags/"); ok {
		return n, "tag"
	}
	return ref, ""
}

// runContext is what run-name and concurrency may use: github, inputs, vars.
func (s *Service) runContext(t *trigger) *expr.Context {
	inputs := t.inputs
	if inputs == nil {
		inputs = expr.NewObject()
	}
	return &expr.Context{Values: map[string]any{"github": s.githubContext(t), "inputs": inputs, "vars": expr.NewObject()}}
}
