package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/dispatch"
	"github.com/dispatchd/dispatchd/engine"
	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/render"
	"github.com/dispatchd/dispatchd/runner"
	"github.com/dispatchd/dispatchd/workflow"
)

// localRepo is the git checkout dispatchd exec runs in.
type localRepo struct {
	root       string
	ref        string // full ref
	sha        string
	repository string // owner/name
	actor      string
}

func gitOut(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

func openLocalRepo(ctx context.Context, o execOptions) (*localRepo, error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	root, err := gitOut(ctx, wd, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("dispatchd exec runs inside a git checkout; %s is not one", wd)
	}
	r := &localRepo{root: root, repository: o.repository, actor: o.actor}
	if err := r.resolve(ctx, o.ref); err != nil {
		return nil, err
	}
	if r.repository == "" {
		r.repository = guessRepository(ctx, root)
	}
	if r.actor == "" {
		name, _ := gitOut(ctx, root, "config", "user.name")
		r.actor = loginLike(name, "local")
	}
	return r, nil
}

// resolve finds the ref (default: the checked-out branch) and its commit.
func (r *localRepo) resolve(ctx context.Context, ref string) error {
	if ref == "" {
		branch, err := gitOut(ctx, r.root, "symbolic-ref", "--short", "HEAD")
		if err != nil {
			return fmt.Errorf("HEAD is detached: give the branch or tag with --ref")
		}
		ref = branch
	}
	for _, full := range []string{ref, "refs/heads/" + ref, "refs/tags/" + ref} {
		if !strings.HasPrefix(full, "refs/") {
			continue
		}
		if sha, err := gitOut(ctx, r.root, "rev-parse", "--verify", "--quiet", full+"^{commit}"); err == nil && sha != "" {
			r.ref, r.sha = full, sha
			return nil
		}
	}
	return dispatchd.Errorf(dispatchd.EINVALID, "No ref found for: %s", ref)
}

var remoteRE = regexp.MustCompile(`[:/]([^/:]+)/([^/]+?)(\.git)?/?$`)

// guessRepository reads owner/name from the origin remote, or uses the
// directory's name under "local".
func guessRepository(ctx context.Context, root string) string {
	if url, err := gitOut(ctx, root, "remote", "get-url", "origin"); err == nil {
		if m := remoteRE.FindStringSubmatch(url); m != nil {
			return m[1] + "/" + m[2]
		}
	}
	return "local/" + loginLike(filepath.Base(root), "repo")
}

// loginLike makes a name usable as a login.
func loginLike(s, fallback string) string {
	s = strings.Trim(regexp.MustCompile(`[^A-Za-z0-9-]+`).ReplaceAllString(s, "-"), "-")
	if s == "" {
		return fallback
	}
	return s
}

// localTrigger is the event dispatchd exec simulates.
type localTrigger struct {
	o       execOptions
	event   string
	repo    *localRepo
	svc     *dispatch.Service
	domRepo *dispatchd.Repo
	actor   *dispatchd.User
	actions runner.ActionFetcher
}

func newLocalTrigger(o execOptions, event string, repo *localRepo) (*localTrigger, error) {
	owner, name, _ := strings.Cut(repo.repository, "/")
	ownerUser := &dispatchd.User{ID: 1, Login: owner, Type: dispatchd.UserTypeUser}
	branch, _ := strings.CutPrefix(repo.ref, "refs/heads/")
	now := time.Now().UTC()
	t := &localTrigger{o: o, event: event, repo: repo,
		svc:     dispatch.New(nil, render.URLs{Base: strings.TrimSuffix(o.serverURL, "/")}),
		domRepo: &dispatchd.Repo{ID: 1, OwnerID: 1, Owner: ownerUser, Name: name, DefaultBranch: branch, CreatedAt: now, UpdatedAt: now},
		actor:   &dispatchd.User{ID: 1, Login: repo.actor, Type: dispatchd.UserTypeUser},
		actions: execActions()}
	return t, nil
}

// plan makes one engine run per workflow the event triggers. A
// workflow_dispatch with bad inputs is GitHub's 422 error.
func (t *localTrigger) plan(files []string) ([]*engine.Run, error) {
	var runs []*engine.Run
	for _, file := range files {
		pf, err := readWorkflow(t.repo.root, file)
		if err != nil {
			return nil, err
		}
		if !pf.summary.Valid || pf.model == nil {
			if len(t.o.workflows) > 0 {
				return nil, invalidWorkflow(pf)
			}
			continue
		}
		r, err := t.runFor(pf)
		if err != nil {
			return nil, err
		}
		if r != nil {
			runs = append(runs, r)
		}
	}
	return runs, nil
}

func invalidWorkflow(pf *parsedFile) error {
	var lines []string
	for _, p := range pf.summary.Problems {
		if p.Severity == "error" {
			lines = append(lines, fmt.Sprintf("%s:%d:%d: %s", pf.path, p.Line, p.Column, p.Message))
		}
	}
	return dispatchd.Errorf(dispatchd.EINVALID, "%s is not a valid workflow:\n%s", pf.path, strings.Join(lines, "\n"))
}

func (t *localTrigger) runFor(pf *parsedFile) (*engine.Run, error) {
	var payload []byte
	var event, inputs *expr.Object
	var err error
	switch t.event {
	case "repository_dispatch":
		eventType, client, err := t.repositoryDispatch()
		if err != nil {
			return nil, err
		}
		if !workflow.MatchesRepositoryDispatch(&pf.summary.Triggers, eventType) {
			return nil, nil
		}
		if payload, event, err = t.svc.RepositoryDispatchPayload(t.domRepo, t.actor, eventType, client); err != nil {
			return nil, err
		}
	default:
		wd := pf.summary.Triggers.WorkflowDispatch
		if wd == nil {
			if len(t.o.workflows) > 0 {
				return nil, dispatchd.Errorf(dispatchd.EINVALID, "Workflow does not have 'workflow_dispatch' trigger")
			}
			return nil, nil
		}
		if payload, event, inputs, err = t.workflowDispatch(wd, pf.path); err != nil {
			return nil, err
		}
	}
	name := pf.summary.Name
	if name == "" {
		name = pf.path
	}
	gh := dispatch.GitHubContext{Repo: t.domRepo, Actor: t.actor, EventName: t.event, Event: event, Ref: t.repo.ref,
		SHA: t.repo.sha, WorkflowPath: pf.path, WorkflowName: name, ServerURL: t.svc.URLs.Base,
		APIURL: apiURLOf(t.svc.URLs.Base), GraphQLURL: graphqlURLOf(t.svc.URLs.Base),
		Run: dispatch.Run{ID: time.Now().Unix(), Number: 1, Attempt: 1}}.Object()
	secrets, err := pairs(t.o.secrets, "--secret")
	if err != nil {
		return nil, err
	}
	vars, err := pairs(t.o.vars, "--var")
	if err != nil {
		return nil, err
	}
	varObj := expr.NewObject()
	for k, v := range vars {
		varObj.Set(k, v)
	}
	if inputs == nil {
		inputs = expr.NewObject()
	}
	return &engine.Run{Workflow: pf.model, GitHub: gh, Inputs: inputs, Vars: varObj, Secrets: secrets, Event: payload,
		Checkout: localCheckout{root: t.repo.root, sha: t.repo.sha}, Actions: t.actions, Debug: t.o.debug}, nil
}

// apiURLOf is GitHub's API URL for github.com, /api/v3 below any other server.
func apiURLOf(server string) string {
	if server == "https://github.com" {
		return "https://api.github.com"
	}
	return server + "/api/v3"
}

// graphqlURLOf is GitHub's GraphQL URL: api.github.com/graphql for
// github.com, /api/graphql (beside /api/v3, not below it) for any other.
func graphqlURLOf(server string) string {
	if server == "https://github.com" {
		return "https://api.github.com/graphql"
	}
	return server + "/api/graphql"
}

func (t *localTrigger) repositoryDispatch() (string, json.RawMessage, error) {
	eventType, client := t.o.eventType, json.RawMessage(nil)
	if t.o.payload != "" {
		data, err := os.ReadFile(t.o.payload)
		if err != nil {
			return "", nil, err
		}
		var p struct {
			Action        string          `json:"action"`
			EventType     string          `json:"event_type"`
			ClientPayload json.RawMessage `json:"client_payload"`
		}
		if err := json.Unmarshal(data, &p); err != nil {
			return "", nil, fmt.Errorf("--payload: %w", err)
		}
		client = p.ClientPayload
		if eventType == "" {
			eventType = p.EventType + p.Action
		}
	}
	if t.o.clientPayload != "" {
		data, err := jsonArg(t.o.clientPayload)
		if err != nil {
			return "", nil, fmt.Errorf("--client-payload: %w", err)
		}
		client = data
	}
	if eventType == "" {
		return "", nil, fmt.Errorf("a repository_dispatch needs --event-type (or a --payload with event_type)")
	}
	return eventType, client, nil
}

func (t *localTrigger) workflowDispatch(wd *dispatchd.WorkflowDispatchTrigger, path string) ([]byte, *expr.Object, *expr.Object, error) {
	given := map[string]any{}
	if t.o.payload != "" {
		data, err := os.ReadFile(t.o.payload)
		if err != nil {
			return nil, nil, nil, err
		}
		var p struct {
			Inputs map[string]any `json:"inputs"`
		}
		if err := json.Unmarshal(data, &p); err != nil {
			return nil, nil, nil, fmt.Errorf("--payload: %w", err)
		}
		for k, v := range p.Inputs {
			given[k] = v
		}
	}
	for _, f := range t.o.inputs {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, nil, nil, fmt.Errorf("-f %q: use input=value", f)
		}
		given[k] = v
	}
	typed, strs, err := workflow.ValidateInputs(wd, given)
	if err != nil {
		return nil, nil, nil, err
	}
	order := make([]string, len(wd.Inputs))
	inputs := expr.NewObject()
	for i, in := range wd.Inputs {
		order[i] = in.ID
		if v, ok := typed[in.ID]; ok {
			inputs.Set(in.ID, v)
		}
	}
	payload, event, err := t.svc.WorkflowDispatchPayload(t.domRepo, t.actor, t.repo.ref, path, order, strs)
	return payload, event, inputs, err
}

// pairs reads NAME=VALUE flags.
func pairs(list []string, flag string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range list {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%s %q: use NAME=VALUE", flag, p)
		}
		out[k] = v
	}
	return out, nil
}

// localCheckout is actions/checkout for dispatchd exec: a clone of the
// local repository, sharing its objects, at the run's commit.
type localCheckout struct{ root, sha string }

func (c localCheckout) Checkout(ctx context.Context, dir string, o runner.CheckoutOptions) error {
	ref := o.Ref
	if ref == "" {
		ref = c.sha
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	if out, err := exec.CommandContext(ctx, "git", "clone", "--quiet", "--shared", "--no-checkout", c.root, dir).CombinedOutput(); err != nil {
		return fmt.Errorf("git clone: %v: %s", err, out)
	}
	if out, err := exec.CommandContext(ctx, "git", "-C", dir, "checkout", "--quiet", "--detach", ref).CombinedOutput(); err != nil {
		return fmt.Errorf("git checkout %s: %v: %s", ref, err, out)
	}
	return nil
}
