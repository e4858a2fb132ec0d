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

// Object builds the context.
func (c GitHubContext) Object() *expr.Object {
	refName, refType := shortRef(c.Ref)
	attempt := max(c.Run.Attempt, 1)
	repo, repoID := c.Repo.FullName(), strconv.FormatInt(c.Repo.ID, 10)
	actorID := strconv.FormatInt(c.Actor.ID, 10)
	g := expr.NewObjectSize(27)
	// The keys differ: Append skips Set's search for an existing one.
	g.Append("event", c.Event)
	g.Append("event_name", c.EventName)
	g.Append("ref", c.Ref)
	g.Append("ref_name", refName)
	g.Append("ref_type", refType)
	g.Append("ref_protected", false)
	g.Append("sha", c.SHA)
	g.Append("head_ref", "")
	g.Append("base_ref", "")
	g.Append("repository", repo)
	g.Append("repository_id", repoID)
	g.Append("repository_owner", c.Repo.Owner.Login)
	g.Append("repository_owner_id", strconv.FormatInt(c.Repo.Owner.ID, 10))
	g.Append("actor", c.Actor.Login)
	g.Append("actor_id", actorID)
	g.Append("triggering_actor", c.Actor.Login)
	g.Append("workflow", c.WorkflowName)
	g.Append("workflow_ref", repo+"/"+c.WorkflowPath+"@"+c.Ref)
	g.Append("workflow_sha", c.SHA)
	g.Append("server_url", c.ServerURL)
	g.Append("api_url", c.APIURL)
	g.Append("graphql_url", c.GraphQLURL)
	g.Append("retention_days", "90")
	g.Append("run_attempt", strconv.Itoa(attempt))
	g.Append("secret_source", "Actions")
	if c.Run.ID != 0 {
		g.Append("run_id", strconv.FormatInt(c.Run.ID, 10))
		g.Append("run_number", strconv.FormatInt(c.Run.Number, 10))
	}
	return g
}

// githubContext is the context at dispatch time, for run-name and concurrency.
func (s *Service) githubContext(t *trigger) *expr.Object {
	return GitHubContext{Repo: t.repo, Actor: t.actor, EventName: t.eventName, Event: t.event, Ref: t.ref, SHA: t.sha,
		WorkflowPath: t.file.Path, WorkflowName: t.name, ServerURL: s.URLs.Base, APIURL: s.URLs.Base + "/api/v3",
		GraphQLURL: s.URLs.Base + "/api/graphql"}.Object()
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
