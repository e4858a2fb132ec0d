package gitrepo

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dispatchd/dispatchd"
)

// pushRepo is a hosted repository and a work tree that pushes to it.
type pushRepo struct {
	t    *testing.T
	hub  *Hub
	id   int64
	work string
}

func newPushRepo(t *testing.T) *pushRepo {
	t.Helper()
	hub, err := New(t.TempDir())
	if err != nil {
		t.Skip(err)
	}
	r := &pushRepo{t: t, hub: hub, id: 1, work: filepath.Join(t.TempDir(), "w")}
	if err := hub.Create(context.Background(), r.id, "main"); err != nil {
		t.Fatal(err)
	}
	r.git("init", "-q", "--initial-branch=main", r.work)
	r.git("-C", r.work, "remote", "add", "origin", hub.Dir(r.id))
	return r
}

func (r *pushRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Ann", "GIT_AUTHOR_EMAIL=ann@example.com", "GIT_AUTHOR_DATE=2024-05-01T10:00:00+02:00",
		"GIT_COMMITTER_NAME=Cy", "GIT_COMMITTER_EMAIL=cy@example.com", "GIT_COMMITTER_DATE=2024-05-01T11:00:00+02:00")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *pushRepo) in(args ...string) string {
	return r.git(append([]string{"-C", r.work}, args...)...)
}

// commit writes files ("" removes one) and commits them.
func (r *pushRepo) commit(msg string, files map[string]string) string {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.work, name)
		if content == "" {
			os.Remove(p)
			continue
		}
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
	r.in("add", "-A")
	r.in("commit", "-q", "--allow-empty", "-m", msg)
	return r.in("rev-parse", "HEAD")
}

// push pushes refspecs and returns what moved, as the indexer computes it.
func (r *pushRepo) push(args ...string) []dispatchd.PushedRef {
	r.t.Helper()
	ctx := context.Background()
	before, err := r.hub.Refs(ctx, r.id)
	if err != nil {
		r.t.Fatal(err)
	}
	r.in(append([]string{"push", "-q", "origin"}, args...)...)
	after, err := r.hub.Refs(ctx, r.id)
	if err != nil {
		r.t.Fatal(err)
	}
	var updates []dispatchd.RefUpdate
	for _, name := range sortedKeys(before, after) {
		if before[name] != after[name] {
			updates = append(updates, dispatchd.RefUpdate{Name: name, OldSHA: before[name], NewSHA: after[name]})
		}
	}
	refs, err := r.hub.PushedRefs(ctx, r.id, updates, "main")
	if err != nil {
		r.t.Fatal(err)
	}
	return refs
}

func sortedKeys(ms ...map[string]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func shas(cs []dispatchd.PushCommit) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.SHA)
	}
	return out
}

func distincts(cs []dispatchd.PushCommit) []bool {
	out := []bool{}
	for _, c := range cs {
		out = append(out, c.Distinct)
	}
	return out
}

