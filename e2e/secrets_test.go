package e2e

import (
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/dispatchd/dispatchd/seal"
	"github.com/google/go-github/v92/github"
)

const secretWorkflow = `on: repository_dispatch
jobs:
  use:
    runs-on: ubuntu-latest
    steps:
      - env:
          KEY: ${{ secrets.DEPLOY_KEY }}
        run: |
          echo "key=$KEY"
          echo "b64=$(printf %s "$KEY" | base64)"
          echo "length=${#KEY}"
          echo "pat=${{ secrets.pat_token }}"
          echo "region=${{ vars.REGION }}"
`

func TestSecretsAndVariablesReachRunsMasked(t *testing.T) {
	s := startServer(t)
	s.createRepo(s.Token, map[string]any{"name": "app", "auto_init": true})
	s.pushFiles("admin/app", s.Token, "main", map[string]string{".github/workflows/use.yml": secretWorkflow})
	const value = "correct-horse-battery-staple"

	// The CLI reads the value from stdin and seals it like the gh CLI does.
	cmd := exec.Command(binary, "secret", "set", "DEPLOY_KEY", "--repo", "admin/app")
	cmd.Env = append(os.Environ(), "DISPATCHD_URL="+s.URL, "DISPATCHD_TOKEN="+s.Token)
	cmd.Stdin = strings.NewReader(value + "\n")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "set secret DEPLOY_KEY") {
		t.Fatalf("secret set: %v\n%s", err, out)
	}
	// go-github, as any GitHub client: public key, seal, PUT.
	c := goGitHub(t, s, s.Token)
	ctx := context.Background()
	key, _, err := c.Actions.GetRepoPublicKey(ctx, "admin", "app")
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := seal.SealFor(key.GetKey(), []byte("pat-123456789"))
	resp, err := c.Actions.CreateOrUpdateRepoSecret(ctx, "admin", "app", "PAT_TOKEN", github.SecretRequest{KeyID: key.GetKeyID(), EncryptedValue: sealed})
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("CreateOrUpdateRepoSecret: %v %v", resp, err)
	}
	if r := s.do("PUT", "/api/v3/repos/admin/app/actions/secrets/BAD", s.Token, map[string]any{"encrypted_value": base64.StdEncoding.EncodeToString([]byte("garbage")), "key_id": key.GetKeyID()}); r.Status != 422 {
		t.Fatalf("unsealable value: %d %s", r.Status, r.Body)
	}
	if r := s.do("POST", "/api/v3/repos/admin/app/actions/variables", s.Token, map[string]any{"name": "REGION", "value": "eu-west"}); r.Status != 201 {
		t.Fatalf("create variable: %d %s", r.Status, r.Body)
	}
	// The secret's value is never returned.
	list := s.do("GET", "/api/v3/repos/admin/app/actions/secrets", s.Token, nil)
	if list.Status != 200 || strings.Contains(string(list.Body), value) || list.JSON(t)["total_count"] != float64(2) {
		t.Fatalf("list secrets: %d %s", list.Status, list.Body)
	}
	// A reader may not list secrets.
	s.admin("user", "create", "reader")
	reader := strings.TrimSpace(s.admin("token", "create", "--user", "reader", "--scopes", "repo"))
	s.do("PUT", "/api/v3/repos/admin/app/collaborators/reader", s.Token, map[string]any{"permission": "pull"})
	if r := s.do("GET", "/api/v3/repos/admin/app/actions/secrets", reader, nil); r.Status != 403 {
		t.Fatalf("reader lists secrets: %d %s", r.Status, r.Body)
	}

	r := s.do("POST", "/api/v3/repos/admin/app/dispatches", s.Token, `{"event_type":"go"}`)
	ev := s.do("GET", "/api/v3/repos/admin/app/dispatches/"+r.Header.Get("X-Dispatch-Id"), s.Token, nil).JSON(t)
	runID := ev["workflow_runs"].([]any)[0].(map[string]any)["id"].(float64)
	if run := s.waitRun("admin/app", runID, 60*time.Second); run["conclusion"] != "success" {
		t.Fatalf("run: %v", run["conclusion"])
	}
	log := s.jobLogs("admin/app", runID)["use"]
	for _, want := range []string{" key=***\n", " b64=***\n", " length=28\n", " pat=***\n", " region=eu-west\n"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if strings.Contains(log, value) || strings.Contains(log, base64.StdEncoding.EncodeToString([]byte(value))) || strings.Contains(log, "pat-123456789") {
		t.Fatalf("a secret leaked into the log:\n%s", log)
	}
}
