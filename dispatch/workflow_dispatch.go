package dispatch

import (
	"context"
	"strings"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/workflow"
)

// WorkflowDispatch records a workflow_dispatch event for one workflow at a
// branch or tag and creates its run, reading the workflow as of that ref.
// Errors carry GitHub's messages (CONTRACT §2).
func (s *Service) WorkflowDispatch(ctx context.Context, actor *dispatchd.User, repo *dispatchd.Repo, wf *dispatchd.Workflow,
	ref string, given map[string]any, o Options) (*Result, error) {
	if wf.Disabled {
		return nil, dispatchd.Errorf(dispatchd.EINVALID, "Cannot trigger a 'workflow_dispatch' on a disabled workflow")
	}
	refs, err := s.Store.Refs(ctx, repo.ID)
	if err != nil {
		return nil, err
	}
	full, sha := resolveRef(refs, ref)
	if sha == "" {
		return nil, dispatchd.Errorf(dispatchd.EINVALID, "No ref found for: %s", ref)
	}
	file, err := s.fileAt(ctx, repo.ID, sha, wf.Path)
	if err != nil {
		return nil, err
	}
	if file == nil || !file.Summary.Triggers.Has("workflow_dispatch") {
		return nil, dispatchd.Errorf(dispatchd.EINVALID, "Workflow does not have 'workflow_dispatch' trigger")
	}
	m := s.modelOf(file)
	if ok, why := m.runnable(); !ok || !file.Summary.Valid {
		return nil, dispatchd.Errorf(dispatchd.EINVALID, "Workflow %s at %s is invalid: %s", wf.Path, ref, why)
	}
	inputs, eventInputs, err := workflow.ValidateInputs(file.Summary.Triggers.WorkflowDispatch, given)
	if err != nil {
		return nil, err
	}
	p, err := s.workflowDispatchPayload(repo, actor, full, wf.Path, inputOrder(file.Summary.Triggers.WorkflowDispatch), eventInputs)
	if err != nil {
		return nil, err
	}
	e := &dispatchd.Event{RepoID: repo.ID, Name: "workflow_dispatch", Ref: full, SHA: sha, WorkflowID: wf.ID,
		ActorID: actor.ID, Payload: p.data, Parts: p.parts}
	t := &trigger{repo: repo, actor: actor, eventName: e.Name, event: p.obj, ref: full, sha: sha, file: file,
		name: workflowName(file), inputs: inputObject(file.Summary.Triggers.WorkflowDispatch, inputs)}
	nr := s.newRun(t, m)
	e.Cause = o.Cause
	if err := s.Store.CreateEvent(ctx, e, []dispatchd.NewRun{nr}, o.Idempotency); err != nil {
		return nil, err
	}
	return &Result{Event: e, Runs: []*dispatchd.Run{nr.Run}}, nil
}

// resolveRef finds a branch or tag: a short name is a branch first, then a
// tag, as GitHub resolves it.
func resolveRef(refs map[string]string, ref string) (full, sha string) {
	if strings.HasPrefix(ref, "refs/heads/") || strings.HasPrefix(ref, "refs/tags/") {
		return ref, refs[ref]
	}
	for _, prefix := range []string{"refs/heads/", "refs/tags/"} {
		if sha := refs[prefix+ref]; sha != "" {
			return prefix + ref, sha
		}
	}
	return "", ""
}

func (s *Service) fileAt(ctx context.Context, repoID int64, sha, path string) (*dispatchd.WorkflowFile, error) {
	files, err := s.filesAt(ctx, repoID, sha)
	if dispatchd.ErrorCode(err) == dispatchd.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	for _, f := range files {
		if f.Path == path {
			return f, nil
		}
	}
	return nil, nil
}

// inputOrder is the declaration order of the inputs.
func inputOrder(t *dispatchd.WorkflowDispatchTrigger) []string {
	if t == nil {
		return nil
	}
	out := make([]string, len(t.Inputs))
	for i, in := range t.Inputs {
		out[i] = in.ID
	}
	return out
}

// inputObject is the `inputs` context, in declaration order, typed.
func inputObject(t *dispatchd.WorkflowDispatchTrigger, inputs map[string]any) *expr.Object {
	o := expr.NewObject()
	if t == nil {
		return o
	}
	for _, in := range t.Inputs {
		if v, ok := inputs[in.ID]; ok {
			o.Set(in.ID, v)
		}
	}
	return o
}
