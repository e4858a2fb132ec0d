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
	title     string // the run's default display title when not the name (push: the head commit's headline)
	inputs    *expr.Object
}

// Run identifies a run in the github context; zero values are left out
// (at dispatch time the run has no id yet).
type Run struct {
	ID, Number int64
	Attempt    int
}

// GitHubContext is the `github` context of a run. Ids are strings, as
// GitHub has them. The server, the runner and `dispatchd exec` share it.
type GitHubContext struct {
	Repo         *dispatchd.Repo
	Actor        *dispatchd.User
	EventName    string
	Event        *expr.Object // the payload
	Ref, SHA     string       // full ref
	WorkflowPath string
	WorkflowName string
	ServerURL    string // without a trailing slash
	APIURL       string
	GraphQLURL   string
	Run          Run
}

// githubKeys are the context's keys, in GitHub's order.
var githubKeys = []string{"event", "event_name", "ref", "ref_name", "ref_type", "ref_protected", "sha", "head_ref",
	"base_ref", "repository", "repository_id", "repository_owner", "repository_owner_id", "actor", "actor_id",
	"triggering_actor", "workflow", "workflow_ref", "workflow_sha", "server_url", "api_url", "graphql_url",
	"retention_days", "run_attempt", "secret_source", "run_id", "run_number"}

// Object builds the context.
func (c GitHubContext) Object() *expr.Object { return c.ObjectOf(githubKeys) }

// ObjectOf builds the context with only the given keys (lower case) when
// the rest will not be read: at dispatch time run-name and concurrency
// read a key or two of the 27 (expr.ContextKeys).
func (c GitHubContext) ObjectOf(keys []string) *expr.Object {
	g := expr.NewObjectSize(len(keys))
	for _, k := range keys {
		if v, ok := c.value(k); ok {
			g.Append(k, v) // the keys differ: Append skips Set's search
		}
	}
	return g
}

// value is the context's value at key; run_id and run_number exist once
// the run has an id.
func (c GitHubContext) value(key string) (any, bool) {
	switch key {
	case "event":
		return c.Event, true
	case "event_name":
		return c.EventName, true
	case "ref":
		return c.Ref, true
	case "ref_name":
		name, _ := shortRef(c.Ref)
		return name, true
	case "ref_type":
		_, typ := shortRef(c.Ref)
		return typ, true
	case "ref_protected":
		return false, true
	case "sha", "workflow_sha":
		return c.SHA, true
	case "head_ref", "base_ref":
		return "", true
	case "repository":
		return c.Repo.FullName(), true
	case "repository_id":
		return strconv.FormatInt(c.Repo.ID, 10), true
	case "repository_owner":
		return c.Repo.Owner.Login, true
	case "repository_owner_id":
		return strconv.FormatInt(c.Repo.Owner.ID, 10), true
	case "actor", "triggering_actor":
		return c.Actor.Login, true
	case "actor_id":
		return strconv.FormatInt(c.Actor.ID, 10), true
	case "workflow":
		return c.WorkflowName, true
	case "workflow_ref":
		return c.Repo.FullName() + "/" + c.WorkflowPath + "@" + c.Ref, true
	case "server_url":
		return c.ServerURL, true
	case "api_url":
		return c.APIURL, true
	case "graphql_url":
		return c.GraphQLURL, true
	case "retention_days":
		return "90", true
	case "run_attempt":
		return strconv.Itoa(max(c.Run.Attempt, 1)), true
	case "secret_source":
		return "Actions", true
	case "run_id":
		return strconv.FormatInt(c.Run.ID, 10), c.Run.ID != 0
	case "run_number":
		return strconv.FormatInt(c.Run.Number, 10), c.Run.ID != 0
	}
	return nil, false
}

// githubContext is the context at dispatch time, for run-name and
// concurrency: the keys they read.
func (s *Service) githubContext(t *trigger, keys []string) *expr.Object {
	return GitHubContext{Repo: t.repo, Actor: t.actor, EventName: t.eventName, Event: t.event, Ref: t.ref, SHA: t.sha,
		WorkflowPath: t.file.Path, WorkflowName: t.name, ServerURL: s.URLs.Base, APIURL: s.apiURL,
		GraphQLURL: s.graphqlURL}.ObjectOf(keys)
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
func (s *Service) runContext(t *trigger, m *model) *expr.Context {
	inputs := t.inputs
	if inputs == nil {
		inputs = expr.NewObject()
	}
	return &expr.Context{Values: map[string]any{"github": s.githubContext(t, m.githubKeys), "inputs": inputs, "vars": expr.NewObject()}}
}
