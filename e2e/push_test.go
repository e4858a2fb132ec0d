package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// checkout is a work tree cloned from a hosted repository.
type checkout struct {
	s   *server
	dir string
}

func (s *server) checkout(full string) *checkout {
	s.t.Helper()
	dir := filepath.Join(s.t.TempDir(), "w")
	git(s.t, filepath.Dir(dir), "clone", "-q", s.cloneURL(full, "x-access-token", s.Token), dir)
	return &checkout{s: s, dir: dir}
}

func (c *checkout) git(args ...string) string {
	c.s.t.Helper()
	return strings.TrimSpace(git(c.s.t, c.dir, args...))
}

// commit writes files ("" removes one), commits with the message and
// returns the commit.
func (c *checkout) commit(msg string, files map[string]string) string {
	c.s.t.Helper()
	for name, content := range files {
		if content == "" {
			os.Remove(filepath.Join(c.dir, name))
			continue
		}
		writeFile(c.s.t, c.dir, name, content)
	}
	c.git("add", "-A")
	c.git("commit", "-q", "-m", msg)
	return c.git("rev-parse", "HEAD")
}

// pushEvent finds the recorded push event of ref whose payload's after is
// after (GitHub's zero SHA for a deletion), through the list and then by id.
func (s *server) pushEvent(repo, ref, after string) map[string]any {
	s.t.Helper()
	list := s.do("GET", "/api/v3/repos/"+repo+"/dispatches?per_page=100", s.Token, nil).JSON(s.t)
	for _, e := range list["dispatches"].([]any) {
		ev := e.(map[string]any)
		p, _ := ev["payload"].(map[string]any)
		if ev["event"] == "push" && ev["ref"] == ref && p["after"] == after {
			id := strconv.FormatFloat(ev["id"].(float64), 'f', 0, 64)
			r := s.do("GET", "/api/v3/repos/"+repo+"/dispatches/"+id, s.Token, nil)
			if r.Status != 200 {
				s.t.Fatalf("GET dispatch %s: %d %s", id, r.Status, r.Body)
			}
			return r.JSON(s.t)
		}
	}
	s.t.Fatalf("no push event for %s at %s among %v", ref, after, list["total_count"])
	return nil
}

// pushEvents counts the recorded push events of ref.
func (s *server) pushEvents(repo, ref string) int {
	s.t.Helper()
	list := s.do("GET", "/api/v3/repos/"+repo+"/dispatches?per_page=100", s.Token, nil).JSON(s.t)
	n := 0
	for _, e := range list["dispatches"].([]any) {
		if ev := e.(map[string]any); ev["event"] == "push" && ev["ref"] == ref {
			n++
		}
	}
	return n
}

// runsByName maps the names of an event's runs to their ids.
func runsByName(t *testing.T, ev map[string]any) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, r := range ev["workflow_runs"].([]any) {
		run := r.(map[string]any)
		out[run["name"].(string)] = run["id"].(float64)
	}
	return out
}

