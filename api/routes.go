package api

// routes registers every REST route, relative to /api/v3, with the GitHub
// documentation page its errors point to.
func (s *Server) routes() {
	s.handle("GET /{$}", "meta/meta#github-api-root", s.root)
	s.handle("GET /rate_limit", "rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user", s.rateLimitStatus)
	s.handle("GET /user", "users/users#get-the-authenticated-user", s.currentUser)
	s.handle("GET /users/{username}", "users/users#get-a-user", s.getUser)
	s.handle("GET /orgs/{org}", "orgs/orgs#get-an-organization", s.getUser)

	s.handle("POST /user/repos", "repos/repos#create-a-repository-for-the-authenticated-user", s.createUserRepo)
	s.handle("GET /user/repos", "repos/repos#list-repositories-for-the-authenticated-user", s.listUserRepos)
	s.handle("POST /orgs/{org}/repos", "repos/repos#create-an-organization-repository", s.createOrgRepo)
	s.handle("GET /orgs/{org}/repos", "repos/repos#list-organization-repositories", s.listOrgRepos)
	s.handle("GET /users/{username}/repos", "repos/repos#list-repositories-for-a-user", s.listOrgRepos)
	s.handle("GET /repos/{owner}/{repo}", "repos/repos#get-a-repository", s.getRepo)
	s.handle("PATCH /repos/{owner}/{repo}", "repos/repos#update-a-repository", s.updateRepo)
	s.handle("DELETE /repos/{owner}/{repo}", "repos/repos#delete-a-repository", s.deleteRepo)

	s.handle("GET /repos/{owner}/{repo}/collaborators/{username}", "collaborators/collaborators#check-if-a-user-is-a-repository-collaborator", s.checkCollaborator)
	s.handle("PUT /repos/{owner}/{repo}/collaborators/{username}", "collaborators/collaborators#add-a-repository-collaborator", s.putCollaborator)
	s.handle("DELETE /repos/{owner}/{repo}/collaborators/{username}", "collaborators/collaborators#remove-a-repository-collaborator", s.deleteCollaborator)

	s.handle("POST /repos/{owner}/{repo}/dispatches", "repos/repos#create-a-repository-dispatch-event", s.repositoryDispatch)
	s.handle("GET /repos/{owner}/{repo}/dispatches", "repos/repos#create-a-repository-dispatch-event", s.listDispatches)
	s.handle("GET /repos/{owner}/{repo}/dispatches/{dispatch_id}", "repos/repos#create-a-repository-dispatch-event", s.getDispatch)
	s.handle("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", "actions/workflows#create-a-workflow-dispatch-event", s.workflowDispatch)

	s.handle("GET /repos/{owner}/{repo}/actions/runs", "actions/workflow-runs#list-workflow-runs-for-a-repository", s.listRuns)
	s.handle("GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs", "actions/workflow-runs#list-workflow-runs-for-a-workflow", s.listRuns)
	s.handle("GET /repos/{owner}/{repo}/actions/runs/{run_id}", "actions/workflow-runs#get-a-workflow-run", s.getRun)
	s.handle("DELETE /repos/{owner}/{repo}/actions/runs/{run_id}", "actions/workflow-runs#delete-a-workflow-run", s.deleteRun)
	s.handle("GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}", "actions/workflow-runs#get-a-workflow-run-attempt", s.getRunAttempt)
	s.handle("GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs", "actions/workflow-jobs#list-jobs-for-a-workflow-run", s.listJobs)
	s.handle("GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs", "actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt", s.listJobs)
	s.handle("GET /repos/{owner}/{repo}/actions/jobs/{job_id}", "actions/workflow-jobs#get-a-job-for-a-workflow-run", s.getJob)
	s.handle("POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel", "actions/workflow-runs#cancel-a-workflow-run", s.cancelRun)
	s.handle("POST /repos/{owner}/{repo}/actions/runs/{run_id}/force-cancel", "actions/workflow-runs#force-cancel-a-workflow-run", s.cancelRun)
	s.handle("POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun", "actions/workflow-runs#re-run-a-workflow", s.rerunRun(false))
	s.handle("POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs", "actions/workflow-runs#re-run-failed-jobs-from-a-workflow-run", s.rerunRun(true))
	s.handle("GET /repos/{owner}/{repo}/actions/runs/{run_id}/logs", "actions/workflow-runs#download-workflow-run-logs", s.runLogs)
	s.handle("GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/logs", "actions/workflow-runs#download-workflow-run-attempt-logs", s.runLogs)
	s.handle("GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs", "actions/workflow-jobs#download-job-logs-for-a-workflow-run", s.jobLogs)

	s.handle("GET /repos/{owner}/{repo}/actions/workflows", "actions/workflows#list-repository-workflows", s.listWorkflows)
	s.handle("GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}", "actions/workflows#get-a-workflow", s.getWorkflow)
	s.handle("PUT /repos/{owner}/{repo}/actions/workflows/{workflow_id}/disable", "actions/workflows#disable-a-workflow", s.setWorkflowState(true))
	s.handle("PUT /repos/{owner}/{repo}/actions/workflows/{workflow_id}/enable", "actions/workflows#enable-a-workflow", s.setWorkflowState(false))
}
