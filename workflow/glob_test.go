package workflow

import "testing"

func TestMatchGlob(t *testing.T) {
	tests := []struct {
		pattern string
		match   []string
		nomatch []string
	}{
		// Branches and tags, from GitHub's filter pattern cheat sheet.
		{"feature/*", []string{"feature/my-branch", "feature/your-branch"}, []string{"feature/a/b", "feature", "x/feature/a"}},
		{"feature/**", []string{"feature/beta-a/my-branch", "feature/your-branch", "feature/mona/the/octocat"}, []string{"feature", "features/x"}},
		{"main", []string{"main"}, []string{"main2", "Main", "xmain"}},
		{"releases/mona-the-octocat", []string{"releases/mona-the-octocat"}, []string{"releases/mona"}},
		{"*", []string{"main", "releases", "v1.0"}, []string{"releases/v1", "a/b"}},
		{"**", []string{"all/the/branches", "every/tag", "x"}, nil},
		{"*feature", []string{"mona-feature", "feature", "ver-10-feature"}, []string{"feature-x", "a/feature"}},
		{"v2*", []string{"v2", "v2.0", "v2.9"}, []string{"v1", "v3.0", "v2/x"}},
		{"v[12].[0-9]+.[0-9]+", []string{"v1.10.1", "v2.0.0"}, []string{"v1.10", "v3.0.0", "v1x1.1", "v1..1"}},
		// Paths.
		{"*.jsx?", []string{"page.js", "page.jsx"}, []string{"page.jsxx", "src/page.js", "page.j"}},
		{"*.js", []string{"app.js", "index.js"}, []string{"js/index.js", "app.jsx"}},
		{"**.js", []string{"index.js", "js/index.js", "src/js/app.js"}, []string{"index.json"}},
		{"docs/*", []string{"docs/README.md", "docs/file.txt"}, []string{"docs/a/b.md", "README.md"}},
		{"docs/**", []string{"docs/README.md", "docs/mona/octocat.txt"}, []string{"docs", "a/docs/x"}},
		{"docs/**/*.md", []string{"docs/README.md", "docs/mona/hello-world.md", "docs/a/markdown/file.md"}, []string{"docs/a.txt", "README.md"}},
		{"**/docs/**", []string{"docs/hello.md", "dir/docs/my-file.txt", "space/docs/plan/space.doc"}, []string{"docsx/a", "mydocs/a"}},
		{"**/README.md", []string{"README.md", "js/README.md"}, []string{"README.mdx", "js/xREADME.md"}},
		{"**/*src/**", []string{"a/src/app.js", "my-src/code/js/app.js"}, []string{"src", "a/srcx/b"}},
		{"**/*-post.md", []string{"my-post.md", "path/their-post.md"}, []string{"post.md"}},
		{"**/migrate-*.sql", []string{"migrate-10909.sql", "db/migrate-v1.0.sql", "db/sept/migrate-v1.sql"}, []string{"db/migrate.sql"}},
		// ? and + apply to the preceding character or class only.
		{"ab?c", []string{"ac", "abc"}, []string{"abbc", "axc"}},
		{"ab+c", []string{"abc", "abbbc"}, []string{"ac"}},
		{"[a-c]+x", []string{"ax", "abcx", "cccx"}, []string{"x", "dx"}},
		{"?abc", []string{"?abc"}, []string{"abc", "xabc"}}, // nothing to apply to: literal
		// Character classes.
		{"v[0-9]", []string{"v0", "v9"}, []string{"va", "v10"}},
		{"[A-Za-z]", []string{"a", "Z"}, []string{"1", "-"}},
		{"[abc]", []string{"a", "c"}, []string{"d", "ab"}},
		{"[a-]", []string{"a", "-"}, []string{"b"}},
		{"a[", []string{"a["}, []string{"a"}},
		{"[]", []string{"[]"}, []string{""}},
		// Everything else is literal, including regexp syntax.
		{"a.b", []string{"a.b"}, []string{"axb"}},
		{"(x)|y", []string{"(x)|y"}, []string{"x", "y"}},
		{"a{2}", []string{"a{2}"}, []string{"aa"}},
		{`\*`, []string{"*"}, []string{"x"}},
		{`a\?`, []string{"a?"}, []string{"a", ""}},
		{"!main", []string{"!main"}, []string{"main"}}, // negation belongs to lists
		{"ünï/*", []string{"ünï/cödé"}, []string{"uni/code"}},
		{"", []string{""}, []string{"a"}},
		{"\xff*", []string{"\xff*"}, []string{"\xffa"}}, // invalid UTF-8 only matches itself
	}
	for _, tt := range tests {
		for _, name := range tt.match {
			if !MatchGlob(tt.pattern, name) {
				t.Errorf("MatchGlob(%q, %q) = false, want true", tt.pattern, name)
			}
		}
		for _, name := range tt.nomatch {
			if MatchGlob(tt.pattern, name) {
				t.Errorf("MatchGlob(%q, %q) = true, want false", tt.pattern, name)
			}
		}
	}
}
