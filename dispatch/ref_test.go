package dispatch

import "testing"

func TestResolveRef(t *testing.T) {
	refs := map[string]string{"refs/heads/main": "m", "refs/tags/v1": "t", "refs/heads/v1": "b", "refs/tags/only-tag": "o"}
	for _, c := range []struct{ in, full, sha string }{
		{"main", "refs/heads/main", "m"},
		{"v1", "refs/heads/v1", "b"}, // a branch wins over a tag of the same name
		{"only-tag", "refs/tags/only-tag", "o"},
		{"refs/tags/v1", "refs/tags/v1", "t"},
		{"refs/heads/main", "refs/heads/main", "m"},
		{"nope", "", ""},
		{"refs/heads/nope", "refs/heads/nope", ""},
	} {
		full, sha := resolveRef(refs, c.in)
		if sha != c.sha || (c.sha != "" && full != c.full) {
			t.Errorf("resolveRef(%q) = %q, %q; want %q, %q", c.in, full, sha, c.full, c.sha)
		}
	}
	for ref, want := range map[string][2]string{"refs/heads/a/b": {"a/b", "branch"}, "refs/tags/v2": {"v2", "tag"}} {
		if n, typ := shortRef(ref); n != want[0] || typ != want[1] {
			t.Errorf("shortRef(%q) = %q, %q", ref, n, typ)
		}
	}
}
