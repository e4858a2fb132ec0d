package agent

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dispatchd/dispatchd/runner"
	"github.com/dispatchd/dispatchd/runnerproto"
)

// testRepo is a bare repository <root>/owner/repo.git with two commits of
// hello.txt ("first version", then "second version") on main.
type testRepo struct {
	root, bare    string
	first, second string
}

func gitCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	// No configuration of the machine's: not the user's, not the system's.
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", home)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	r := &testRepo{root: t.TempDir()}
	r.bare = filepath.Join(r.root, "owner", "repo.git")
	gitCmd(t, r.root, "init", "--quiet", "--bare", "-b", "main", r.bare)
	work := t.TempDir()
	gitCmd(t, work, "init", "--quiet", "-b", "main")
	commit := func(content string) string {
		if err := os.WriteFile(filepath.Join(work, "hello.txt"), []byte(content+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		gitCmd(t, work, "add", "hello.txt")
		gitCmd(t, work, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", content)
		return gitCmd(t, work, "rev-parse", "HEAD")
	}
	r.first = commit("first version")
	r.second = commit("second version")
	gitCmd(t, work, "push", "--quiet", r.bare, "main")
	return r
}

// serveGit serves the repositories below root with git http-backend on
// 127.0.0.1, to requests with the token as Basic credentials only.
func serveGit(t *testing.T, root, token string) (url string, served func() (ok, refused int)) {
	t.Helper()
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git")
	}
	backend := &cgi.Handler{Path: git, Args: []string{"http-backend"}, Dir: root,
		Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "HOME=" + root}}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:"+token))
	var mu sync.Mutex
	ok, refused := 0, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if r.Header.Get("Authorization") != want {
			refused++
			mu.Unlock()
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "credentials required", http.StatusUnauthorized)
			return
		}
		ok++
		mu.Unlock()
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() (int, int) {
		mu.Lock()
		defer mu.Unlock()
		return ok, refused
	}
}

const checkoutWorkflow = `
on: workflow_dispatch
jobs:
  co:
    runs-on: self-hosted
    steps:
      - uses: actions/checkout@v4
      - run: |
          cat hello.txt
          echo "depth=$(git rev-list --count HEAD)"
          echo "head=$(git rev-parse HEAD)"
          if grep -i -e extraheader -e authorization -e job-token-x .git/config; then echo "credentials persisted"; exit 1; fi
      - uses: actions/checkout@v4
        with:
          ref: main
          fetch-depth: 0
          path: full
      - run: |
          cat full/hello.txt
          echo "full=$(git -C full rev-list --count HEAD)"
      - uses: actions/checkout@v4
        with:
          repository: other/repo
        continue-on-error: true
`

// TestCheckoutOverHTTP runs actions/checkout against git http-backend:
// the job's commit at depth 1, a branch with all history in a path, and
// another repository refused.
func TestCheckoutOverHTTP(t *testing.T) {
	repo := newTestRepo(t)
	gitURL, served := serveGit(t, repo.root, "job-token-x")
	fs := newFakeServer(t)
	startAgent(t, fs, nil)
	job := testJob(t, 51, "co", checkoutWorkflow, nil)
	job.Checkout = runnerproto.Checkout{GitURL: gitURL + "/owner/repo.git", Token: "job-token-x", SHA: repo.first}
	fs.jobs <- job

	c := fs.waitCompletion(t, 51)
	events := fs.appliedEvents(51)
	text := logText(events)
	if c.Result.Result != "success" {
		t.Errorf("result %s:\n%s", c.Result.Result, text)
	}
	for _, want := range []string{"\nfirst version\n", "\ndepth=1\n", "\nhead=" + repo.first + "\n",
		"\nsecond version\n", "\nfull=2\n", "checks out the run's own repository (owner/repo)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the log lacks %q:\n%s", strings.TrimSpace(want), text)
		}
	}
	st := checkOrder(t, events)
	if s := st[5]; s.outcome != "failure" || s.conclusion != "success" {
		t.Errorf("checkout of another repository: %s/%s", s.outcome, s.conclusion)
	}
	if ok, refused := served(); ok == 0 || refused != 0 {
		t.Errorf("git requests: %d served, %d without the token", ok, refused)
	}
}

// TestCheckoutLocalPath checks out from a bare repository's path, which
// git accepts as a URL too.
func TestCheckoutLocalPath(t *testing.T) {
	repo := newTestRepo(t)
	co := &gitCheckout{repository: "owner/repo", url: repo.bare, token: "tok", sha: repo.first}
	dir := filepath.Join(t.TempDir(), "ws")
	if err := os.MkdirAll(filepath.Join(dir, "stale"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := co.Checkout(ctx, dir, runner.CheckoutOptions{FetchDepth: 1}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "hello.txt")); string(b) != "first version\n" {
		t.Errorf("hello.txt: %q", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "stale")); !os.IsNotExist(err) {
		t.Errorf("the directory was not emptied first: %v", err)
	}
	if head := gitCmd(t, dir, "rev-parse", "HEAD"); head != repo.first {
		t.Errorf("HEAD %s, want %s", head, repo.first)
	}
	if cfg, _ := os.ReadFile(filepath.Join(dir, ".git", "config")); strings.Contains(strings.ToLower(string(cfg)), "extraheader") {
		t.Errorf(".git/config keeps the token:\n%s", cfg)
	}

	if err := co.Checkout(ctx, dir, runner.CheckoutOptions{Ref: "main", FetchDepth: 0}); err != nil {
		t.Fatal(err)
	}
	if n := gitCmd(t, dir, "rev-list", "--count", "HEAD"); n != "2" {
		t.Errorf("%s commits, want 2", n)
	}
	if head := gitCmd(t, dir, "rev-parse", "HEAD"); head != repo.second {
		t.Errorf("HEAD %s, want %s", head, repo.second)
	}

	err := co.Checkout(ctx, dir, runner.CheckoutOptions{Repository: "Other/Repo"})
	if err == nil || !strings.Contains(err.Error(), "checks out the run's own repository (owner/repo)") {
		t.Errorf("another repository: %v", err)
	}
	if err := co.Checkout(ctx, dir, runner.CheckoutOptions{Repository: "OWNER/repo", Ref: "nope", FetchDepth: 1}); err == nil ||
		!strings.Contains(err.Error(), "git fetch") {
		t.Errorf("a missing ref: %v", err)
	}
}
