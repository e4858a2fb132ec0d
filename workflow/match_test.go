package workflow

import (
	"testing"

	"github.com/dispatchd/dispatchd"
)

func TestMatchesRepositoryDispatch(t *testing.T) {
	typed := &dispatchd.Triggers{
		Events:             []string{"push", "repository_dispatch"},
		RepositoryDispatch: &dispatchd.RepositoryDispatchTrigger{Types: []string{"deploy", "roll back"}},
	}
	anyType := &dispatchd.Triggers{Events: []string{"repository_dispatch"}, RepositoryDispatch: &dispatchd.RepositoryDispatchTrigger{}}
	stringForm := &dispatchd.Triggers{Events: []string{"repository_dispatch"}} // no trigger struct at all
	none := &dispatchd.Triggers{Events: []string{"workflow_dispatch"}, RepositoryDispatch: &dispatchd.RepositoryDispatchTrigger{}}
	tests := []struct {
		name      string
		t         *dispatchd.Triggers
		eventType string
		want      bool
	}{
		{"listed", typed, "deploy", true},
		{"listed with a space", typed, "roll back", true},
		{"not listed", typed, "build", false},
		{"case differs", typed, "Deploy", false},
		{"prefix", typed, "dep", false},
		{"no glob", &dispatchd.Triggers{Events: []string{"repository_dispatch"}, RepositoryDispatch: &dispatchd.RepositoryDispatchTrigger{Types: []string{"*"}}}, "deploy", false},
		{"no types", anyType, "anything", true},
		{"no types, empty type", anyType, "", true},
		{"string form", stringForm, "x", true},
		{"event absent", none, "deploy", false},
		{"nil triggers", nil, "deploy", false},
	}
	for _, tt := range tests {
		if got := MatchesRepositoryDispatch(tt.t, tt.eventType); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMatchPush(t *testing.T) {
	type push = dispatchd.PushTrigger
	files := func(f ...string) []string { return append([]string{}, f...) }
	tests := []struct {
		name  string
		p     *push
		ref   string
		files []string
		want  bool
	}{
		{"no filters, branch", &push{}, "refs/heads/main", nil, true},
		{"no filters, tag", &push{}, "refs/tags/v1", nil, true},
		{"nil trigger", nil, "refs/heads/x", files("a"), true},
		{"other ref, no filters", &push{}, "refs/notes/commits", nil, true},
		{"other ref, branch filters", &push{Branches: []string{"**"}}, "refs/notes/commits", nil, false},

		{"branches match", &push{Branches: []string{"main", "releases/**"}}, "refs/heads/releases/v1/x", nil, true},
		{"branches no match", &push{Branches: []string{"main"}}, "refs/heads/dev", nil, false},
		{"branches star stops at slash", &push{Branches: []string{"feature/*"}}, "refs/heads/feature/a/b", nil, false},
		{"branches given, tag pushed", &push{Branches: []string{"**"}}, "refs/tags/v1", nil, false},
		{"branches-ignore given, tag pushed", &push{BranchesIgnore: []string{"x"}}, "refs/tags/v1", nil, false},
		{"tags given, branch pushed", &push{Tags: []string{"v*"}}, "refs/heads/main", nil, false},
		{"tags-ignore given, branch pushed", &push{TagsIgnore: []string{"v*"}}, "refs/heads/main", nil, false},
		{"both kinds given, branch pushed", &push{Branches: []string{"main"}, Tags: []string{"v*"}}, "refs/heads/main", nil, true},
		{"both kinds given, tag pushed", &push{Branches: []string{"main"}, Tags: []string{"v*"}}, "refs/tags/v2", nil, true},
		{"tags match", &push{Tags: []string{"v[0-9]+.*"}}, "refs/tags/v10.2", nil, true},
		{"tags no match", &push{Tags: []string{"v[0-9]+.*"}}, "refs/tags/release", nil, false},

		// Later patterns override earlier ones.
		{"negation excludes", &push{Branches: []string{"releases/**", "!releases/**-alpha"}}, "refs/heads/releases/1-alpha", nil, false},
		{"negation leaves others", &push{Branches: []string{"releases/**", "!releases/**-alpha"}}, "refs/heads/releases/1-beta", nil, true},
		{"re-included after negation", &push{Branches: []string{"releases/**", "!releases/**-alpha", "releases/keep-alpha"}}, "refs/heads/releases/keep-alpha", nil, true},
		{"only negations match nothing", &push{Branches: []string{"!main"}}, "refs/heads/dev", nil, false},
		{"negated tag", &push{Tags: []string{"v*", "!v*-rc*"}}, "refs/tags/v1-rc1", nil, false},

		{"branches-ignore ignores", &push{BranchesIgnore: []string{"mona/octocat", "releases/**-alpha"}}, "refs/heads/releases/beta/3-alpha", nil, false},
		{"branches-ignore lets others through", &push{BranchesIgnore: []string{"mona/octocat"}}, "refs/heads/main", nil, true},
		{"branches-ignore with negation", &push{BranchesIgnore: []string{"dev/**", "!dev/keep"}}, "refs/heads/dev/keep", nil, true},
		{"tags-ignore", &push{TagsIgnore: []string{"v1.*"}}, "refs/tags/v1.9", nil, false},
		{"tags-ignore others", &push{TagsIgnore: []string{"v1.*"}}, "refs/tags/v2.0", nil, true},

		// Paths.
		{"paths: one file matches", &push{Paths: []string{"**.js"}}, "refs/heads/main", files("README.md", "src/app.js"), true},
		{"paths: none matches", &push{Paths: []string{"**.js"}}, "refs/heads/main", files("README.md"), false},
		{"paths: star is root only", &push{Paths: []string{"*.md"}}, "refs/heads/main", files("docs/a.md"), false},
		{"paths with negation", &push{Paths: []string{"sub/**", "!sub/docs/**"}}, "refs/heads/main", files("sub/docs/a.md"), false},
		{"paths with negation, other file", &push{Paths: []string{"sub/**", "!sub/docs/**"}}, "refs/heads/main", files("sub/docs/a.md", "sub/x.go"), true},
		{"paths cheat sheet order", &push{Paths: []string{"*.md", "!README.md", "README*"}}, "refs/heads/main", files("README.md"), true},
		{"paths cheat sheet negation", &push{Paths: []string{"*.md", "!README.md"}}, "refs/heads/main", files("README.md"), false},
		{"paths-ignore: all ignored", &push{PathsIgnore: []string{"docs/**"}}, "refs/heads/main", files("docs/a.md", "docs/b/c.md"), false},
		{"paths-ignore: one not ignored", &push{PathsIgnore: []string{"docs/**"}}, "refs/heads/main", files("docs/a.md", "main.go"), true},
		{"paths and branches both needed", &push{Branches: []string{"main"}, Paths: []string{"src/**"}}, "refs/heads/main", files("docs/a"), false},
		{"branch fails before paths", &push{Branches: []string{"main"}, Paths: []string{"src/**"}}, "refs/heads/dev", files("src/a"), false},
		{"paths not evaluated for tags", &push{Tags: []string{"v*"}, Paths: []string{"src/**"}}, "refs/tags/v1", files("docs/a"), true},
		{"paths only, tag pushed", &push{Paths: []string{"src/**"}}, "refs/tags/v1", files("docs/a"), true},
		{"unknown diff runs", &push{Paths: []string{"src/**"}}, "refs/heads/main", nil, true},
		{"empty diff matches no path filter", &push{Paths: []string{"**"}}, "refs/heads/main", files(), false},
		{"empty diff, paths-ignore", &push{PathsIgnore: []string{"x"}}, "refs/heads/main", files(), false},
		{"empty diff, no path filter", &push{}, "refs/heads/main", files(), true},
	}
	for _, tt := range tests {
		if got := MatchPush(tt.p, tt.ref, tt.files); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestMatchPushFromYAML checks that filters read by Summarize feed MatchPush.
func TestMatchPushFromYAML(t *testing.T) {
	src := "on:\n  push:\n    branches:\n      - 'releases/**'\n      - '!releases/**-alpha'\n    paths: ['src/**']\n" + validTail
	p := Summarize("w.yml", []byte(src)).Triggers.Push
	if !MatchPush(p, "refs/heads/releases/v2", []string{"src/a.go"}) {
		t.Error("want a match")
	}
	if MatchPush(p, "refs/heads/releases/v2-alpha", []string{"src/a.go"}) {
		t.Error("negated branch matched")
	}
	if MatchPush(p, "refs/heads/releases/v2", []string{"docs/a.md"}) {
		t.Error("path filter ignored")
	}
}
