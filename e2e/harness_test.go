// Package e2e tests dispatchd from the outside: the real binary on a random
// loopback port, real git, real HTTP.
package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the dispatchd built once for the whole package.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dispatchd-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "dispatchd")
	build := exec.Command("go", "build", "-o", binary, "../cmd/dispatchd")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building dispatchd:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running `dispatchd serve`.
type server struct {
	t      *testing.T
	cmd    *exec.Cmd
	data   string
	URL    string // root URL
	Token  string // the bootstrap admin token
	log    *syncBuffer
	stdout *syncBuffer
	done   chan error
}

// syncBuffer is a buffer the process's pipes write while a test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// noRunners starts a server that executes no runs itself, for tests of
// the API's view of queued runs.
var noRunners = []string{"--embedded-runners", "0"}

var listenRE = regexp.MustCompile(`"msg":"dispatchd listening".*?"url":"([^"]+)"`)
var tokenRE = regexp.MustCompile(`(?m)^    (dsp_[A-Za-z0-9]+)$`)

// startServer starts dispatchd serve on a fresh data directory (or the given one).
func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	return startServerIn(t, t.TempDir(), args...)
}

func startServerIn(t *testing.T, data string, args ...string) *server {
	t.Helper()
	s := &server{t: t, data: data, log: &syncBuffer{}, stdout: &syncBuffer{}, done: make(chan error, 1)}
	if !slices.Contains(args, "--rate-limit") {
		args = append(args, "--rate-limit", "0") // tests make many anonymous requests
	}
	s.cmd = exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--log-format", "json"}, args...)...)
	s.cmd.Stdout = s.stdout
	stderr, _ := s.cmd.StderrPipe()
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			s.log.Write([]byte(line + "\n"))
			if m := listenRE.FindStringSubmatch(line); m != nil && !sent {
				urlc <- m[1]
				sent = true
			}
		}
		close(urlc)
	}()
	go func() { s.done <- s.cmd.Wait() }()
	select {
	case u, ok := <-urlc:
		if !ok {
			t.Fatalf("dispatchd exited before listening:\n%s", s.log)
		}
		s.URL = u
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		t.Fatalf("dispatchd did not start:\n%s", s.log)
	}
	t.Cleanup(s.stop)
	s.Token = s.newAdminToken()
	return s
}

// newAdminToken creates a token for the admin user with the admin command,
// which works on the data directory while the server runs.
func (s *server) newAdminToken() string {
	tok := strings.TrimSpace(s.admin("token", "create", "--user", "admin", "--scopes", "repo,workflow,admin:repo_hook,read:org", "--name", "e2e"))
	if !tokenRE.MatchString("    " + tok) {
		s.t.Fatalf("admin token create printed %q", tok)
	}
	return tok
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop() {
	if s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(40 * time.Second):
		s.cmd.Process.Kill()
		s.t.Errorf("dispatchd did not stop on SIGTERM")
	}
}

// admin runs `dispatchd admin ARGS --data DIR` and returns its stdout.
func (s *server) admin(args ...string) string {
	s.t.Helper()
	out, err := s.run(append([]string{"admin"}, append(args, "--data", s.data)...)...)
	if err != nil {
		s.t.Fatalf("dispatchd admin %v: %v\n%s", args, err, out)
	}
	return out
}

// run runs the binary against this server with DISPATCHD_URL set.
func (s *server) run(args ...string) (string, error) {
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "DISPATCHD_URL="+s.URL, "DISPATCHD_TOKEN="+s.Token)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String() + stderr.String(), err
	}
	return stdout.String(), nil
}

// response is what a request got back.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

// do sends an API request with `Authorization: Bearer token` (none if empty).
func (s *server) do(method, path, token string, body any) response {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, _ := json.Marshal(b)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	return s.send(req)
}

func (s *server) send(req *http.Request) response {
	s.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// git runs git in dir with no credential prompts and a fixed identity.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := gitErr(dir, args...)
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return out
}

func gitErr(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com", "GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// cloneURL is the repository's git URL with user:token credentials.
func (s *server) cloneURL(full, user, token string) string {
	u := strings.TrimPrefix(s.URL, "http://")
	if token == "" {
		return "http://" + u + "/" + full + ".git"
	}
	return "http://" + user + ":" + token + "@" + u + "/" + full + ".git"
}

// writeFile writes a file below dir, creating directories.
func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// createRepo creates a repository for the token's user and fails the test otherwise.
func (s *server) createRepo(token string, body map[string]any) map[string]any {
	s.t.Helper()
	r := s.do("POST", "/api/v3/user/repos", token, body)
	if r.Status != http.StatusCreated {
		s.t.Fatalf("create repo %v: %d %s", body, r.Status, r.Body)
	}
	return r.JSON(s.t)
}

// pushFiles clones full, writes files, commits and pushes to branch.
func (s *server) pushFiles(full, token, branch string, files map[string]string) string {
	s.t.Helper()
	dir := s.t.TempDir()
	git(s.t, dir, "clone", "-q", s.cloneURL(full, "x-access-token", token), "w")
	w := filepath.Join(dir, "w")
	if out, err := gitErr(w, "checkout", "-q", branch); err != nil {
		git(s.t, w, "checkout", "-q", "-b", branch)
		_ = out
	}
	for name, content := range files {
		writeFile(s.t, w, name, content)
	}
	git(s.t, w, "add", "-A")
	git(s.t, w, "commit", "-q", "-m", "update")
	git(s.t, w, "push", "-q", "origin", "HEAD:refs/heads/"+branch)
	return strings.TrimSpace(git(s.t, w, "rev-parse", "HEAD"))
}
