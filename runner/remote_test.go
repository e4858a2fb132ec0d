package runner

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// dirFetcher is an ActionFetcher that copies OWNER/REPO@REF from
// <root>/OWNER/REPO/REF: the interface's boundary, without a server.
type dirFetcher struct {
	root  string
	mu    sync.Mutex
	calls []string
}

func (f *dirFetcher) Fetch(_ context.Context, owner, repo, ref, dir string) error {
	f.mu.Lock()
	f.calls = append(f.calls, owner+"/"+repo+"@"+ref)
	f.mu.Unlock()
	src := filepath.Join(f.root, owner, repo, ref)
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("%w: nothing at %s", ErrActionNotFound, src)
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		return fmt.Errorf("the directory %s is not empty", dir)
	}
	return os.CopyFS(dir, os.DirFS(src))
}

// actionRepos are the repositories the tests' fetcher serves, by
// OWNER/REPO/REF/file.
var actionRepos = map[string]string{
	"acme/greet/v1/action.yml": `
name: Greet
inputs:
  who:
    description: whom to greet
    required: true
  greeting:
    default: Hello
outputs:
  greeting:
    description: the greeting
runs:
  using: node20
  pre: pre.js
  main: index.js
  post: post.js
`,
	"acme/greet/v1/pre.js": `
const fs = require('fs');
console.log('pre: who=' + process.env.INPUT_WHO);
fs.appendFileSync(process.env.GITHUB_STATE, 'from_pre=yes\n');
`,
	"acme/greet/v1/index.js": `
const fs = require('fs');
const path = require('path');
const e = process.env;
const greeting = e.INPUT_GREETING + ', ' + e.INPUT_WHO + '!';
fs.appendFileSync(e.GITHUB_OUTPUT, 'greeting=' + greeting + '\n');
fs.appendFileSync(e.GITHUB_STATE, 'token=main-' + e.INPUT_WHO + '\n');
console.log('::notice title=Greeting::' + greeting);
console.log('main sees STATE_from_pre=' + e.STATE_from_pre + ' extra=' + e.INPUT_EXTRA);
console.log('action=' + e.GITHUB_ACTION + ' repository=' + e.GITHUB_ACTION_REPOSITORY + ' ref=' + e.GITHUB_ACTION_REF);
console.log('path ends ' + e.GITHUB_ACTION_PATH.split(path.sep).slice(-4).join('/'));
console.log('cwd is workspace: ' + (process.cwd() === e.GITHUB_WORKSPACE));
console.log('api=' + e.GITHUB_API_URL + ' server=' + e.GITHUB_SERVER_URL + ' graphql=' + e.GITHUB_GRAPHQL_URL);
console.log('files: ' + ['GITHUB_ENV', 'GITHUB_PATH', 'RUNNER_TEMP', 'RUNNER_TOOL_CACHE'].map(k => k + '=' + (e[k] ? 'set' : 'unset')).join(' '));
`,
	"acme/greet/v1/post.js": `
console.log('post: token=' + process.env.STATE_token + ' from_pre=' + process.env.STATE_from_pre + ' who=' + process.env.INPUT_WHO);
`,

	"acme/tools/v2/cleanup/action.yml": `
runs:
  using: node24
  pre: pre.js
  pre-if: "false"
  main: main.js
  post: post.js
  post-if: success()
`,
	"acme/tools/v2/cleanup/pre.js":  `console.log('cleanup pre ran');`,
	"acme/tools/v2/cleanup/main.js": `console.log('cleanup main at ' + process.env.GITHUB_ACTION_PATH.split('/').slice(-5).join('/'));`,
	"acme/tools/v2/cleanup/post.js": `console.log('cleanup post ran');`,

	"acme/composite/v1/action.yml": `
inputs:
  name:
    required: true
outputs:
  said:
    value: ${{ steps.say.outputs.said }}
  greeting:
    value: ${{ steps.greet.outputs.greeting }}
runs:
  using: composite
  steps:
    - id: say
      shell: bash
      run: |
        "$GITHUB_ACTION_PATH/say.sh" "${{ inputs.name }}"
        echo "said=said ${{ inputs.name }}" >> "$GITHUB_OUTPUT"
    - id: greet
      uses: acme/greet@v1
      with:
        who: ${{ inputs.name }}
`,
	"acme/composite/v1/say.sh": "#!/bin/sh\necho \"say.sh: $1 from $GITHUB_ACTION_REPOSITORY\"\n",

	"acme/docker/v1/action.yml": `
runs:
  using: docker
  image: Dockerfile
`,
	"acme/dockerfile/v1/Dockerfile": "FROM alpine\n",
	"acme/nometa/v1/README.md":      "no metadata here\n",
	"acme/badyaml/v1/action.yml":    "runs:\n  using: node20\n  main: [index.js\n",
	"acme/nomain/v1/action.yml":     "runs:\n  using: node20\n  main: dist/index.js\n",
	"acme/nomainkey/v1/action.yaml": "runs:\n  using: node20\n",
	"acme/unknown/v1/action.yml":    "runs:\n  using: python3\n",
	"acme/exit1/v1/action.yml":      "runs:\n  using: node16\n  main: index.js\n  post: post.js\n",
	"acme/exit1/v1/index.js":        "console.log('::error::boom'); process.exit(1);\n",
	"acme/exit1/v1/post.js":         "console.log('exit1 post ran, job failed so far: ' + process.env.INPUT_WHY);\n",
	"acme/prefail/v1/action.yml":    "runs:\n  using: node20\n  pre: pre.js\n  main: main.js\n  post: post.js\n",
	"acme/prefail/v1/pre.js":        "console.log('pre fails'); process.exit(3);\n",
	"acme/prefail/v1/main.js":       "console.log('main of prefail ran');\n",
	"acme/prefail/v1/post.js":       "console.log('post of prefail ran');\n",
	"acme/failif/v1/action.yml":     "runs:\n  using: node20\n  main: main.js\n  post: post.js\n  post-if: failure()\n",
	"acme/failif/v1/main.js":        "console.log('failif main');\n",
	"acme/failif/v1/post.js":        "console.log('failif post: the job failed');\n",
}

