// Package gitrepo keeps the hosted bare repositories on disk and talks to
// them with the real git: http-backend for clone, fetch and push, and
// plumbing commands to read refs and files. Nothing here knows about users.
package gitrepo

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Hub is the directory of bare repositories, one per repository id, so that
// renaming a repository touches no file.
type Hub struct {
	root  string
	git   string
	locks sync.Map // repository id → *sync.Mutex
}

// New prepares root and checks that git is installed.
func New(root string) (*Hub, error) {
	git, err := exec.LookPath("git")
	if err != nil {
		return nil, fmt.Errorf("dispatchd needs git on PATH to host repositories: %w", err)
	}
	// Absolute, because git http-backend runs with its own working directory.
	root, err = filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, err
	}
	return &Hub{root: root, git: git}, nil
}

// Dir is the bare repository's directory.
func (h *Hub) Dir(id int64) string { return filepath.Join(h.root, strconv.FormatInt(id, 10)+".git") }

// Lock serialises work on one repository (a push and its indexing) and
// returns the unlock function.
func (h *Hub) Lock(id int64) func() {
	m, _ := h.locks.LoadOrStore(id, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

// run executes git in the repository and returns its standard output.
func (h *Hub) run(ctx context.Context, id int64, stdin []byte, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, h.git, args...)
	cmd.Dir = h.Dir(id)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1")
	cmd.Env = append(cmd.Env, env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// Create makes an empty bare repository whose HEAD names defaultBranch.
func (h *Hub) Create(ctx context.Context, id int64, defaultBranch string) error {
	dir := h.Dir(id)
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("repository directory %s already exists", dir)
	}
	cmd := exec.CommandContext(ctx, h.git, "init", "--quiet", "--bare", "--initial-branch="+defaultBranch, dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git init: %w: %s", err, out)
	}
	// Receive-pack is allowed because dispatchd authorises pushes itself.
	_, err := h.run(ctx, id, nil, nil, "config", "http.receivepack", "true")
	return err
}

// Delete removes the repository from disk.
func (h *Hub) Delete(id int64) error { return os.RemoveAll(h.Dir(id)) }

// SetDefaultBranch points HEAD at the branch, so clones check it out.
func (h *Hub) SetDefaultBranch(ctx context.Context, id int64, branch string) error {
	_, err := h.run(ctx, id, nil, nil, "symbolic-ref", "HEAD", "refs/heads/"+branch)
	return err
}

// Refs lists branches and tags with the commit each points at (annotated
// tags are peeled to their commit).
func (h *Hub) Refs(ctx context.Context, id int64) (map[string]string, error) {
	out, err := h.run(ctx, id, nil, nil, "for-each-ref", "--format=%(objectname) %(*objectname) %(refname)", "refs/heads", "refs/tags")
	if err != nil {
		return nil, err
	}
	refs := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		switch len(f) {
		case 2:
			refs[f[1]] = f[0]
		case 3:
			refs[f[2]] = f[1]
		}
	}
	return refs, nil
}

// Signature is an author or committer.
type Signature struct{ Name, Email string }

// InitialCommit creates the first commit on branch with the given files
// (auto_init), using plumbing so no work tree is needed.
func (h *Hub) InitialCommit(ctx context.Context, id int64, branch, message string, who Signature, files map[string][]byte) (string, error) {
	var tree bytes.Buffer
	for name, content := range files {
		sha, err := h.run(ctx, id, content, nil, "hash-object", "-w", "--stdin")
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&tree, "100644 blob %s\t%s\n", strings.TrimSpace(string(sha)), name)
	}
	treeSHA, err := h.run(ctx, id, tree.Bytes(), nil, "mktree")
	if err != nil {
		return "", err
	}
	env := []string{"GIT_AUTHOR_NAME=" + who.Name, "GIT_AUTHOR_EMAIL=" + who.Email,
		"GIT_COMMITTER_NAME=" + who.Name, "GIT_COMMITTER_EMAIL=" + who.Email}
	commit, err := h.run(ctx, id, nil, env, "commit-tree", strings.TrimSpace(string(treeSHA)), "-m", message)
	if err != nil {
		return "", err
	}
	sha := strings.TrimSpace(string(commit))
	_, err = h.run(ctx, id, nil, nil, "update-ref", "refs/heads/"+branch, sha, "")
	return sha, err
}
