package dispatch

import (
	"slices"
	"testing"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/render"
)

// The github context a dispatch builds holds only the keys run-name and
// concurrency read; what they evaluate to is what the whole context gives.
func TestRunFieldsReadTheKeysTheyName(t *testing.T) {
	s := New(nil, render.URLs{Base: "http://127.0.0.1:8080"})
	owner := &dispatchd.User{ID: 7, Login: "octo"}
	repo := &dispatchd.Repo{ID: 3, Owner: owner, Name: "app"}
	event := expr.NewObject()
	event.Append("action", "deploy")
	for _, c := range []struct {
		name, runName, group string
		keys                 []string // nil: the whole context
		title, wantGroup     string
	}{
		{"by key", "${{ github.workflow }} on ${{ github.REF_NAME }} by ${{ github['actor'] }}", "${{ github.event.action }}",
			[]string{"workflow", "ref_name", "actor", "event"}, "Deploy on main by octo", "deploy"},
		{"whole", "${{ fromJSON(toJSON(github)).repository }}", "", nil, "octo/app", ""},
		{"filtered", "${{ join(github.*, '') != '' }}", "", nil, "true", ""},
		{"run id", "", "${{ github.workflow_ref }}-${{ github.run_id }}", []string{"workflow_ref", "run_id"}, "Deploy",
			"octo/app/.github/workflows/deploy.yml@refs/heads/main-42"},
	} {
		src := "name: Deploy\non: repository_dispatch\n"
		if c.runName != "" {
			src += "run-name: \"" + c.runName + "\"\n"
		}
		if c.group != "" {
			src += "concurrency: \"" + c.group + "\"\n"
		}
		src += "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n"
		f := &dispatchd.WorkflowFile{RepoID: repo.ID, Path: ".github/workflows/deploy.yml", BlobSHA: c.name, Source: []byte(src)}
		m := s.modelOf(f)
		if ok, why := m.runnable(); !ok {
			t.Fatalf("%s: %s", c.name, why)
		}
		want := c.keys
		if want == nil {
			want = githubKeys
		}
		if !slices.Equal(m.githubKeys, want) {
			t.Errorf("%s: keys %q, want %q", c.name, m.githubKeys, want)
		}
		tr := &trigger{repo: repo, actor: owner, eventName: "repository_dispatch", event: event, ref: "refs/heads/main",
			sha: "abc", file: f, name: "Deploy"}
		nr := s.newRun(tr, m)
		if nr.Finish != nil {
			nr.Run.ID = 42
			nr.Finish(nr.Run)
		}
		if nr.Run.DisplayTitle != c.title || nr.Run.ConcurrencyGroup != c.wantGroup {
			t.Errorf("%s: title %q, group %q; want %q, %q", c.name, nr.Run.DisplayTitle, nr.Run.ConcurrencyGroup, c.title, c.wantGroup)
		}
	}
}