func TestPushedRefs(t *testing.T) {
	r := newPushRepo(t)
	eq := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", what, got, want)
		}
	}

	// The first push creates the default branch; its root commit's files
	// are all "changed".
	c1 := r.commit("first\n\nwith a body", map[string]string{"a.txt": "a", "docs/x.md": "x"})
	refs := r.push("main")
	if len(refs) != 1 {
		t.Fatalf("refs = %+v", refs)
	}
	m := refs[0]
	eq("created", m.Created(), true)
	eq("after", m.After, c1)
	eq("commits", shas(m.Commits), []string{c1})
	eq("distinct", distincts(m.Commits), []bool{true})
	eq("changed files", m.ChangedFiles, []string{"a.txt", "docs/x.md"})
	eq("compare base", m.CompareBase, "") // the default branch itself
	c := m.Commits[0]
	eq("message", c.Message, "first\n\nwith a body")
	eq("added", c.Added, []string{"a.txt", "docs/x.md"})
	eq("author", [3]string{c.AuthorName, c.AuthorEmail, c.Timestamp}, [3]string{"Ann", "ann@example.com", "2024-05-01T10:00:00+02:00"})
	eq("committer", [2]string{c.CommitterName, c.CommitterEmail}, [2]string{"Cy", "cy@example.com"})
	eq("tree", c.TreeSHA, r.in("rev-parse", c1+"^{tree}"))
	eq("head", m.Head.SHA, c1)

	// An update with two commits: modified, removed and added files; the
	// diff is before..after.
	c2 := r.commit("second", map[string]string{"a.txt": "a2", "docs/x.md": ""})
	c3 := r.commit("third", map[string]string{"b.txt": "b"})
	m = r.push("main")[0]
	eq("created", m.Created(), false)
	eq("forced", m.Forced, false)
	eq("commits", shas(m.Commits), []string{c2, c3})
	eq("distinct", distincts(m.Commits), []bool{true, true})
	eq("modified", m.Commits[0].Modified, []string{"a.txt"})
	eq("removed", m.Commits[0].Removed, []string{"docs/x.md"})
	eq("added", m.Commits[1].Added, []string{"b.txt"})
	eq("changed files", m.ChangedFiles, []string{"a.txt", "b.txt", "docs/x.md"})
	eq("head", m.Head.SHA, c3)

	// A branch and an annotated tag created at an existing commit: no
	// commits, nothing changed, based on main.
	r.in("tag", "-a", "-m", "release 1", "v1")
	refs = r.push("HEAD:refs/heads/topic", "v1")
	if len(refs) != 2 || refs[0].Name != "refs/heads/topic" || refs[1].Name != "refs/tags/v1" {
		t.Fatalf("refs = %+v", refs)
	}
	topic, v1 := refs[0], refs[1]
	eq("topic commits", shas(topic.Commits), []string{})
	eq("topic changed files", topic.ChangedFiles, []string{})
	eq("topic base_ref", topic.BaseRef, "refs/heads/main")
	eq("topic compare base", topic.CompareBase, "main")
	eq("topic head", topic.Head.SHA, c3)
	eq("tag head", v1.Head.SHA, c3)
	eq("tag after is the tag object", v1.After, r.in("rev-parse", "v1"))
	if v1.After == c3 {
		t.Error("annotated tag's after is its commit")
	}
	eq("tag changed files (paths do not apply)", v1.ChangedFiles, []string(nil))
	eq("tag base_ref", v1.BaseRef, "refs/heads/main")

	// A new branch with a new commit: the diff against the parent of the
	// deepest commit pushed.
	r.in("checkout", "-q", "-b", "feature")
	c4 := r.commit("feature", map[string]string{"src/f.go": "package f"})
	m = r.push("feature")[0]
	eq("feature commits", shas(m.Commits), []string{c4})
	eq("feature changed files", m.ChangedFiles, []string{"src/f.go"})
	eq("feature base_ref", m.BaseRef, "")
	eq("feature compare base", m.CompareBase, "main")

	// Moving topic onto feature's commit lists it, but not as distinct.
	m = r.push("feature:topic")[0]
	eq("topic update commits", shas(m.Commits), []string{c4})
	eq("topic update distinct", distincts(m.Commits), []bool{false})
	eq("topic update base_ref", m.BaseRef, "refs/heads/feature")

	// A forced update.
	r.in("checkout", "-q", "main")
	r.in("reset", "-q", "--hard", c2)
	c5 := r.commit("rewrite", map[string]string{"c.txt": "c"})
	m = r.push("+main")[0]
	eq("forced", m.Forced, true)
	eq("forced commits", shas(m.Commits), []string{c5})
	eq("forced changed files", m.ChangedFiles, []string{"b.txt", "c.txt"})

	// A deletion.
	m = r.push(":feature")[0]
	eq("deleted", m.Deleted(), true)
	if m.Head != nil || m.After != "" || m.Commits != nil {
		t.Errorf("deleted ref = %+v", m)
	}
}

func TestParsePushCommits(t *testing.T) {
	out := "\x01aaa\x00t1\x00A\x00a@x\x002024-01-01T00:00:00Z\x00C\x00c@x\x00root\n\x00\x00" +
		"\x01bbb\x00t2\x00A\x00a@x\x002024-01-01T00:00:00Z\x00C\x00c@x\x00msg \x01 odd\n\n\x00\x00\nA\x00new file\x00D\x00old\x00M\x00mod\x00T\x00link\x00"
	got, err := parsePushCommits([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if c := got["aaa"]; c.Message != "root" || len(c.Added)+len(c.Removed)+len(c.Modified) != 0 {
		t.Errorf("aaa = %+v", c)
	}
	c := got["bbb"]
	if c.Message != "msg \x01 odd" || !reflect.DeepEqual(c.Added, []string{"new file"}) || !reflect.DeepEqual(c.Removed, []string{"old"}) ||
		!reflect.DeepEqual(c.Modified, []string{"mod", "link"}) || c.TreeSHA != "t2" {
		t.Errorf("bbb = %+v", c)
	}
}
