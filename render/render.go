// Package render turns domain values into GitHub's JSON shapes (the schemas
// of github/openapi-subset.json): the API answers with them, events carry
// them as payloads, and webhooks will send them.
package render

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/dispatchd/dispatchd"
)

// URLs renders with the server's external root URL (no trailing slash).
type URLs struct{ Base string }

// API is an absolute REST URL below /api/v3.
func (u URLs) API(format string, args ...any) string {
	return u.Base + "/api/v3" + fmt.Sprintf(format, args...)
}

// HTML is an absolute URL of a page (and of git).
func (u URLs) HTML(format string, args ...any) string {
	return u.Base + fmt.Sprintf(format, args...)
}

// nodeID imitates GitHub's opaque global ids: stable and unique per kind.
func NodeID(kind string, id int64) string {
	return base64.StdEncoding.EncodeToString([]byte(kind + ":" + strconv.FormatInt(id, 10)))
}

// timestamp renders GitHub's second-precision UTC time, or null for zero.
func Timestamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

// simpleUser is GitHub's simple-user.
func (u URLs) SimpleUser(user *dispatchd.User) map[string]any {
	api := u.API("/users/%s", user.Login)
	return map[string]any{
		"login": user.Login, "id": user.ID, "node_id": NodeID("User", user.ID),
		"avatar_url": "", "gravatar_id": "", "url": api, "html_url": u.HTML("/%s", user.Login),
		"followers_url": api + "/followers", "following_url": api + "/following{/other_user}",
		"gists_url": api + "/gists{/gist_id}", "starred_url": api + "/starred{/owner}{/repo}",
		"subscriptions_url": api + "/subscriptions", "organizations_url": api + "/orgs",
		"repos_url": api + "/repos", "events_url": api + "/events{/privacy}",
		"received_events_url": api + "/received_events", "type": user.Type, "site_admin": user.SiteAdmin,
		"user_view_type": "public",
	}
}

// repository is GitHub's repository object (a superset of
// minimal-repository). perms, when not nil, adds the caller's permissions.
func (u URLs) Repository(r *dispatchd.Repo, perms dispatchd.Permissions) map[string]any {
	full := r.FullName()
	api := u.API("/repos/%s", full)
	m := map[string]any{
		"id": r.ID, "node_id": NodeID("Repository", r.ID), "name": r.Name, "full_name": full,
		"owner": u.SimpleUser(r.Owner), "private": r.Private, "visibility": r.Visibility(),
		"html_url": u.HTML("/%s", full), "description": Nullable(r.Description), "fork": false,
		"url": api, "clone_url": u.HTML("/%s.git", full), "git_url": u.HTML("/%s.git", full),
		"svn_url": u.HTML("/%s", full), "mirror_url": nil, "homepage": nil, "language": nil,
		"default_branch": r.DefaultBranch, "created_at": Timestamp(r.CreatedAt), "updated_at": Timestamp(r.UpdatedAt),
		"pushed_at": Timestamp(r.PushedAt), "size": 0, "archived": false, "disabled": false, "is_template": false,
		"topics": []string{}, "has_issues": false, "has_projects": false, "has_wiki": false, "has_pages": false,
		"has_discussions": false, "allow_forking": false, "web_commit_signoff_required": false,
		"forks": 0, "forks_count": 0, "stargazers_count": 0, "watchers": 0, "watchers_count": 0,
		"open_issues": 0, "open_issues_count": 0, "license": nil,
	}
	for key, suffix := range repoURLTemplates {
		m[key] = api + suffix
	}
	if perms != nil {
		admin := perms.Get(dispatchd.AreaAdministration) == dispatchd.Write
		push := perms.Get(dispatchd.AreaContents) == dispatchd.Write
		m["permissions"] = map[string]bool{"admin": admin, "maintain": admin, "push": push, "triage": push,
			"pull": perms.Get(dispatchd.AreaContents) >= dispatchd.Read}
	}
	return m
}

var repoURLTemplates = map[string]string{
	"archive_url": "/{archive_format}{/ref}", "assignees_url": "/assignees{/user}", "blobs_url": "/git/blobs{/sha}",
	"branches_url": "/branches{/branch}", "collaborators_url": "/collaborators{/collaborator}",
	"comments_url": "/comments{/number}", "commits_url": "/commits{/sha}", "compare_url": "/compare/{base}...{head}",
	"contents_url": "/contents/{+path}", "contributors_url": "/contributors", "deployments_url": "/deployments",
	"downloads_url": "/downloads", "events_url": "/events", "forks_url": "/forks", "git_commits_url": "/git/commits{/sha}",
	"git_refs_url": "/git/refs{/sha}", "git_tags_url": "/git/tags{/sha}", "hooks_url": "/hooks",
	"issue_comment_url": "/issues/comments{/number}", "issue_events_url": "/issues/events{/number}",
	"issues_url": "/issues{/number}", "keys_url": "/keys{/key_id}", "labels_url": "/labels{/name}",
	"languages_url": "/languages", "merges_url": "/merges", "milestones_url": "/milestones{/number}",
	"notifications_url": "/notifications{?since,all,participating}", "pulls_url": "/pulls{/number}",
	"releases_url": "/releases{/id}", "stargazers_url": "/stargazers", "statuses_url": "/statuses/{sha}",
	"subscribers_url": "/subscribers", "subscription_url": "/subscription", "tags_url": "/tags",
	"teams_url": "/teams", "trees_url": "/git/trees{/sha}",
}

func Nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// workflow is GitHub's workflow object. problems, when not nil, adds the
// dispatchd extension `problems`: what parsing the file at the default branch found.
func (u URLs) Workflow(repo *dispatchd.Repo, w *dispatchd.Workflow, problems []dispatchd.Problem) map[string]any {
	full := repo.FullName()
	m := map[string]any{
		"id": w.ID, "node_id": NodeID("Workflow", w.ID), "name": w.Name, "path": w.Path, "state": w.State(),
		"created_at": Timestamp(w.CreatedAt), "updated_at": Timestamp(w.UpdatedAt),
		"url":       u.API("/repos/%s/actions/workflows/%d", full, w.ID),
		"html_url":  u.HTML("/%s/blob/%s/%s", full, repo.DefaultBranch, w.Path),
		"badge_url": u.HTML("/%s/workflows/%s/badge.svg", full, url.PathEscape(w.Name)),
	}
	if problems != nil {
		m["problems"] = problems
	}
	return m
}

// Organization is GitHub's organization-simple, as event payloads carry it.
func (u URLs) Organization(org *dispatchd.User) map[string]any {
	api := u.API("/orgs/%s", org.Login)
	return map[string]any{
		"login": org.Login, "id": org.ID, "node_id": NodeID("Organization", org.ID), "url": api,
		"repos_url": api + "/repos", "events_url": api + "/events", "hooks_url": api + "/hooks",
		"issues_url": api + "/issues", "members_url": api + "/members{/member}",
		"public_members_url": api + "/public_members{/member}", "avatar_url": "", "description": nil,
	}
}
