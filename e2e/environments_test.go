package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-github/v92/github"
)

// Environments over the REST API: GitHub's shapes, GitHub's 422s, and who
// may read and write them.

// envWorld is a server with users of every role on a private and a
// public repository.
type envWorld struct {
	s      *server
	tokens map[string]string // by login: a classic token with repo
	ids    map[string]int64
}

func envSetup(t *testing.T, args ...string) *envWorld {
	s := startServer(t, args...)
	w := &envWorld{s: s, tokens: map[string]string{"admin": s.Token}, ids: map[string]int64{}}
	for _, u := range []string{"rita", "will", "adam", "olga"} {
		s.admin("user", "create", u)
		w.tokens[u] = newTokenFor(t, s, u)
	}
	for _, u := range []string{"admin", "rita", "will", "adam", "olga"} {
		w.ids[u] = whID(s.do("GET", "/api/v3/users/"+u, s.Token, nil).JSON(t)["id"])
	}
	for _, repo := range []map[string]any{{"name": "closed", "private": true, "auto_init": true}, {"name": "open", "auto_init": true}} {
		s.createRepo(s.Token, repo)
		for user, perm := range map[string]string{"rita": "pull", "will": "push", "adam": "admin"} {
			if r := s.do("PUT", "/api/v3/repos/admin/"+repo["name"].(string)+"/collaborators/"+user, s.Token, map[string]any{"permission": perm}); r.Status != 204 {
				t.Fatalf("collaborator %s: %d %s", user, r.Status, r.Body)
			}
		}
	}
	return w
}

// put sends PUT …/environments/{name} and checks the status.
func (w *envWorld) put(t *testing.T, who, repo, name string, body any, want int) map[string]any {
	t.Helper()
	r := w.s.do("PUT", "/api/v3/repos/"+repo+"/environments/"+name, w.tokens[who], body)
	if r.Status != want {
		t.Fatalf("%s: PUT %s/environments/%s %v = %d %s, want %d", who, repo, name, body, r.Status, r.Body, want)
	}
	if want != 200 {
		return nil
	}
	return r.JSON(t)
}

// envRules returns an environment's protection rules by type.
func envRules(t *testing.T, env map[string]any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	rules, ok := env["protection_rules"].([]any)
	if !ok {
		t.Fatalf("protection_rules = %v", env["protection_rules"])
	}
	for _, r := range rules {
		rule := r.(map[string]any)
		if rule["id"] == nil || rule["node_id"] == nil {
			t.Fatalf("rule without id or node_id: %v", rule)
		}
		out[rule["type"].(string)] = rule
	}
	return out
}

