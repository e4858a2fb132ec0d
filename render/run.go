package render

import (
	"strconv"

	"github.com/dispatchd/dispatchd"
)

// RunView is a run with what its JSON shows besides the run itself.
type RunView struct {
	Run             *dispatchd.Run
	Repo            *dispatchd.Repo
	Actor           *dispatchd.User
	TriggeringActor *dispatchd.User
	Commit          *dispatchd.Commit // nil when unknown
	// Attempt overrides the run's status for an earlier attempt.
	Attempt            int
	Status, Conclusion string
	DispatchID         int64
}

// Run is GitHub's workflow-run object, plus the dispatchd extension
// `dispatch_id`: the event that created the run.
func (u URLs) Run(v RunView) map[string]any {
	r, full := v.Run, v.Repo.FullName()
	api := u.API("/repos/%s/actions/runs/%d", full, r.ID)
	attempt, status, conclusion := r.RunAttempt, r.Status, r.Conclusion
	if v.Attempt != 0 {
		attempt, status, conclusion = v.Attempt, v.Status, v.Conclusion
	}
	started := r.RunStartedAt
	if started.IsZero() {
		started = r.CreatedAt
	}
	var previous any
	if attempt > 1 {
		previous = api + "/attempts/" + itoa(int64(attempt-1))
	}
	repo := u.Repository(v.Repo, nil)
	return map[string]any{
		"id": r.ID, "name": r.Name, "node_id": NodeID("WorkflowRun", r.ID), "check_suite_id": r.ID,
		"check_suite_node_id": NodeID("CheckSuite", r.ID), "head_branch": r.HeadBranch, "head_sha": r.HeadSHA,
		"path": r.Path, "run_number": r.RunNumber, "run_attempt": attempt, "referenced_workflows": []any{},
		"event": r.Event, "status": status, "conclusion": Nullable(conclusion), "workflow_id": r.WorkflowID,
		"url": api, "html_url": u.HTML("/%s/actions/runs/%d", full, r.ID), "pull_requests": []any{},
		"created_at": Timestamp(r.CreatedAt), "updated_at": Timestamp(r.UpdatedAt),
		"actor": u.SimpleUser(v.Actor), "triggering_actor": u.SimpleUser(v.TriggeringActor),
		"run_started_at": Timestamp(started), "jobs_url": api + "/jobs", "logs_url": api + "/logs",
		"check_suite_url": u.API("/repos/%s/check-suites/%d", full, r.ID), "artifacts_url": api + "/artifacts",
		"cancel_url": api + "/cancel", "rerun_url": api + "/rerun", "previous_attempt_url": previous,
		"workflow_url": u.API("/repos/%s/actions/workflows/%d", full, r.WorkflowID),
		"head_commit":  headCommit(v.Commit), "repository": repo, "head_repository": repo,
		"head_repository_id": v.Repo.ID, "display_title": r.DisplayTitle, "dispatch_id": r.EventID,
	}
}

func headCommit(c *dispatchd.Commit) any {
	if c == nil {
		return nil
	}
	return map[string]any{
		"id": c.SHA, "tree_id": c.TreeSHA, "message": c.Message, "timestamp": Timestamp(c.Timestamp),
		"author":    map[string]any{"name": c.AuthorName, "email": c.AuthorEmail},
		"committer": map[string]any{"name": c.CommitterName, "email": c.CommitterEmail},
	}
}

// Job is GitHub's job object.
func (u URLs) Job(j *dispatchd.Job, run *dispatchd.Run, repo *dispatchd.Repo) map[string]any {
	full := repo.FullName()
	api := u.API("/repos/%s/actions/jobs/%d", full, j.ID)
	started := j.StartedAt
	if started.IsZero() {
		started = j.CreatedAt // GitHub's started_at is never null
	}
	var runnerID, runnerName any
	if j.RunnerID != 0 {
		runnerID, runnerName = j.RunnerID, j.RunnerName
	}
	return map[string]any{
		"id": j.ID, "run_id": j.RunID, "run_url": u.API("/repos/%s/actions/runs/%d", full, j.RunID),
		"run_attempt": j.RunAttempt, "node_id": NodeID("Job", j.ID), "head_sha": run.HeadSHA, "url": api,
		"html_url": u.HTML("/%s/actions/runs/%d/job/%d", full, j.RunID, j.ID), "status": j.Status,
		"conclusion": Nullable(j.Conclusion), "created_at": Timestamp(j.CreatedAt), "started_at": Timestamp(started),
		"completed_at": Timestamp(j.CompletedAt), "name": j.Name, "steps": steps(j.Steps),
		"check_run_url": u.API("/repos/%s/check-runs/%d", full, j.ID), "labels": nonNil(j.Labels),
		"runner_id": runnerID, "runner_name": runnerName, "runner_group_id": nil, "runner_group_name": nil,
		"workflow_name": run.Name, "head_branch": run.HeadBranch,
	}
}

// steps is the job's steps as GitHub lists them.
func steps(list []dispatchd.JobStep) []map[string]any {
	out := make([]map[string]any, 0, len(list))
	for _, s := range list {
		out = append(out, map[string]any{"name": s.Name, "status": s.Status, "conclusion": Nullable(s.Conclusion),
			"number": s.Number, "started_at": Timestamp(s.StartedAt), "completed_at": Timestamp(s.CompletedAt)})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
