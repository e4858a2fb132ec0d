package dispatch

import (
	"strings"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/workflow"
)

// model is a parsed workflow file, cached by blob.
type model struct {
	wf       *workflow.Workflow
	problems []dispatchd.Problem
}

func (s *Service) modelOf(f *dispatchd.WorkflowFile) *model {
	key := blobKey{f.RepoID, f.BlobSHA}
	if m, ok := s.models.get(key); ok {
		return m
	}
	wf, problems := workflow.Parse(f.Path, f.Source)
	m := &model{wf: wf, problems: problems}
	s.models.put(key, m)
	return m
}

// runnable reports whether the file can make a run, and why not.
func (m *model) runnable() (bool, string) {
	if m.wf == nil || len(m.wf.Jobs) == 0 {
		return false, firstProblem(m.problems, "the workflow has no jobs")
	}
	for _, p := range m.problems {
		if p.Severity == "error" {
			return false, firstProblem([]dispatchd.Problem{p}, "")
		}
	}
	return true, ""
}

func firstProblem(ps []dispatchd.Problem, fallback string) string {
	for _, p := range ps {
		if p.Severity == "error" {
			return p.Message
		}
	}
	return fallback
}

// jobs lists the run's jobs in file order; matrix jobs are expanded by the
// scheduler when they become ready, so here each is one row.
func (m *model) jobs() []*dispatchd.Job {
	out := make([]*dispatchd.Job, 0, len(m.wf.Jobs))
	for _, j := range m.wf.Jobs {
		name := j.Name
		if name == "" || strings.Contains(name, "${{") {
			name = j.ID
		}
		out = append(out, &dispatchd.Job{Key: j.ID, Name: name, Needs: j.Needs, Labels: j.RunsOn.Labels})
	}
	return out
}