func TestEnvironmentsAPI(t *testing.T) {
	t.Parallel()
	w := envSetup(t, noRunners...)
	s := w.s
	base := s.URL + "/api/v3/repos/admin/closed/environments/production"

	env := w.put(t, "adam", "admin/closed", "production", map[string]any{"wait_timer": 30, "prevent_self_review": true,
		"reviewers": []any{map[string]any{"type": "User", "id": w.ids["will"]}}, "deployment_branch_policy": nil}, 200)
	rules := envRules(t, env)
	reviewers, _ := rules["required_reviewers"]["reviewers"].([]any)
	if env["name"] != "production" || env["url"] != base || env["node_id"] == "" || env["created_at"] == nil ||
		env["html_url"] != s.URL+"/admin/closed/deployments/activity_log?environments_filter=production" ||
		env["deployment_branch_policy"] != nil || len(rules) != 2 || rules["wait_timer"]["wait_timer"] != float64(30) ||
		rules["required_reviewers"]["prevent_self_review"] != true || len(reviewers) != 1 {
		t.Fatalf("environment = %v", env)
	}
	if rv := reviewers[0].(map[string]any); rv["type"] != "User" || rv["reviewer"].(map[string]any)["login"] != "will" {
		t.Fatalf("reviewer = %v", rv)
	}
	// Names are case-insensitive: PUT to another spelling changes it; an
	// absent key keeps its setting.
	again := w.put(t, "admin", "admin/closed", "PRODUCTION", map[string]any{"prevent_self_review": false}, 200)
	if again["id"] != env["id"] || again["name"] != "production" || len(envRules(t, again)) != 2 ||
		envRules(t, again)["required_reviewers"]["prevent_self_review"] != false {
		t.Fatalf("updated environment = %v", again)
	}
	// null clears: no rules left.
	if cleared := w.put(t, "admin", "admin/closed", "production", map[string]any{"wait_timer": nil, "reviewers": nil}, 200); len(envRules(t, cleared)) != 0 {
		t.Fatalf("cleared environment = %v", cleared)
	}

	// go-github's calls (it always sends can_admins_bypass and nulls).
	gh := goGitHub(t, s, w.tokens["adam"])
	ctx := context.Background()
	staging, _, err := gh.Repositories.CreateUpdateEnvironment(ctx, "admin", "closed", "staging", &github.CreateUpdateEnvironment{
		WaitTimer: github.Ptr(5), Reviewers: []*github.EnvReviewers{{Type: github.Ptr("User"), ID: github.Ptr(w.ids["rita"])}}})
	if err != nil || staging.GetName() != "staging" || len(staging.ProtectionRules) != 2 {
		t.Fatalf("go-github CreateUpdateEnvironment = %+v, %v", staging, err)
	}
	list, _, err := gh.Repositories.ListEnvironments(ctx, "admin", "closed", nil)
	if err != nil || list.GetTotalCount() != 2 || list.Environments[0].GetName() != "production" || list.Environments[1].GetName() != "staging" {
		t.Fatalf("go-github ListEnvironments = %+v, %v", list, err)
	}
	got, _, err := gh.Repositories.GetEnvironment(ctx, "admin", "closed", "Staging")
	if err != nil || got.GetID() != staging.GetID() {
		t.Fatalf("go-github GetEnvironment = %+v, %v", got, err)
	}
	var reviewer *github.User
	for _, rule := range got.ProtectionRules {
		if rule.GetType() == "required_reviewers" {
			reviewer, _ = rule.Reviewers[0].Reviewer.(*github.User)
		}
	}
	if reviewer.GetLogin() != "rita" {
		t.Fatalf("go-github reviewer = %+v", reviewer)
	}

	envValidation(t, w)
	envPermissions(t, w)

	// A name may hold a slash, sent escaped as go-github sends it.
	if e, _, err := gh.Repositories.CreateUpdateEnvironment(ctx, "admin", "closed", "review/pr-1", &github.CreateUpdateEnvironment{}); err != nil ||
		e.GetName() != "review/pr-1" || !strings.HasSuffix(e.GetURL(), "/environments/review%2Fpr-1") {
		t.Fatalf("environment with a slash = %+v, %v", e, err)
	}
	if _, err := gh.Repositories.DeleteEnvironment(ctx, "admin", "closed", "review/pr-1"); err != nil {
		t.Fatalf("delete the environment with a slash: %v", err)
	}
	if r := s.do("PUT", "/api/v3/repos/admin/closed/environments/", s.Token, map[string]any{}); r.Status != 404 {
		t.Fatalf("PUT without a name = %d %s", r.Status, r.Body)
	}

	if r := s.do("DELETE", "/api/v3/repos/admin/closed/environments/STAGING", w.tokens["adam"], nil); r.Status != 204 {
		t.Fatalf("DELETE = %d %s", r.Status, r.Body)
	}
	for _, method := range []string{"GET", "DELETE"} {
		if r := s.do(method, "/api/v3/repos/admin/closed/environments/staging", s.Token, nil); r.Status != 404 {
			t.Fatalf("%s after DELETE = %d %s", method, r.Status, r.Body)
		}
	}
}

