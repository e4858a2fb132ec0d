package dispatch

import (
	"slices"
	"strings"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/workflow"
)

// model is a parsed workflow file, cached by blob.
type model struct {
	wf       *workflow.Workflow
	problems []dispatchd.Problem
	// githubKeys are the keys of the github context that run-name and
	// concurrency read: the context a dispatch builds holds only these.
	githubKeys []string
}

func (s *Service) modelOf(f *dispatchd.WorkflowFile) *model {
	key := blobKey{f.RepoID, f.BlobSHA}
	if m, ok := s.models.get(key); ok {
		return m
	}
	wf, problems := workflow.Parse(f.Path, f.Source)
	m := &model{wf: wf, problems: problems, githubKeys: runFieldKeys(wf)}
	s.models.put(key, m)
	return m
}

// runFieldKeys returns the github keys the run's fields read; all of them
// when an expression reads the context whole or does not parse.
func runFieldKeys(wf *workflow.Workflow) []string {
	if wf == nil {
		return nil
	}
	texts := []string{wf.RunName}
	if c := wf.Concurrency; c != nil {
		texts = append(texts, c.Group, c.CancelInProgress.Expr)
	}
	var keys []string
	for _, t := range texts {
		if t == "" {
			continue
		}
		e, err := expr.ParseTemplate(t)
		if err != nil {
			return githubKeys
		}
		ks, all := e.ContextKeys("github")
		if all {
			return githubKeys
		}
		for _, k := range ks {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
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
