package agent

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dispatchd/dispatchd/runnerproto"
)

// addActionRepo creates the bare repository <root>/acme/greet.git: a
// JavaScript action in two commits (main and the tag v1 at the second)
// with a composite action in sub/. It returns the first commit.
func addActionRepo(t *testing.T, root string) (first string) {
	t.Helper()
	bare := filepath.Join(root, "acme", "greet.git")
	gitCmd(t, root, "init", "--quiet", "--bare", "-b", "main", bare)
	work := t.TempDir()
	gitCmd(t, work, "init", "--quiet", "-b", "main")
	write := func(files map[string]string) {
		for name, text := range files {
			p := filepath.Join(work, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		gitCmd(t, work, "add", ".")
		gitCmd(t, work, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "action")
	}
	index := `const fs = require('fs');
const g = 'Hello, ' + process.env.INPUT_WHO + '!';
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'greeting=' + g + '\n');
fs.appendFileSync(process.env.GITHUB_STATE, 'who=' + process.env.INPUT_WHO + '\n');
console.log('VERSION: ' + g);
`
	write(map[string]string{
		"action.yml": "inputs:\n  who:\n    required: true\nruns:\n  using: node20\n  main: index.js\n  post: post.js\n",
		"index.js":   strings.ReplaceAll(index, "VERSION", "version one"),
		"post.js":    "console.log('post ran for ' + process.env.STATE_who);\n",
	})
	first = gitCmd(t, work, "rev-parse", "HEAD")
	write(map[string]string{
		"index.js":       strings.ReplaceAll(index, "VERSION", "version two"),
		"sub/action.yml": "runs:\n  using: composite\n  steps:\n    - run: echo \"sub at $GITHUB_ACTION_REF from $GITHUB_ACTION_REPOSITORY\"\n      shell: bash\n",
	})
	gitCmd(t, work, "tag", "v1")
	gitCmd(t, work, "push", "--quiet", bare, "main", "v1")
	return first
}

// TestActionsOverHTTP runs actions fetched from git http-backend with
// the job's token: a tag, a branch with a path, a commit, and two that
// are not there.
func TestActionsOverHTTP(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("no node")
	}
	repo := newTestRepo(t)
	first := addActionRepo(t, repo.root)
	gitURL, served := serveGit(t, repo.root, "job-token-x")
	fs := newFakeServer(t)
	startAgent(t, fs, nil)
	job := testJob(t, 61, "act", strings.ReplaceAll(`
on: workflow_dispatch
jobs:
  act:
    runs-on: self-hosted
    steps:
      - id: g
        uses: acme/greet@v1
        with:
          who: agent
      - run: echo "got ${{ steps.g.outputs.greeting }}"
      - uses: acme/greet/sub@main
      - uses: acme/greet@FIRST
        with:
          who: old
      - uses: acme/nope@v1
        continue-on-error: true
      - uses: acme/greet@v9
        continue-on-error: true
`, "FIRST", first), nil)
	job.Checkout = runnerproto.Checkout{GitURL: gitURL + "/owner/repo.git", Token: "job-token-x", SHA: repo.first}
	fs.jobs <- job

	c := fs.waitCompletion(t, 61)
	events := fs.appliedEvents(61)
	text := logText(events)
	if c.Result.Result != "success" {
		t.Errorf("result %s:\n%s", c.Result.Result, text)
	}
	for _, want := range []string{
		"\nDownload action repository 'acme/greet@v1'\n",
		"\nversion two: Hello, agent!\n",
		"\ngot Hello, agent!\n",
		"\nsub at main from acme/greet\n",
		"\nversion one: Hello, old!\n",
		"\n##[error]Unable to resolve action `acme/nope@v1`: repository acme/nope not found on this server, or ref v1 not found\n",
		"a private action repository can't be read with it",
		"\n##[error]Unable to resolve action `acme/greet@v9`: repository acme/greet not found on this server, or ref v9 not found\n",
		"\npost ran for old\n",
		"\npost ran for agent\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the log lacks %q:\n%s", strings.TrimSpace(want), text)
		}
	}
	if strings.Index(text, "post ran for old") > strings.Index(text, "post ran for agent") {
		t.Errorf("post steps not in reverse order:\n%s", text)
	}
	basic := base64.StdEncoding.EncodeToString([]byte("x-access-token:job-token-x"))
	if strings.Contains(text, "job-token-x") || strings.Contains(text, basic) {
		t.Errorf("the log shows the token:\n%s", text)
	}
	st := checkOrder(t, events)
	if s := st[len(st)-1]; s.name != "Complete job" {
		t.Errorf("last step %q", s.name)
	}
	if ok, refused := served(); ok == 0 || refused != 0 {
		t.Errorf("git requests: %d served, %d without the token", ok, refused)
	}
}

func TestServerRoot(t *testing.T) {
	pj := &runnerproto.Job{Repository: "owner/repo", Checkout: runnerproto.Checkout{GitURL: "http://h:1/base/owner/repo.git"}}
	if got := serverRoot(pj, "http://fallback"); got != "http://h:1/base" {
		t.Errorf("root %q", got)
	}
	pj.Checkout.GitURL = ""
	if got := serverRoot(pj, "http://fallback"); got != "http://fallback" {
		t.Errorf("root %q", got)
	}
}
