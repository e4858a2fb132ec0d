package workflow

import "testing"

// TestMatchesPushTable decides, for workflows read from YAML as the index
// reads them, whether a push runs each one (GitHub's "Using filters" rules
// for on.push; see MatchesPush and MatchPush).
func TestMatchesPushTable(t *testing.T) {
	workflows := map[string]string{
		"string form":      "on: push",
		"list form":        "on: [push, workflow_dispatch]",
		"null config":      "on:\n  push:\n",
		"no push":          "on: workflow_dispatch",
		"main":             "on:\n  push:\n    branches: [main]",
		"releases":         "on:\n  push:\n    branches:\n      - 'releases/**'\n      - '!releases/**-alpha'",
		"ignore wip":       "on:\n  push:\n    branches-ignore: ['wip/*']",
		"tags only":        "on:\n  push:\n    tags: ['v*']",
		"tags-ignore only": "on:\n  push:\n    tags-ignore: ['v*-rc*']",
		"main and tags":    "on:\n  push:\n    branches: [main]\n    tags: ['v[0-9]+.*']",
		"version branches": "on:\n  push:\n    branches: ['v[0-9]+.x']",
		"src paths":        "on:\n  push:\n    paths:\n      - 'src/**'\n      - '!src/**/*.md'",
		"ignore docs":      "on:\n  push:\n    paths-ignore: ['docs/**', '**.md']",
		"go anywhere":      "on:\n  push:\n    paths: ['**/*.go']",
		"js or jsx":        "on:\n  push:\n    paths: ['*.jsx?']",
		"main src":         "on:\n  push:\n    branches: [main]\n    paths: ['src/**']",
	}
	type push struct {
		ref     string
		deleted bool
		files   []string // nil: unknown
	}
	branch := func(name string, files ...string) push {
		return push{ref: "refs/heads/" + name, files: append([]string{}, files...)}
	}
	tag := func(name string) push { return push{ref: "refs/tags/" + name} }
	deleted := func(ref string) push { return push{ref: ref, deleted: true} }
	// A new branch whose commits all existed before: its diff is empty.
	newBranchNoCommits := func(name string) push { return push{ref: "refs/heads/" + name, files: []string{}} }
	unknownDiff := func(name string) push { return push{ref: "refs/heads/" + name} } // > 1,000 commits

	tests := []struct {
		workflow string
		name     string
		push     push
		want     bool
	}{
		{"string form", "any branch", branch("dev", "a"), true},
		{"string form", "any tag", tag("anything"), true},
		{"string form", "deleted branch", deleted("refs/heads/dev"), false},
		{"string form", "deleted tag", deleted("refs/tags/v1"), false},
		{"string form", "new branch without new commits", newBranchNoCommits("topic"), true},
		{"list form", "branch", branch("main", "a"), true},
		{"null config", "branch", branch("main", "a"), true},
		{"null config", "tag", tag("v1"), true},
		{"no push", "branch", branch("main", "a"), false},

		{"main", "main", branch("main", "README.md"), true},
		{"main", "other branch", branch("dev", "README.md"), false},
		{"main", "prefix of main", branch("main2", "a"), false},
		{"main", "tag named main", tag("main"), false},
		{"main", "main deleted", deleted("refs/heads/main"), false},
		{"main", "new main without commits", newBranchNoCommits("main"), true},

		{"releases", "release", branch("releases/1.0", "a"), true},
		{"releases", "nested release", branch("releases/v2/hotfix", "a"), true},
		{"releases", "negated alpha", branch("releases/1.0-alpha", "a"), false},
		{"releases", "not a release", branch("main", "a"), false},

		{"ignore wip", "wip ignored", branch("wip/x", "a"), false},
		{"ignore wip", "* stops at /", branch("wip/x/y", "a"), true},
		{"ignore wip", "others run", branch("main", "a"), true},
		{"ignore wip", "tags do not (only branch filters given)", tag("v1"), false},

		{"tags only", "matching tag", tag("v1.0"), true},
		{"tags only", "other tag", tag("release-1"), false},
		{"tags only", "branches do not run", branch("main", "a"), false},
		{"tags only", "deleted matching tag", deleted("refs/tags/v1.0"), false},
		{"tags-ignore only", "ignored tag", tag("v2-rc1"), false},
		{"tags-ignore only", "other tag", tag("v2"), true},
		{"tags-ignore only", "branches do not run", branch("main", "a"), false},

		{"main and tags", "main", branch("main", "a"), true},
		{"main and tags", "other branch", branch("dev", "a"), false},
		{"main and tags", "version tag", tag("v10.2"), true},
		{"main and tags", "+ needs a digit", tag("v.2"), false},
		{"version branches", "class and +", branch("v10.x", "a"), true},
		{"version branches", "class needs one", branch("v.x", "a"), false},

		{"src paths", "src file", branch("main", "README.md", "src/a/b.go"), true},
		{"src paths", "only negated files", branch("main", "src/x/README.md"), false},
		{"src paths", "negated and not", branch("main", "src/x/README.md", "src/main.go"), true},
		{"src paths", "outside src", branch("main", "docs/src/a.go"), false},
		{"src paths", "new branch without new commits", newBranchNoCommits("topic"), false},
		{"src paths", "new branch adding src", branch("topic", "src/new.go"), true},
		{"src paths", "unknown diff runs", unknownDiff("main"), true},
		{"src paths", "tags skip path filters", push{ref: "refs/tags/v1", files: []string{"docs/a.md"}}, true},
		{"src paths", "deleted branch", deleted("refs/heads/main"), false},

		{"ignore docs", "only docs and markdown", branch("main", "docs/a/b.txt", "README.md", "x/y/z.md"), false},
		{"ignore docs", "one other file", branch("main", "docs/a.txt", "main.go"), true},
		{"ignore docs", "empty diff", newBranchNoCommits("topic"), false},

		{"go anywhere", "nested", branch("main", "cmd/x/main.go"), true},
		{"go anywhere", "root: **/ matches no directory", branch("main", "main.go"), true},
		{"go anywhere", "suffix only", branch("main", "main.go.txt"), false},
		{"js or jsx", "js", branch("main", "a.js"), true},
		{"js or jsx", "jsx", branch("main", "a.jsx"), true},
		{"js or jsx", "* stays in the root", branch("main", "src/a.js"), false},

		{"main src", "main touching src", branch("main", "src/a"), true},
		{"main src", "main touching docs only", branch("main", "docs/a"), false},
		{"main src", "other branch touching src", branch("dev", "src/a"), false},
	}
	for _, tt := range tests {
		src, ok := workflows[tt.workflow]
		if !ok {
			t.Fatalf("no workflow %q", tt.workflow)
		}
		s := Summarize("w.yml", []byte(src+"\n"+validTail))
		if !s.Valid {
			t.Fatalf("%s: invalid workflow: %v", tt.workflow, s.Problems)
		}
		if got := MatchesPush(&s.Triggers, tt.push.ref, tt.push.deleted, tt.push.files); got != tt.want {
			t.Errorf("%s / %s: push of %s (deleted %v, files %q) runs = %v, want %v",
				tt.workflow, tt.name, tt.push.ref, tt.push.deleted, tt.push.files, got, tt.want)
		}
	}
	if MatchesPush(nil, "refs/heads/main", false, nil) {
		t.Error("nil triggers matched")
	}
}