func names(m map[string]float64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

const pushMainWorkflow = `name: On main
on:
  push:
    branches: [main]
jobs:
  show:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "message: ${{ github.event.head_commit.message }}"
          echo "ref: ${{ github.ref }} ${{ github.ref_name }} ${{ github.ref_type }} ${{ github.event_name }}"
          echo "sha: ${{ github.sha }} $GITHUB_SHA $GITHUB_REF"
          echo "added: ${{ join(github.event.head_commit.added, ' ') }}"
          echo "before: ${{ github.event.before }} heads: [${{ github.head_ref }}] [${{ github.base_ref }}]"
          echo "actor: ${{ github.actor }} pusher: ${{ github.event.pusher.name }}"
`

const pushCodeWorkflow = `name: Code
on:
  push:
    paths-ignore: ['docs/**']
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "code changed on ${{ github.ref_name }}"
`

const pushTagsWorkflow = `name: Tags
on:
  push:
    tags: ['v*']
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - run: echo "tag ${{ github.ref }} ${{ github.ref_name }} ${{ github.ref_type }} ${{ github.sha }}"
`

// git pushes run the push workflows their commit selects, and record
// GitHub's push payload.
func TestPushTriggersWorkflows(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	const repo = "admin/pushes"
	created := s.createRepo(s.Token, map[string]any{"name": "pushes", "auto_init": true})
	w := s.checkout(repo)
	initial := w.git("rev-parse", "HEAD")

	// A push to main.
	c1 := w.commit("Add the workflows", map[string]string{
		".github/workflows/main.yml": pushMainWorkflow,
		".github/workflows/code.yml": pushCodeWorkflow,
		".github/workflows/tags.yml": pushTagsWorkflow,
		"src/app.txt":                "app\n",
	})
	w.git("push", "-q", "origin", "main")
	ev := s.pushEvent(repo, "refs/heads/main", c1)
	runs := runsByName(t, ev)
	if got := names(runs); !slices.Equal(got, []string{"Code", "On main"}) {
		t.Fatalf("push to main ran %v", got)
	}
	if ev["sha"] != c1 || ev["actor"].(map[string]any)["login"] != "admin" {
		t.Errorf("event = %v %v", ev["sha"], ev["actor"])
	}
	id := runs["On main"]
	run := s.waitRun(repo, id, 60*time.Second)
	if run["conclusion"] != "success" || run["event"] != "push" || run["head_branch"] != "main" || run["head_sha"] != c1 ||
		run["display_title"] != "Add the workflows" {
		t.Fatalf("run = %v %v %v %v %v", run["conclusion"], run["event"], run["head_branch"], run["head_sha"], run["display_title"])
	}
	log := s.jobLogs(repo, id)["show"]
	for _, want := range []string{
		" message: Add the workflows\n",
		" ref: refs/heads/main main branch push\n",
		" sha: " + c1 + " " + c1 + " refs/heads/main\n",
		" added: .github/workflows/code.yml .github/workflows/main.yml .github/workflows/tags.yml src/app.txt\n",
		" before: " + initial + " heads: [] []\n",
		" actor: admin pusher: admin\n",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}

	// The recorded payload has GitHub's shape.
	p := ev["payload"].(map[string]any)
	if p["ref"] != "refs/heads/main" || p["before"] != initial || p["after"] != c1 || p["created"] != false ||
		p["deleted"] != false || p["forced"] != false || p["base_ref"] != nil ||
		p["compare"] != s.URL+"/admin/pushes/compare/"+initial[:12]+"..."+c1[:12] {
		t.Errorf("payload: ref %v before %v after %v created %v deleted %v forced %v base_ref %v compare %v",
			p["ref"], p["before"], p["after"], p["created"], p["deleted"], p["forced"], p["base_ref"], p["compare"])
	}
	commits := p["commits"].([]any)
	if len(commits) != 1 {
		t.Fatalf("commits = %v", commits)
	}
	c := commits[0].(map[string]any)
	if c["id"] != c1 || c["message"] != "Add the workflows" || c["distinct"] != true || c["tree_id"] != w.git("rev-parse", c1+"^{tree}") ||
		c["url"] != s.URL+"/admin/pushes/commit/"+c1 || len(c["added"].([]any)) != 4 || len(c["removed"].([]any)) != 0 ||
		len(c["modified"].([]any)) != 0 || c["author"].(map[string]any)["email"] != "test@example.com" ||
		c["committer"].(map[string]any)["name"] != "Test" || c["timestamp"] == "" {
		t.Errorf("commit = %v", c)
	}
	if hc := p["head_commit"].(map[string]any); hc["id"] != c1 || hc["message"] != "Add the workflows" {
		t.Errorf("head_commit = %v", hc)
	}
	if pu := p["pusher"].(map[string]any); pu["name"] != "admin" || pu["email"] == nil {
		t.Errorf("pusher = %v", pu)
	}
	if p["sender"].(map[string]any)["login"] != "admin" {
		t.Errorf("sender = %v", p["sender"])
	}
	rp := p["repository"].(map[string]any)
	if rp["full_name"] != repo || rp["id"] != created["id"] || rp["master_branch"] != "main" {
		t.Errorf("repository = %v %v %v", rp["full_name"], rp["id"], rp["master_branch"])
	}
	if _, ok := rp["created_at"].(float64); !ok {
		t.Errorf("repository.created_at = %v: the push payload has Unix seconds", rp["created_at"])
	}
	if _, ok := p["organization"]; ok {
		t.Errorf("organization in a user's repository")
	}

	// Modified and removed files; a push touching only docs runs On main
	// but not the workflow that ignores docs.
	w.commit("Docs only", map[string]string{"docs/guide.md": "guide\n"})
	c3 := w.commit("Rename the guide", map[string]string{"docs/guide.md": "", "docs/manual.md": "manual\n", "README.md": "changed\n"})
	w.git("push", "-q", "origin", "main")
	ev = s.pushEvent(repo, "refs/heads/main", c3)
	if got := names(runsByName(t, ev)); !slices.Equal(got, []string{"Code", "On main"}) {
		t.Errorf("README and docs push ran %v", got) // README.md is not under docs/
	}
	p = ev["payload"].(map[string]any)
	commits = p["commits"].([]any)
	if len(commits) != 2 || commits[0].(map[string]any)["message"] != "Docs only" {
		t.Fatalf("commits = %v", commits)
	}
	second := commits[1].(map[string]any)
	if !reflectEqual(second["added"], []any{"docs/manual.md"}) || !reflectEqual(second["removed"], []any{"docs/guide.md"}) ||
		!reflectEqual(second["modified"], []any{"README.md"}) {
		t.Errorf("second commit files = added %v removed %v modified %v", second["added"], second["removed"], second["modified"])
	}
	c4 := w.commit("More docs", map[string]string{"docs/more.md": "more\n"})
	w.git("push", "-q", "origin", "main")
	if got := names(runsByName(t, s.pushEvent(repo, "refs/heads/main", c4))); !slices.Equal(got, []string{"On main"}) {
		t.Errorf("docs-only push ran %v", got)
	}

	// Another branch: the branch filter leaves On main out.
	w.git("checkout", "-q", "-b", "feature")
	c5 := w.commit("A feature", map[string]string{"src/feature.txt": "f\n"})
	w.git("push", "-q", "origin", "feature")
	ev = s.pushEvent(repo, "refs/heads/feature", c5)
	runs = runsByName(t, ev)
	if got := names(runs); !slices.Equal(got, []string{"Code"}) {
		t.Errorf("push to feature ran %v", got)
	}
	p = ev["payload"].(map[string]any)
	if p["created"] != true || p["before"] != zeroSHA || len(p["commits"].([]any)) != 1 ||
		p["compare"] != s.URL+"/admin/pushes/compare/main..."+c5[:12] {
		t.Errorf("new branch payload: created %v before %v commits %v compare %v", p["created"], p["before"], p["commits"], p["compare"])
	}
	if run := s.waitRun(repo, runs["Code"], 60*time.Second); run["conclusion"] != "success" {
		t.Errorf("Code on feature: %v", run["conclusion"])
	} else if log := s.jobLogs(repo, runs["Code"])["build"]; !strings.Contains(log, " code changed on feature\n") {
		t.Errorf("Code log:\n%s", log)
	}

	// A tag: only workflows without branch filters or with matching tag
	// filters; path filters do not apply to tags.
	w.git("tag", "v1.0", c4)
	w.git("push", "-q", "origin", "v1.0")
	ev = s.pushEvent(repo, "refs/tags/v1.0", c4)
	runs = runsByName(t, ev)
	if got := names(runs); !slices.Equal(got, []string{"Code", "Tags"}) {
		t.Errorf("tag push ran %v", got)
	}
	if p := ev["payload"].(map[string]any); p["base_ref"] != "refs/heads/main" || p["created"] != true ||
		p["head_commit"].(map[string]any)["id"] != c4 {
		t.Errorf("tag payload: base_ref %v created %v", p["base_ref"], p["created"])
	}
	if run := s.waitRun(repo, runs["Tags"], 60*time.Second); run["conclusion"] != "success" || run["head_branch"] != "v1.0" {
		t.Errorf("Tags run: %v %v", run["conclusion"], run["head_branch"])
	} else if log := s.jobLogs(repo, runs["Tags"])["release"]; !strings.Contains(log, " tag refs/tags/v1.0 v1.0 tag "+c4+"\n") {
		t.Errorf("Tags log:\n%s", log)
	}
	// A tag that the filter does not select.
	w.git("tag", "release-1", c4)
	w.git("push", "-q", "origin", "release-1")
	if got := names(runsByName(t, s.pushEvent(repo, "refs/tags/release-1", c4))); !slices.Equal(got, []string{"Code"}) {
		t.Errorf("release-1 ran %v", got)
	}

	// A deleted branch is recorded and runs nothing.
	w.git("push", "-q", "origin", ":feature")
	ev = s.pushEvent(repo, "refs/heads/feature", zeroSHA)
	if runs := ev["workflow_runs"].([]any); len(runs) != 0 {
		t.Errorf("deleting a branch ran %v", runs)
	}
	if p := ev["payload"].(map[string]any); p["deleted"] != true || p["before"] != c5 || p["head_commit"] != nil ||
		len(p["commits"].([]any)) != 0 {
		t.Errorf("deletion payload: deleted %v before %v head_commit %v commits %v", p["deleted"], p["before"], p["head_commit"], p["commits"])
	}

	// One push creating two refs makes one event per ref.
	w.git("checkout", "-q", "main")
	c6 := w.commit("Two refs", map[string]string{"src/two.txt": "2\n"})
	w.git("push", "-q", "origin", "main", "HEAD:refs/heads/copy")
	if got := names(runsByName(t, s.pushEvent(repo, "refs/heads/main", c6))); !slices.Equal(got, []string{"Code", "On main"}) {
		t.Errorf("main in a two-ref push ran %v", got)
	}
	// The commit is new to the repository for both refs, but only the
	// first event (refs are taken in name order) lists it as distinct.
	ev = s.pushEvent(repo, "refs/heads/copy", c6)
	if got := names(runsByName(t, ev)); !slices.Equal(got, []string{"Code"}) {
		t.Errorf("copy ran %v", got)
	}
	if p := ev["payload"].(map[string]any); p["base_ref"] != "refs/heads/main" || len(p["commits"].([]any)) != 1 ||
		p["commits"].([]any)[0].(map[string]any)["distinct"] != true {
		t.Errorf("copy payload: base_ref %v commits %v", p["base_ref"], p["commits"])
	}
	if c := s.pushEvent(repo, "refs/heads/main", c6)["payload"].(map[string]any)["commits"].([]any)[0].(map[string]any); c["distinct"] != false {
		t.Errorf("main's commit listed as distinct again: %v", c)
	}

	// More than three tags at once make no event (GitHub's limit).
	for _, tag := range []string{"v2.0", "v2.1", "v2.2", "v2.3"} {
		w.git("tag", tag)
	}
	w.git("push", "-q", "origin", "v2.0", "v2.1", "v2.2", "v2.3")
	if n := s.pushEvents(repo, "refs/tags/v2.0"); n != 0 {
		t.Errorf("a push of four tags made %d events for v2.0", n)
	}
	// A new branch at an existing commit: no commits, nothing changed, so
	// the path-filtered workflow does not run. Later pushes still make events.
	w.git("push", "-q", "origin", "HEAD:refs/heads/after-tags")
	ev = s.pushEvent(repo, "refs/heads/after-tags", c6)
	if got := names(runsByName(t, ev)); len(got) != 0 {
		t.Errorf("a branch without new commits ran %v", got)
	}
	if p := ev["payload"].(map[string]any); p["created"] != true || len(p["commits"].([]any)) != 0 || p["head_commit"].(map[string]any)["id"] != c6 {
		t.Errorf("after-tags payload: created %v commits %v", p["created"], p["commits"])
	}
}

const zeroSHA = "0000000000000000000000000000000000000000"

func reflectEqual(a any, b []any) bool {
	l, ok := a.([]any)
	return ok && slices.Equal(l, b)
}

// A push made with a job's GITHUB_TOKEN is recorded but starts no run,
// even where a workflow matches it (GitHub's rule against recursive runs).
func TestPushWithJobTokenRunsNothing(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--embedded-runners", "1")
	const repo = "admin/loop"
	s.createRepo(s.Token, map[string]any{"name": "loop", "auto_init": true})
	w := s.checkout(repo)
	c1 := w.commit("Push from a job", map[string]string{".github/workflows/loop.yml": `name: Loop
on: push
permissions:
  contents: write
jobs:
  push:
    runs-on: ubuntu-latest
    steps:
      - if: github.ref == 'refs/heads/main'
        env:
          TOKEN: ${{ github.token }}
          SERVER: ${{ github.server_url }}
        run: |
          git clone -q "http://x-access-token:$TOKEN@${SERVER#http://}/${{ github.repository }}.git" w
          cd w
          git -c user.name=bot -c user.email=bot@example.com commit -q --allow-empty -m "from the job"
          git push -q origin HEAD:refs/heads/from-job
          echo "pushed $(git rev-parse HEAD)"
`})
	w.git("push", "-q", "origin", "main")
	runs := runsByName(t, s.pushEvent(repo, "refs/heads/main", c1))
	if len(runs) != 1 {
		t.Fatalf("push to main ran %v", names(runs))
	}
	run := s.waitRun(repo, runs["Loop"], 60*time.Second)
	log := s.jobLogs(repo, runs["Loop"])["push"]
	if run["conclusion"] != "success" {
		t.Fatalf("Loop: %v\n%s", run["conclusion"], log)
	}
	i := strings.Index(log, " pushed ")
	if i < 0 {
		t.Fatalf("no push in the log:\n%s", log)
	}
	sha := strings.TrimSpace(strings.SplitN(log[i+len(" pushed "):], "\n", 2)[0])
	ev := s.pushEvent(repo, "refs/heads/from-job", sha)
	if runs := ev["workflow_runs"].([]any); len(runs) != 0 {
		t.Errorf("the job token's push ran %v", runs)
	}
	if p := ev["payload"].(map[string]any); p["head_commit"].(map[string]any)["message"] != "from the job" {
		t.Errorf("payload head_commit = %v", p["head_commit"])
	}
}