// envValidation: bad settings get GitHub's 422 with an errors array, and
// change nothing.
func envValidation(t *testing.T, w *envWorld) {
	user := func(id int64) map[string]any { return map[string]any{"type": "User", "id": id} }
	seven := []any{}
	for i := range 7 {
		seven = append(seven, user(int64(100+i)))
	}
	for _, bad := range []map[string]any{
		{"wait_timer": 43201},
		{"wait_timer": -1},
		{"wait_timer": "5"},
		{"wait_timer": 1.5},
		{"reviewers": []any{map[string]any{"type": "Team", "id": 1}}},
		{"reviewers": []any{map[string]any{"type": "Robot", "id": w.ids["will"]}}},
		{"reviewers": []any{user(999999)}},
		{"reviewers": []any{map[string]any{"type": "User"}}},
		{"reviewers": []any{user(w.ids["olga"])}}, // cannot read the private repository
		{"reviewers": seven},
		{"reviewers": "will"},
		{"prevent_self_review": "yes"},
		{"deployment_branch_policy": map[string]any{"protected_branches": true, "custom_branch_policies": false}},
	} {
		r := w.s.do("PUT", "/api/v3/repos/admin/closed/environments/production", w.s.Token, bad)
		if r.Status != 422 || !strings.Contains(string(r.Body), `"documentation_url"`) {
			t.Errorf("PUT %v = %d %s, want 422", bad, r.Status, r.Body)
		}
	}
	long := strings.Repeat("x", 256)
	if r := w.s.do("PUT", "/api/v3/repos/admin/closed/environments/"+long, w.s.Token, map[string]any{}); r.Status != 422 {
		t.Errorf("PUT a 256-character name = %d %s", r.Status, r.Body)
	}
	if r := w.s.do("PUT", "/api/v3/repos/admin/closed/environments/production", w.s.Token, "{"); r.Status != 400 {
		t.Errorf("PUT malformed JSON = %d %s", r.Status, r.Body)
	}
	env := w.s.do("GET", "/api/v3/repos/admin/closed/environments/production", w.s.Token, nil).JSON(t)
	if len(envRules(t, env)) != 0 {
		t.Errorf("a refused PUT changed the environment: %v", env)
	}
	// On the public repository anyone can read, so anyone may review.
	w.put(t, "admin", "admin/open", "production", map[string]any{"reviewers": []any{user(w.ids["olga"])}}, 200)
}

// envPermissions: readers read, admins write; a writer who can see the
// repository is told it needs admin rights (403), and whoever cannot see
// it gets 404, as on GitHub.
func envPermissions(t *testing.T, w *envWorld) {
	s := w.s
	path := func(repo, rest string) string { return "/api/v3/repos/admin/" + repo + "/environments" + rest }
	check := func(who, method, p string, want int) {
		t.Helper()
		var body any
		if method == "PUT" {
			body = map[string]any{"wait_timer": 1}
		}
		if r := s.do(method, p, w.tokens[who], body); r.Status != want {
			t.Errorf("%s: %s %s = %d %s, want %d", who, method, p, r.Status, r.Body, want)
		}
	}
	for _, who := range []string{"olga", ""} {
		for _, req := range [][2]string{{"GET", ""}, {"GET", "/production"}, {"PUT", "/production"}, {"DELETE", "/production"}} {
			check(who, req[0], path("closed", req[1]), 404)
		}
	}
	for _, who := range []string{"rita", "will"} {
		check(who, "GET", path("closed", ""), 200)
		check(who, "GET", path("closed", "/production"), 200)
		check(who, "PUT", path("closed", "/production"), 403)
		check(who, "DELETE", path("closed", "/production"), 403)
	}
	check("olga", "GET", path("open", "/production"), 200)
	check("olga", "PUT", path("open", "/production"), 403)
	check("", "PUT", path("open", "/production"), 401)
	check("adam", "PUT", path("closed", "/qa"), 200)
	check("adam", "DELETE", path("closed", "/qa"), 204)
	check("rita", "GET", path("closed", "/qa"), 404)
	// A fine-grained token narrower than the role: it may read, not write.
	fg := strings.TrimSpace(s.admin("token", "create", "--user", "admin", "--repo", "admin/closed", "--permission", "actions:read"))
	w.tokens["fg"] = fg
	check("fg", "GET", path("closed", ""), 200)
	check("fg", "PUT", path("closed", "/production"), 403)
	if r := s.do("GET", path("closed", "?per_page=1&page=2"), s.Token, nil); r.Status != 200 || !strings.Contains(r.Header.Get("Link"), `rel="prev"`) {
		t.Errorf("second page: %d %v %s", r.Status, r.Header, r.Body)
	}
}
