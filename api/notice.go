package api

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/dispatchd/dispatchd"
)

// NoticePayload renders the payload of a workflow_run or workflow_job
// delivery from its notice, with GitHub's shape: the action, the run (with
// its workflow) or the job in the state the notice recorded, the
// repository, its organization, and the sender (the run's triggering
// actor). The store calls it when such a delivery is read.
func (s *Server) NoticePayload(ctx context.Context, event, action string, n dispatchd.Notice) ([]byte, error) {
	repo, err := s.Store.FindRepoByID(ctx, n.RepoID)
	if err != nil {
		return nil, err
	}
	run, err := s.Store.FindRun(ctx, repo.ID, n.RunID)
	if err != nil {
		return nil, err
	}
	views := newViews(s.Store, repo)
	sender, err := views.user(ctx, run.TriggeringActorID)
	if err != nil {
		return nil, err
	}
	p := map[string]any{"action": action}
	switch event {
	case "workflow_job":
		job, err := s.Store.FindJob(ctx, repo.ID, n.JobID)
		if err != nil {
			return nil, err
		}
		at := *job
		at.Status, at.Conclusion = n.Status, n.Conclusion
		p["workflow_job"] = s.urls().Job(&at, run, repo)
	default:
		at := *run
		at.RunAttempt, at.Status, at.Conclusion = n.Attempt, n.Status, n.Conclusion
		v, err := views.of(ctx, &at)
		if err != nil {
			return nil, err
		}
		p["workflow_run"] = s.urls().Run(v)
		if wf, err := s.Store.FindWorkflowByID(ctx, repo.ID, run.WorkflowID); err == nil {
			p["workflow"] = s.urls().Workflow(repo, wf, nil)
		}
	}
	p["repository"] = s.urls().Repository(repo, nil)
	if repo.Owner.IsOrg() {
		p["organization"] = s.urls().Organization(repo.Owner)
	}
	p["sender"] = s.urls().SimpleUser(sender)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // as GitHub's payloads are
	err = enc.Encode(p)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), err
}
