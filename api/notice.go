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
	// The repository, organization and sender are the same in every
	// payload: rendered once, as those of dispatch payloads are.
	repoJSON, orgJSON, senderJSON, err := s.Dispatch.CommonJSON(repo, sender)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(`{"action":`)
	writeRaw(&b, action)
	switch event {
	case "workflow_job":
		job, err := s.Store.FindJob(ctx, repo.ID, n.JobID)
		if err != nil {
			return nil, err
		}
		at := *job
		at.Status, at.Conclusion = n.Status, n.Conclusion
		b.WriteString(`,"workflow_job":`)
		writeRaw(&b, s.urls().Job(&at, run, repo))
	default:
		at := *run
		at.RunAttempt, at.Status, at.Conclusion = n.Attempt, n.Status, n.Conclusion
		v, err := views.of(ctx, &at)
		if err != nil {
			return nil, err
		}
		// The run's repositories are the payload's: the same JSON, added
		// after the rest is encoded (as a json.RawMessage it would be
		// scanned twice more), spared two encodings of a hundred fields.
		obj := s.urls().Run(v)
		delete(obj, "repository")
		delete(obj, "head_repository")
		b.WriteString(`,"workflow_run":`)
		writeRaw(&b, obj)
		b.Truncate(b.Len() - 1) // }
		b.WriteString(`,"repository":`)
		b.Write(repoJSON)
		b.WriteString(`,"head_repository":`)
		b.Write(repoJSON)
		b.WriteByte('}')
		if wf, err := s.Store.FindWorkflowByID(ctx, repo.ID, run.WorkflowID); err == nil {
			b.WriteString(`,"workflow":`)
			writeRaw(&b, s.urls().Workflow(repo, wf, nil))
		}
	}
	b.WriteString(`,"repository":`)
	b.Write(repoJSON)
	if orgJSON != nil {
		b.WriteString(`,"organization":`)
		b.Write(orgJSON)
	}
	b.WriteString(`,"sender":`)
	b.Write(senderJSON)
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeRaw appends v as JSON without HTML escaping, as GitHub's payloads
// are; what this package renders always encodes.
func writeRaw(b *bytes.Buffer, v any) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) == nil {
		b.Truncate(b.Len() - 1) // Encode's newline
	}
}
