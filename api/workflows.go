package api

import (
	"net/http"
	"strconv"

	"github.com/dispatchd/dispatchd"
)

// listWorkflows answers GET /repos/{owner}/{repo}/actions/workflows.
func (s *Server) listWorkflows(w http.ResponseWriter, r *http.Request) error {
	repo, err := s.repoFor(r, dispatchd.AreaActions, dispatchd.Read)
	if err != nil {
		return err
	}
	p := pageOf(r)
	list, total, err := s.Store.ListWorkflows(r.Context(), repo.ID, p.offset(), p.perPage)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(list))
	for _, wf := range list {
		out = append(out, s.urls().Workflow(repo, wf, nil))
	}
	s.setLink(w, r, p, total)
	writeJSON(w, http.StatusOK, map[string]any{"total_count": total, "workflows": out})
	return nil
}

// findWorkflow resolves {workflow_id}: a numeric id or a file name.
func (s *Server) findWorkflow(r *http.Request, repo *dispatchd.Repo) (*dispatchd.Workflow, error) {
	ref := r.PathValue("workflow_id")
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return s.Store.FindWorkflowByID(r.Context(), repo.ID, id)
	}
	if !validWorkflowFile(ref) {
		return nil, errNotFound
	}
	return s.Store.FindWorkflowByFile(r.Context(), repo.ID, ref)
}

// validWorkflowFile accepts a file name in .github/workflows, nothing that
// could name another path.
func validWorkflowFile(name string) bool {
	if name == "" || name == "." || name == ".." || len(name) > 255 {
		return false
	}
	for _, c := range name {
		if c == '/' || c == '\\' || c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// getWorkflow answers GET …/actions/workflows/{workflow_id}, with the
// dispatchd extension `problems`: what parsing it at the default branch found.
func (s *Server) getWorkflow(w http.ResponseWriter, r *http.Request) error {
	repo, err := s.repoFor(r, dispatchd.AreaActions, dispatchd.Read)
	if err != nil {
		return err
	}
	wf, err := s.findWorkflow(r, repo)
	if err != nil {
		return err
	}
	problems, err := s.problemsAtDefault(r, repo, wf)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.urls().Workflow(repo, wf, problems))
	return nil
}

func (s *Server) problemsAtDefault(r *http.Request, repo *dispatchd.Repo, wf *dispatchd.Workflow) ([]dispatchd.Problem, error) {
	refs, err := s.Store.Refs(r.Context(), repo.ID)
	if err != nil {
		return nil, err
	}
	problems := []dispatchd.Problem{}
	head, ok := refs["refs/heads/"+repo.DefaultBranch]
	if !ok {
		return problems, nil
	}
	files, err := s.Store.WorkflowFilesAt(r.Context(), repo.ID, head)
	if err != nil && dispatchd.ErrorCode(err) != dispatchd.ENOTFOUND {
		return nil, err
	}
	for _, f := range files {
		if f.WorkflowID == wf.ID {
			problems = append(problems, f.Summary.Problems...)
		}
	}
	return problems, nil
}

// setWorkflowState answers PUT …/{workflow_id}/enable and …/disable.
func (s *Server) setWorkflowState(disabled bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		repo, err := s.repoFor(r, dispatchd.AreaActions, dispatchd.Write)
		if err != nil {
			return err
		}
		wf, err := s.findWorkflow(r, repo)
		if err != nil {
			return err
		}
		if err := s.Store.SetWorkflowDisabled(r.Context(), repo.ID, wf.ID, disabled); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