func needNode(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("no node on PATH")
	}
}

// remoteJob is a job of src with the tests' action repositories.
func remoteJob(t *testing.T, src string) (*Job, *dirFetcher) {
	t.Helper()
	needNode(t)
	root := t.TempDir()
	for path, text := range actionRepos {
		p := filepath.Join(root, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	job := simpleJob(t, src, "j")
	gh := job.Contexts["github"].(map[string]any)
	gh["server_url"], gh["api_url"], gh["graphql_url"] = "http://127.0.0.1:1", "http://127.0.0.1:1/api/v3", "http://127.0.0.1:1/api/graphql"
	f := &dirFetcher{root: root}
	job.Actions = f
	return job, f
}

// wantNames checks the names of the reported steps, in order.
func wantNames(t *testing.T, rec *recorder, names ...string) {
	t.Helper()
	var got []string
	for _, n := range rec.order {
		got = append(got, rec.steps[n].name)
	}
	if !reflect.DeepEqual(got, names) {
		t.Errorf("steps\n%q\nwant\n%q", got, names)
	}
}

func wantReported(t *testing.T, rec *recorder, n int, outcome, conclusion string) {
	t.Helper()
	if s := rec.step(t, n); s.outcome != outcome || s.conclusion != conclusion {
		t.Errorf("step %d (%s): %s/%s, want %s/%s\n%s", n, s.name, s.outcome, s.conclusion, outcome, conclusion, s.all())
	}
}

func TestNodeActionFromRepository(t *testing.T) {
	job, f := remoteJob(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - run: echo first
      - id: greet
        uses: acme/greet@v1
        with:
          who: ${{ github.actor }}
          extra: x
      - run: echo "greeting=${{ steps.greet.outputs.greeting }}"
      - uses: acme/tools/cleanup@v2
`)
	res, rec := runJob(t, context.Background(), job)
	if res.Result != resultSuccess {
		t.Errorf("result %s", res.Result)
	}
	wantNames(t, rec, "Set up job", "Pre Run acme/greet@v1", "Pre Run acme/tools/cleanup@v2", "Run echo first",
		"Run acme/greet@v1", `Run echo "greeting=Hello, octocat!"`, "Run acme/tools/cleanup@v2",
		"Post Run acme/tools/cleanup@v2", "Post Run acme/greet@v1", "Complete job")
	if !reflect.DeepEqual(f.calls, []string{"acme/greet@v1", "acme/tools@v2"}) {
		t.Errorf("fetched %v, want each repository once", f.calls)
	}
	if missing, ok := containsInOrder(rec.step(t, 0).lines, []string{"Prepare all required actions",
		"Download action repository 'acme/greet@v1'", "Download action repository 'acme/tools@v2'"}); !ok {
		t.Errorf("set up lacks %q:\n%s", missing, rec.step(t, 0).all())
	}

	// Pre: the step's inputs; its state goes to main and post.
	wantReported(t, rec, 1, resultSuccess, resultSuccess)
	wantOutput(t, rec, 1, "pre: who=octocat")
	wantReported(t, rec, 2, resultSkipped, resultSkipped) // pre-if: false
	if log := rec.step(t, 2).all(); strings.Contains(log, "cleanup pre ran") {
		t.Errorf("a pre step whose pre-if is false ran:\n%s", log)
	}

	// Main: inputs, outputs, annotations, the action's variables.
	wantStep(t, res, 1, resultSuccess, resultSuccess)
	if got := res.Steps[1].Outputs; !reflect.DeepEqual(got, map[string]string{"greeting": "Hello, octocat!"}) {
		t.Errorf("outputs %v", got)
	}
	main := rec.step(t, 4)
	if missing, ok := containsInOrder(main.lines, []string{
		"##[warning]Unexpected input(s) 'extra', valid inputs are ['who', 'greeting']",
		"##[group]Run acme/greet@v1", "with:", "  who: octocat", "  greeting: Hello", "  extra: x", "##[endgroup]",
		"##[notice]Hello, octocat!",
		"main sees STATE_from_pre=yes extra=x",
		"action=greet repository=acme/greet ref=v1",
		"path ends _actions/acme/greet/v1",
		"cwd is workspace: true",
		"api=http://127.0.0.1:1/api/v3 server=http://127.0.0.1:1 graphql=http://127.0.0.1:1/api/graphql",
		"files: GITHUB_ENV=set GITHUB_PATH=set RUNNER_TEMP=set RUNNER_TOOL_CACHE=set",
	}); !ok {
		t.Errorf("main step lacks %q:\n%s", missing, main.all())
	}
	var notice *Annotation
	for i, a := range rec.annotations {
		if a.Level == levelNotice {
			notice = &rec.annotations[i]
		}
	}
	if notice == nil || notice.Message != "Hello, octocat!" || notice.Title != "Greeting" || notice.Step != 4 {
		t.Errorf("notice annotation %+v", notice)
	}
	wantOutput(t, rec, 5, "greeting=Hello, octocat!")
	wantOutput(t, rec, 6, "cleanup main at _actions/acme/tools/v2/cleanup")

	// Post: the last registered first, with the state of pre and main.
	wantReported(t, rec, 7, resultSuccess, resultSuccess)
	wantOutput(t, rec, 7, "Post job cleanup.", "cleanup post ran")
	wantReported(t, rec, 8, resultSuccess, resultSuccess)
	wantOutput(t, rec, 8, "Post job cleanup.", "post: token=main-octocat from_pre=yes who=octocat")
	if len(res.Steps) != 4 {
		t.Errorf("Result.Steps has %d steps, want the job's 4", len(res.Steps))
	}
}

func TestCompositeActionFromRepository(t *testing.T) {
	job, f := remoteJob(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    outputs:
      said: ${{ steps.comp.outputs.said }}
    steps:
      - id: comp
        uses: acme/composite@v1
        with:
          name: Ada
      - run: echo "said=${{ steps.comp.outputs.said }} greeting=${{ steps.comp.outputs.greeting }}"
`)
	res, rec := runJob(t, context.Background(), job)
	if res.Result != resultSuccess || res.Outputs["said"] != "said Ada" {
		t.Errorf("result %s, outputs %v", res.Result, res.Outputs)
	}
	// The nested action's pre does not run (GitHub runs pre steps of the
	// job's own steps); its post does, after the job's steps.
	wantNames(t, rec, "Set up job", "Run acme/composite@v1", `Run echo "said=said Ada greeting=Hello, Ada!"`,
		"Post Run acme/greet@v1", "Complete job")
	wantOutput(t, rec, 1, "say.sh: Ada from acme/composite", "##[notice]Hello, Ada!", "main sees STATE_from_pre=undefined extra=undefined",
		"action=greet repository=acme/greet ref=v1")
	wantOutput(t, rec, 2, "said=said Ada greeting=Hello, Ada!")
	wantOutput(t, rec, 3, "Post job cleanup.", "post: token=main-Ada from_pre=undefined who=Ada")
	if !reflect.DeepEqual(f.calls, []string{"acme/composite@v1", "acme/greet@v1"}) {
		t.Errorf("fetched %v", f.calls)
	}
}

func TestRemoteActionFailures(t *testing.T) {
	job, f := remoteJob(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - uses: acme/missing@v1
        continue-on-error: true
      - uses: acme/greet@v9
        continue-on-error: true
      - uses: acme/docker@v1
        continue-on-error: true
      - uses: acme/dockerfile@v1
        continue-on-error: true
      - uses: acme/nometa@v1
        continue-on-error: true
      - uses: acme/greet/sub@v1
        continue-on-error: true
      - uses: acme/badyaml@v1
        continue-on-error: true
      - uses: acme/nomain@v1
        continue-on-error: true
      - uses: acme/nomainkey@v1
        continue-on-error: true
      - uses: acme/unknown@v1
        continue-on-error: true
      - uses: acme/exit1@v1
        continue-on-error: true
        with:
          why: ${{ job.status }}
      - uses: acme/missing@v1
        continue-on-error: true
      - uses: acme/../etc@v1
        continue-on-error: true
`)
	res, rec := runJob(t, context.Background(), job)
	if res.Result != resultSuccess {
		t.Errorf("result %s: every failure continues on error", res.Result)
	}
	for i := range res.Steps {
		wantStep(t, res, i, resultFailure, resultSuccess)
	}
	wantOutput(t, rec, 1, "##[error]Unable to resolve action `acme/missing@v1`: repository acme/missing not found on this server, or ref v1 not found")
	wantOutput(t, rec, 2, "##[error]Unable to resolve action `acme/greet@v9`: repository acme/greet not found on this server, or ref v9 not found")
	wantOutput(t, rec, 3, "##[error]Docker actions are not supported on this runner: 'acme/docker@v1' is one (runs.using: docker). Use a JavaScript or composite action.")
	wantOutput(t, rec, 4, "##[error]Docker actions are not supported on this runner: 'acme/dockerfile@v1' is one (runs.using: docker). Use a JavaScript or composite action.")
	wantOutput(t, rec, 5, "##[error]Can't find 'action.yml' or 'action.yaml' for action 'acme/nometa@v1': there is none at the root of acme/nometa@v1.")
	wantOutput(t, rec, 6, "##[error]Can't find 'action.yml' or 'action.yaml' for action 'acme/greet/sub@v1': there is none at 'sub' in acme/greet@v1.")
	if log := rec.step(t, 7).all(); !strings.Contains(log, "##[error]The metadata of the action 'acme/badyaml@v1' could not be read: ") ||
		!strings.Contains(log, "action.yml: yaml: ") {
		t.Errorf("bad YAML:\n%s", log)
	}
	if log := rec.step(t, 8).all(); !strings.Contains(log, "##[error]File not found: '") ||
		!strings.Contains(log, filepath.Join("_actions", "acme", "nomain", "v1", "dist", "index.js")+"' (runs.main: dist/index.js of the action 'acme/nomain@v1')") {
		t.Errorf("missing main file:\n%s", log)
	}
	if log := rec.step(t, 9).all(); !strings.Contains(log, "Required property is missing: runs.main (the script of a runs.using: node20 action)") {
		t.Errorf("no runs.main:\n%s", log)
	}
	wantOutput(t, rec, 10, "##[error]The action 'acme/unknown@v1' has runs.using: 'python3', which this runner does not support: use 'composite', 'node20' or 'node24' ('node12' and 'node16' run with node too).")
	wantOutput(t, rec, 11, "##[error]boom", "##[error]The action 'acme/exit1@v1' failed: node index.js exited with code 1.")
	wantOutput(t, rec, 12, "##[error]Unable to resolve action `acme/missing@v1`: repository acme/missing not found on this server, or ref v1 not found")
	wantOutput(t, rec, 13, "##[error]Expected format {org}/{repo}[/path]@ref. Actual 'acme/../etc@v1'")
	// The post step of a failed main step runs all the same.
	wantNames(t, rec, "Set up job", "Run acme/missing@v1", "Run acme/greet@v9", "Run acme/docker@v1", "Run acme/dockerfile@v1",
		"Run acme/nometa@v1", "Run acme/greet/sub@v1", "Run acme/badyaml@v1", "Run acme/nomain@v1", "Run acme/nomainkey@v1",
		"Run acme/unknown@v1", "Run acme/exit1@v1", "Run acme/missing@v1", "Run acme/../etc@v1", "Post Run acme/exit1@v1", "Complete job")
	wantOutput(t, rec, 14, "exit1 post ran, job failed so far: success")
	// Each OWNER/REPO@REF is asked for once, a missing one too.
	want := []string{"acme/missing@v1", "acme/greet@v9", "acme/docker@v1", "acme/dockerfile@v1", "acme/nometa@v1", "acme/greet@v1",
		"acme/badyaml@v1", "acme/nomain@v1", "acme/nomainkey@v1", "acme/unknown@v1", "acme/exit1@v1"}
	if !reflect.DeepEqual(f.calls, want) {
		t.Errorf("fetched\n%v\nwant\n%v", f.calls, want)
	}
}

func TestPreFailureFailsTheJob(t *testing.T) {
	job, _ := remoteJob(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - uses: acme/prefail@v1
      - uses: acme/failif@v1
        if: always()
      - run: echo "not after a failure"
`)
	res, rec := runJob(t, context.Background(), job)
	if res.Result != resultFailure {
		t.Errorf("result %s", res.Result)
	}
	wantNames(t, rec, "Set up job", "Pre Run acme/prefail@v1", "Run acme/prefail@v1", "Run acme/failif@v1",
		`Run echo "not after a failure"`, "Post Run acme/failif@v1", "Complete job")
	wantReported(t, rec, 1, resultFailure, resultFailure)
	wantOutput(t, rec, 1, "pre fails", "##[error]The action 'acme/prefail@v1' failed: node pre.js exited with code 3.")
	wantStep(t, res, 0, resultSkipped, resultSkipped) // main skipped: no post either
	wantStep(t, res, 1, resultSuccess, resultSuccess)
	wantStep(t, res, 2, resultSkipped, resultSkipped)
	wantReported(t, rec, 5, resultSuccess, resultSuccess) // post-if: failure()
	wantOutput(t, rec, 5, "failif post: the job failed")
}

func TestRemoteActionsWithoutNode(t *testing.T) {
	job, _ := remoteJob(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - uses: acme/exit1@v1
`)
	job.Environment = []string{"PATH=" + t.TempDir()}
	res, rec := runJob(t, context.Background(), job)
	wantStep(t, res, 0, resultFailure, resultFailure)
	wantOutput(t, rec, 1, "##[error]Unable to locate executable file: node. The action 'acme/exit1@v1' is a JavaScript action (runs.using: node16): this runner runs it with Node.js, which must be installed and on its PATH.")
}

func TestParseActionSpec(t *testing.T) {
	for uses, want := range map[string]actionSpec{
		"acme/greet@v1":                {owner: "acme", repo: "greet", ref: "v1"},
		"acme/tools/a/b@releases/v2":   {owner: "acme", repo: "tools", path: "a/b", ref: "releases/v2"},
		"Acme/my.repo_x-y/./c/@0a1b2c": {owner: "Acme", repo: "my.repo_x-y", path: "c", ref: "0a1b2c"},
	} {
		got, err := parseActionSpec(uses)
		if err != nil || got != want {
			t.Errorf("%s: %+v %v, want %+v", uses, got, err, want)
		}
	}
	for _, uses := range []string{"acme@v1", "acme/greet", "acme/greet@", "acme/greet@-x", "acme/greet@a..b", "../x@v1",
		"acme/../x@v1", "acme/x/../../y@v1", "acme/greet@v 1", "acme/gr eet@v1", "/greet@v1", "acme/@v1"} {
		if a, err := parseActionSpec(uses); err == nil {
			t.Errorf("%s: accepted as %+v", uses, a)
		}
	}
}
