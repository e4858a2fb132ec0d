package e2e

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The repository-dispatch action, as an operator would mirror it: a node
// action that calls the dispatch API with the token it is given.
const dispatchActionYML = `name: Repository Dispatch
description: Create a repository dispatch event
inputs:
  token:
    required: true
  repository:
    required: true
  event-type:
    required: true
  client-payload:
    default: '{}'
runs:
  using: node20
  main: index.js
`

const dispatchActionJS = `(async () => {
  const [owner, repo] = process.env['INPUT_REPOSITORY'].split('/');
  const body = {
    event_type: process.env['INPUT_EVENT-TYPE'],
    client_payload: JSON.parse(process.env['INPUT_CLIENT-PAYLOAD']),
  };
  const res = await fetch(process.env.GITHUB_API_URL + '/repos/' + owner + '/' + repo + '/dispatches', {
    method: 'POST',
    headers: {
      Authorization: 'token ' + process.env['INPUT_TOKEN'],
      Accept: 'application/vnd.github+json',
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  if (res.status !== 204) {
    console.log('::error::dispatch failed: ' + res.status + ' ' + (await res.text()));
    process.exit(1);
  }
  console.log('Dispatched ' + body.event_type + ' to ' + owner + '/' + repo);
})();
`

const seedCI = `name: CI
on:
  push:
    branches: [main]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Build
        run: echo "building ${{ github.sha }}"
      - name: Trigger deployment
        uses: acme/repository-dispatch@v1
        with:
          token: ${{ secrets.PAT_TOKEN }}
          repository: acme/deploy
          event-type: trigger-deploy
          client-payload: '{"image_tag": "sha-${{ github.sha }}", "environment": "production"}'
`

// The seed's orchestration, CI → CD across repositories: a push to
// acme/app's main runs CI, whose last step (a node action hosted on the
// server) dispatches trigger-deploy to acme/deploy with a PAT from the
// secrets; the CD run deploys the image tag and links back to the CI run.
func TestSeedCIToCD(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--embedded-runners", "2")
	s.admin("org", "create", "acme", "--owner", "admin")
	for _, name := range []string{"app", "deploy", "repository-dispatch"} {
		if r := s.do("POST", "/api/v3/orgs/acme/repos", s.Token, map[string]any{"name": name, "auto_init": true}); r.Status != 201 {
			t.Fatalf("create acme/%s: %d %s", name, r.Status, r.Body)
		}
	}
	s.pushFiles("acme/repository-dispatch", s.Token, "v1", map[string]string{"action.yml": dispatchActionYML, "index.js": dispatchActionJS})
	s.pushFiles("acme/deploy", s.Token, "main", map[string]string{".github/workflows/cd.yml": seedCD})
	pat := strings.TrimSpace(s.admin("token", "create", "--user", "admin", "--scopes", "repo", "--name", "ci-dispatch"))
	cmd := exec.Command(binary, "secret", "set", "PAT_TOKEN", "--repo", "acme/app")
	cmd.Env = append(os.Environ(), "DISPATCHD_URL="+s.URL, "DISPATCHD_TOKEN="+s.Token)
	cmd.Stdin = strings.NewReader(pat)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("secret set: %v\n%s", err, out)
	}

	sha := s.pushFiles("acme/app", s.Token, "main", map[string]string{".github/workflows/ci.yml": seedCI, "main.go": "package main\n"})

	ci := s.onlyRun("acme/app", 60*time.Second)
	ci = s.waitRun("acme/app", ci["id"].(float64), 120*time.Second)
	if ci["conclusion"] != "success" || ci["event"] != "push" || ci["head_sha"] != sha {
		t.Fatalf("CI run %v %v %v; logs %v", ci["conclusion"], ci["event"], ci["head_sha"], s.jobLogs("acme/app", ci["id"].(float64)))
	}
	cd := s.onlyRun("acme/deploy", 60*time.Second)
	cdID := cd["id"].(float64)
	if cd = s.waitRun("acme/deploy", cdID, 60*time.Second); cd["conclusion"] != "success" {
		t.Fatalf("CD run %v", cd["conclusion"])
	}
	logs := s.jobLogs("acme/deploy", cdID)["deploy"]
	if !strings.Contains(logs, "Deploying image tag: sha-"+sha) || !strings.Contains(logs, "Target environment: production") {
		t.Fatalf("CD log:\n%s", logs)
	}
	// Linked both ways.
	cdRun := s.do("GET", "/api/v3/repos/acme/deploy/actions/runs/"+strconv.FormatFloat(cdID, 'f', 0, 64), s.Token, nil).JSON(t)
	cause, _ := cdRun["caused_by"].(map[string]any)
	if cause == nil || cause["kind"] != "secret_token" || cause["run"].(map[string]any)["id"] != ci["id"] ||
		cause["run"].(map[string]any)["repository"] != "acme/app" {
		t.Fatalf("CD caused_by %v", cdRun["caused_by"])
	}
	ciRun := s.do("GET", "/api/v3/repos/acme/app/actions/runs/"+strconv.FormatFloat(ci["id"].(float64), 'f', 0, 64), s.Token, nil).JSON(t)
	if d := ciRun["dispatched"].([]any); len(d) != 1 || d[0].(map[string]any)["repository"] != "acme/deploy" {
		t.Fatalf("CI dispatched %v", ciRun["dispatched"])
	}
}

// onlyRun waits for the first run of a repository and returns it.
func (s *server) onlyRun(repo string, within time.Duration) map[string]any {
	s.t.Helper()
	var run map[string]any
	waitFor(s.t, "a run of "+repo, within, func() bool {
		runs := s.do("GET", "/api/v3/repos/"+repo+"/actions/runs", s.Token, nil).JSON(s.t)["workflow_runs"].([]any)
		if len(runs) > 0 {
			run = runs[len(runs)-1].(map[string]any)
		}
		return run != nil
	})
	return run
}
