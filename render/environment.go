package render

import (
	"net/url"

	"github.com/dispatchd/dispatchd"
)

// EnvironmentRef is the short environment object pending deployments
// carry: id, node_id, name, url, html_url.
func (u URLs) EnvironmentRef(repo *dispatchd.Repo, e *dispatchd.Environment) map[string]any {
	return map[string]any{
		"id": e.ID, "node_id": NodeID("Environment", e.ID), "name": e.Name,
		"url":      u.API("/repos/%s/environments/%s", repo.FullName(), url.PathEscape(e.Name)),
		"html_url": u.HTML("/%s/deployments/activity_log?environments_filter=%s", repo.FullName(), url.QueryEscape(e.Name)),
	}
}

// Environment is GitHub's environment object. reviewers are the users of
// e.Reviewers, in their order. dispatchd has no deployment branch
// policies and no administrator bypass: deployment_branch_policy is
// always null and can_admins_bypass false.
func (u URLs) Environment(repo *dispatchd.Repo, e *dispatchd.Environment, reviewers []*dispatchd.User) map[string]any {
	m := u.EnvironmentRef(repo, e)
	m["created_at"], m["updated_at"] = Timestamp(e.CreatedAt), Timestamp(e.UpdatedAt)
	m["protection_rules"] = u.protectionRules(e, reviewers)
	m["deployment_branch_policy"] = nil
	m["can_admins_bypass"] = false
	return m
}

// protectionRules are an environment's rules: a wait timer when it has
// one, required reviewers when it has some. dispatchd keeps no rows for
// rules: their ids derive from the environment's, stable and unique.
func (u URLs) protectionRules(e *dispatchd.Environment, reviewers []*dispatchd.User) []map[string]any {
	rules := []map[string]any{}
	if e.WaitTimer > 0 {
		id := 2 * e.ID
		rules = append(rules, map[string]any{"id": id, "node_id": NodeID("ProtectionRule", id), "type": "wait_timer",
			"wait_timer": e.WaitTimer})
	}
	if len(reviewers) > 0 {
		id := 2*e.ID + 1
		rules = append(rules, map[string]any{"id": id, "node_id": NodeID("ProtectionRule", id), "type": "required_reviewers",
			"prevent_self_review": e.PreventSelfReview, "reviewers": u.Reviewers(reviewers)})
	}
	return rules
}

// Reviewers is a list of `{type: "User", reviewer: simple-user}`.
func (u URLs) Reviewers(users []*dispatchd.User) []map[string]any {
	out := make([]map[string]any, 0, len(users))
	for _, r := range users {
		out = append(out, map[string]any{"type": "User", "reviewer": u.SimpleUser(r)})
	}
	return out
}

// PendingDeployment is GitHub's pending-deployment: the environment a job
// of a run waits for, its wait timer, its reviewers, and whether the
// caller may approve.
func (u URLs) PendingDeployment(repo *dispatchd.Repo, d *dispatchd.PendingDeployment, reviewers []*dispatchd.User, canApprove bool) map[string]any {
	var started any
	if d.Environment.WaitTimer > 0 {
		started = Timestamp(d.StartedAt)
	}
	return map[string]any{
		"environment": u.EnvironmentRef(repo, d.Environment), "wait_timer": d.Environment.WaitTimer,
		"wait_timer_started_at": started, "current_user_can_approve": canApprove, "reviewers": u.Reviewers(reviewers),
	}
}

// Deployment is the answer to a review: GitHub answers with deployment
// objects. dispatchd has no deployments API, so this is the minimal
// deployment-like object of the reviewed job: its id is the pending
// deployment's, and url and statuses_url name routes dispatchd does not
// serve. creator is the run's triggering actor.
func (u URLs) Deployment(repo *dispatchd.Repo, run *dispatchd.Run, d *dispatchd.PendingDeployment, creator *dispatchd.User) map[string]any {
	self := u.API("/repos/%s/deployments/%d", repo.FullName(), d.ID)
	return map[string]any{
		"url": self, "id": d.ID, "node_id": NodeID("Deployment", d.ID), "sha": run.HeadSHA, "ref": run.HeadBranch,
		"task": "deploy", "payload": map[string]any{}, "original_environment": d.Environment.Name,
		"environment": d.Environment.Name, "description": nil, "creator": u.SimpleUser(creator),
		"created_at": Timestamp(d.StartedAt), "updated_at": Timestamp(d.ReviewedAt),
		"statuses_url": self + "/statuses", "repository_url": u.API("/repos/%s", repo.FullName()),
		"transient_environment": false, "production_environment": false,
	}
}
