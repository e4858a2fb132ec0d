package e2e

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const ciWorkflow = `name: CI
on:
  repository_dispatch:
    types: [deploy]
  workflow_dispatch:
    inputs:
      source:
        description: Where it came from
        required: true
        default: CLI
jobs:
  print:
    runs-on: ubuntu-latest
    steps:
      - run: echo "Triggered from ${{ github.event.inputs.source }}!"
`

func TestFirstStartPrintsAWorkingToken(t *testing.T) {
	data := t.TempDir()
	s := startServerIn(t, data)
	out := s.stdout.String()
	m := tokenRE.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, `created the admin user "admin"`) || !strings.Contains(out, "dispatchd repo create") {
		t.Fatalf("first start printed:\n%s", out)
	}
	r := s.do("GET", "/api/v3/user", m[1], nil)
	if r.Status != 200 || r.JSON(t)["login"] != "admin" {
		t.Fatalf("GET /user with the bootstrap token: %d %s", r.Status, r.Body)
	}
	s.stop()
	again := startServerIn(t, data)
	if out := again.stdout.String(); strings.Contains(out, "dsp_") {
		t.Fatalf("second start printed a token again:\n%s", out)
	}
}

func TestPushIndexesWorkflows(t *testing.T) {
	s := startServer(t)
	s.createRepo(s.Token, map[string]any{"name": "app"})
	sha := s.pushFiles("admin/app", s.Token, "main", map[string]string{
		".github/workflows/ci.yml":       ciWorkflow,
		".github/workflows/broken.yaml":  "on: [push\njobs: {}\n",
		".github/workflows/nested/x.yml": ciWorkflow, // only direct children count
		".github/workflows/notes.txt":    "not a workflow",
		"README.md":                      "# app\n",
	})
	if len(sha) != 40 {
		t.Fatalf("push returned %q", sha)
	}
	r := s.do("GET", "/api/v3/repos/admin/app/actions/workflows", s.Token, nil)
	list := r.JSON(t)
	wfs, _ := list["workflows"].([]any)
	if r.Status != 200 || list["total_count"] != float64(2) || len(wfs) != 2 {
		t.Fatalf("workflows: %d %s", r.Status, r.Body)
	}
	byPath := map[string]map[string]any{}
	for _, w := range wfs {
		m := w.(map[string]any)
		byPath[m["path"].(string)] = m
	}
	ci, broken := byPath[".github/workflows/ci.yml"], byPath[".github/workflows/broken.yaml"]
	if ci["name"] != "CI" || ci["state"] != "active" || broken["name"] != ".github/workflows/broken.yaml" {
		t.Fatalf("workflows = %v", byPath)
	}

	// A broken file is listed and its problems carry line and column.
	got := s.do("GET", "/api/v3/repos/admin/app/actions/workflows/broken.yaml", s.Token, nil).JSON(t)
	problems, _ := got["problems"].([]any)
	if len(problems) == 0 {
		t.Fatalf("broken.yaml has no problems: %v", got)
	}
	p := problems[0].(map[string]any)
	if p["line"].(float64) < 1 || p["column"].(float64) < 1 || p["severity"] != "error" {
		t.Fatalf("problem = %v", p)
	}
	// By numeric id too, and the same workflow.
	id := int(ci["id"].(float64))
	byID := s.do("GET", "/api/v3/repos/admin/app/actions/workflows/"+itoa(id), s.Token, nil).JSON(t)
	if byID["path"] != ".github/workflows/ci.yml" {
		t.Fatalf("by id = %v", byID)
	}

	// Disable and enable.
	if r := s.do("PUT", "/api/v3/repos/admin/app/actions/workflows/ci.yml/disable", s.Token, nil); r.Status != 204 {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	if st := s.do("GET", "/api/v3/repos/admin/app/actions/workflows/ci.yml", s.Token, nil).JSON(t)["state"]; st != "disabled_manually" {
		t.Fatalf("state after disable = %v", st)
	}
	if r := s.do("PUT", "/api/v3/repos/admin/app/actions/workflows/ci.yml/enable", s.Token, nil); r.Status != 204 {
		t.Fatalf("enable: %d", r.Status)
	}

	// The CLI shows the list and the broken file's problems.
	out, err := s.run("workflow", "list", "admin/app")
	if err != nil || !strings.Contains(out, "CI") || !strings.Contains(out, "broken.yaml") {
		t.Fatalf("workflow list: %v\n%s", err, out)
	}
	out, err = s.run("workflow", "view", "admin/app", "broken.yaml")
	if err != nil || !strings.Contains(out, "broken.yaml:1:") || !strings.Contains(out, "error") {
		t.Fatalf("workflow view: %v\n%s", err, out)
	}

	// Removing a file on the default branch marks the workflow deleted; the id stays.
	dir := t.TempDir()
	git(t, dir, "clone", "-q", s.cloneURL("admin/app", "admin", s.Token), "w")
	w := filepath.Join(dir, "w")
	git(t, w, "rm", "-q", ".github/workflows/broken.yaml")
	git(t, w, "commit", "-q", "-m", "remove broken")
	git(t, w, "push", "-q", "origin", "main")
	got = s.do("GET", "/api/v3/repos/admin/app/actions/workflows/broken.yaml", s.Token, nil).JSON(t)
	if got["state"] != "deleted" || got["id"] != broken["id"] {
		t.Fatalf("after removal = %v", got)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestAutoInitAndDefaultBranch(t *testing.T) {
	s := startServer(t)
	repo := s.createRepo(s.Token, map[string]any{"name": "lib", "auto_init": true, "default_branch": "trunk", "description": "a library"})
	if repo["default_branch"] != "trunk" || repo["full_name"] != "admin/lib" || repo["private"] != false {
		t.Fatalf("created = %v", repo)
	}
	dir := t.TempDir()
	git(t, dir, "clone", "-q", s.cloneURL("admin/lib", "admin", s.Token), "w")
	w := filepath.Join(dir, "w")
	if b := strings.TrimSpace(git(t, w, "rev-parse", "--abbrev-ref", "HEAD")); b != "trunk" {
		t.Fatalf("cloned branch = %q", b)
	}
	if readme, err := os.ReadFile(filepath.Join(w, "README.md")); err != nil || !strings.Contains(string(readme), "a library") {
		t.Fatalf("README = %q, %v", readme, err)
	}
	if r := s.do("PATCH", "/api/v3/repos/admin/lib", s.Token, map[string]any{"default_branch": "nope"}); r.Status != 422 {
		t.Fatalf("PATCH to a missing branch: %d %s", r.Status, r.Body)
	}
	git(t, w, "push", "-q", "origin", "HEAD:refs/heads/dev")
	r := s.do("PATCH", "/api/v3/repos/admin/lib", s.Token, map[string]any{"default_branch": "dev", "private": true, "name": "lib2"})
	if r.Status != 200 || r.JSON(t)["default_branch"] != "dev" || r.JSON(t)["private"] != true || r.JSON(t)["name"] != "lib2" {
		t.Fatalf("PATCH: %d %s", r.Status, r.Body)
	}
	// The rename keeps the git URL working under the new name only.
	git(t, dir, "clone", "-q", s.cloneURL("admin/lib2", "admin", s.Token), "w2")
	if b := strings.TrimSpace(git(t, filepath.Join(dir, "w2"), "rev-parse", "--abbrev-ref", "HEAD")); b != "dev" {
		t.Fatalf("HEAD after default branch change = %q", b)
	}
	if r := s.do("GET", "/api/v3/repos/admin/lib", s.Token, nil); r.Status != 404 {
		t.Fatalf("old name: %d", r.Status)
	}
	if r := s.do("DELETE", "/api/v3/repos/admin/lib2", s.Token, nil); r.Status != 204 {
		t.Fatalf("DELETE: %d %s", r.Status, r.Body)
	}
	if _, err := gitErr(dir, "clone", "-q", s.cloneURL("admin/lib2", "admin", s.Token), "w3"); err == nil {
		t.Fatal("clone of a deleted repository worked")
	}
}

func TestGitAccess(t *testing.T) {
	s := startServer(t)
	s.admin("user", "create", "reader")
	s.createRepo(s.Token, map[string]any{"name": "pub", "auto_init": true})
	s.createRepo(s.Token, map[string]any{"name": "priv", "auto_init": true, "private": true})
	readTok := strings.TrimSpace(s.admin("token", "create", "--user", "reader", "--scopes", "repo"))
	if r := s.do("PUT", "/api/v3/repos/admin/priv/collaborators/reader", s.Token, map[string]any{"permission": "pull"}); r.Status != 204 {
		t.Fatalf("add collaborator: %d %s", r.Status, r.Body)
	}
	dir := t.TempDir()

	// Anyone may clone a public repository; a private one asks for credentials.
	git(t, dir, "clone", "-q", s.cloneURL("admin/pub", "", ""), "pub")
	for _, full := range []string{"admin/priv", "admin/missing"} {
		r := s.do("GET", "/"+full+".git/info/refs?service=git-upload-pack", "", nil)
		if r.Status != 401 || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Basic") {
			t.Fatalf("anonymous %s: %d %v", full, r.Status, r.Header)
		}
	}
	if r := s.do("GET", "/admin/missing.git/info/refs?service=git-upload-pack", s.Token, nil); r.Status != 404 {
		t.Fatalf("missing repository with credentials: %d", r.Status)
	}
	// A reader clones the private repository but cannot push to it.
	git(t, dir, "clone", "-q", s.cloneURL("admin/priv", "reader", readTok), "priv")
	w := filepath.Join(dir, "priv")
	writeFile(t, w, "x.txt", "x")
	git(t, w, "add", "x.txt")
	git(t, w, "commit", "-q", "-m", "x")
	if out, err := gitErr(w, "push", "-q", "origin", "HEAD"); err == nil || !strings.Contains(out, "403") {
		t.Fatalf("reader push: %v\n%s", err, out)
	}
	// Without credentials nobody pushes, even to a public repository.
	pub := filepath.Join(dir, "pub")
	writeFile(t, pub, "y.txt", "y")
	git(t, pub, "add", "y.txt")
	git(t, pub, "commit", "-q", "-m", "y")
	if _, err := gitErr(pub, "push", "-q", "origin", "HEAD"); err == nil {
		t.Fatal("anonymous push worked")
	}
	// Once the reader becomes a writer, the same push works.
	s.do("PUT", "/api/v3/repos/admin/priv/collaborators/reader", s.Token, map[string]any{"permission": "push"})
	git(t, w, "push", "-q", "origin", "HEAD")
}

// A push streams through git: the server's memory does not grow with it.
func TestLargePushStreams(t *testing.T) {
	s := startServer(t)
	s.createRepo(s.Token, map[string]any{"name": "big"})
	dir := t.TempDir()
	git(t, dir, "clone", "-q", s.cloneURL("admin/big", "admin", s.Token), "w")
	w := filepath.Join(dir, "w")
	const size = 64 << 20
	f, err := os.Create(filepath.Join(w, "blob.bin"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("head", "-c", itoa(size), "/dev/urandom")
	cmd.Stdout = f
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	git(t, w, "add", "blob.bin")
	git(t, w, "commit", "-q", "-m", "big")
	before := peakRSS(t, s.cmd.Process.Pid)
	git(t, w, "-c", "http.postBuffer=1048576", "push", "-q", "origin", "main")
	after := peakRSS(t, s.cmd.Process.Pid)
	if grew := after - before; grew > size/2 {
		t.Fatalf("server peak RSS grew by %d KiB during a %d KiB push", grew>>10, size>>10)
	}
	git(t, dir, "clone", "-q", s.cloneURL("admin/big", "admin", s.Token), "back")
	if fi, err := os.Stat(filepath.Join(dir, "back", "blob.bin")); err != nil || fi.Size() != size {
		t.Fatalf("cloned blob: %v %v", fi, err)
	}
}

// peakRSS reads VmHWM (bytes) of a process.
func peakRSS(t *testing.T, pid int) int64 {
	data, err := os.ReadFile("/proc/" + itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

func TestSecondServeOnSameDataFails(t *testing.T) {
	s := startServer(t)
	cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--data", s.data)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "in use by another dispatchd serve") {
		t.Fatalf("second serve: %v\n%s", err, out)
	}
	if r := s.do("GET", "/healthz", "", nil); r.Status != 200 {
		t.Fatalf("first server after the attempt: %d", r.Status)
	}
}

func TestGracefulShutdownKeepsData(t *testing.T) {
	data := t.TempDir()
	s := startServerIn(t, data)
	s.createRepo(s.Token, map[string]any{"name": "keep", "auto_init": true})
	s.stop()
	if code := s.cmd.ProcessState.ExitCode(); code != 0 || !strings.Contains(s.log.String(), `"msg":"stopped"`) {
		t.Fatalf("exit %d, log:\n%s", code, s.log)
	}
	s2 := startServerIn(t, data)
	if r := s2.do("GET", "/api/v3/repos/admin/keep", s2.Token, nil); r.Status != 200 {
		t.Fatalf("after restart: %d %s", r.Status, r.Body)
	}
}

func TestAdminAndClientCommands(t *testing.T) {
	s := startServer(t)
	s.admin("user", "create", "alice")
	s.admin("org", "create", "acme", "--owner", "alice")
	s.admin("user", "create", "bob")
	s.admin("org", "add-member", "acme", "bob")
	alice := strings.TrimSpace(s.admin("token", "create", "--user", "alice", "--scopes", "repo", "--name", "laptop", "--expires", "30d"))

	// The client command talks to the API with DISPATCHD_TOKEN.
	cmd := exec.Command(binary, "repo", "create", "acme/service", "--private")
	cmd.Env = append(os.Environ(), "DISPATCHD_URL="+s.URL, "DISPATCHD_TOKEN="+alice)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "created acme/service") {
		t.Fatalf("repo create: %v\n%s", err, out)
	}
	r := s.do("GET", "/api/v3/repos/acme/service", alice, nil)
	if r.Status != 200 || r.JSON(t)["private"] != true {
		t.Fatalf("org repo: %d %s", r.Status, r.Body)
	}
	fg := strings.TrimSpace(s.admin("token", "create", "--user", "bob", "--repo", "acme/service", "--permission", "contents:read"))
	if !strings.HasPrefix(fg, "dsp_pat_") {
		t.Fatalf("fine-grained token = %q", fg)
	}
	if r := s.do("GET", "/api/v3/repos/acme/service", fg, nil); r.Status != 200 {
		t.Fatalf("bob's fine-grained token on the org repo: %d", r.Status)
	}

	list := s.admin("token", "list", "--json")
	if strings.Contains(list, alice) || strings.Contains(list, fg) || !strings.Contains(list, `"laptop"`) {
		t.Fatalf("token list shows secrets or misses tokens:\n%s", list)
	}
	table := s.admin("token", "list", "--user", "alice")
	fields := strings.Fields(strings.Split(strings.TrimSpace(table), "\n")[1])
	s.admin("token", "revoke", fields[0])
	// The admin command is another process: the server's token cache
	// forgets the token within a second.
	deadline := time.Now().Add(5 * time.Second)
	for r = s.do("GET", "/api/v3/user", alice, nil); r.Status == 200 && time.Now().Before(deadline); r = s.do("GET", "/api/v3/user", alice, nil) {
		time.Sleep(100 * time.Millisecond)
	}
	if r.Status != 401 || r.JSON(t)["message"] != "Bad credentials" {
		t.Fatalf("revoked token: %d %s", r.Status, r.Body)
	}

	for _, bad := range [][]string{
		{"token", "create", "--user", "alice", "--scopes", "root"},
		{"token", "create", "--user", "alice", "--permission", "contents:write"},
		{"token", "create", "--user", "alice", "--expires", "yesterday"},
		{"token", "create", "--user", "nobody"},
		{"user", "create", "alice"},
		{"user", "create", "-bad-"},
		{"org", "create", "acme", "--owner", "alice"},
	} {
		if out, err := s.run(append([]string{"admin"}, append(bad, "--data", s.data)...)...); err == nil {
			t.Errorf("admin %v succeeded:\n%s", bad, out)
		}
	}
}

func TestAPIConventions(t *testing.T) {
	s := startServer(t)
	r := s.do("GET", "/api/v3/", "", nil)
	if r.Status != 200 || r.JSON(t)["repository_url"] == nil {
		t.Fatalf("GET /api/v3/: %d %s", r.Status, r.Body)
	}
	ids := map[string]bool{}
	for _, p := range []string{"/healthz", "/readyz", "/api/v3/", "/api/v3/nope"} {
		r := s.do("GET", p, "", nil)
		id := r.Header.Get("X-GitHub-Request-Id")
		if id == "" || ids[id] {
			t.Fatalf("%s: request id %q", p, id)
		}
		ids[id] = true
	}
	// Pagination with a Link header, as GitHub writes it.
	s.createRepo(s.Token, map[string]any{"name": "paged"})
	files := map[string]string{}
	for _, n := range []string{"a", "b", "c"} {
		files[".github/workflows/"+n+".yml"] = "on: workflow_dispatch\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo " + n + "\n"
	}
	s.pushFiles("admin/paged", s.Token, "main", files)
	r = s.do("GET", "/api/v3/repos/admin/paged/actions/workflows?per_page=1&page=2", s.Token, nil)
	link := r.Header.Get("Link")
	if r.Status != 200 || r.JSON(t)["total_count"] != float64(3) || len(r.JSON(t)["workflows"].([]any)) != 1 ||
		!strings.Contains(link, `page=3&per_page=1>; rel="next"`) || !strings.Contains(link, `rel="prev"`) || !strings.Contains(link, `rel="last"`) {
		t.Fatalf("page 2: %d link=%q %s", r.Status, link, r.Body)
	}
	if r := s.do("GET", "/api/v3/repos/admin/paged/actions/workflows", s.Token, nil); r.Header.Get("Link") != "" {
		t.Fatalf("single page has a Link header: %q", r.Header.Get("Link"))
	}
	req, _ := http.NewRequest("GET", s.URL+"/api/v3/", nil)
	req.Header.Set("X-GitHub-Api-Version", "2026-03-10")
	if r := s.send(req); r.Status != 200 {
		t.Fatalf("version 2026-03-10: %d", r.Status)
	}
}
