package expr

import "testing"

// benchContext is a typical dispatch context.
func benchContext(b *testing.B) *Context {
	v, err := FromJSON([]byte(`{
		"github": {"event_name": "repository_dispatch", "ref": "refs/heads/main", "repository": "octo-org/octo-repo",
			"actor": "octocat", "sha": "ffac537e6cbbf934b08745a378932722df287a53",
			"event": {"action": "deploy", "branch": "main",
				"client_payload": {"image_tag": "v1.2.3", "env": "staging"}}},
		"inputs": {"env": "staging", "environment": "production"},
		"env": {"CI": "true"}
	}`))
	if err != nil {
		b.Fatal(err)
	}
	c := &Context{Values: map[string]any{}}
	for k, v := range v.(*Object).All() {
		c.Values[k] = v
	}
	return c
}

const (
	benchIf       = "github.event.action == 'deploy' && inputs.env != ''"
	benchTemplate = "Deploying ${{ github.event.client_payload.image_tag }} to ${{ inputs.environment }}"
)

// BenchmarkIf measures a typical step if:, with the implicit success().
// "parse+eval" is EvalIf on the raw text; "eval" reuses a ParseIf result.
func BenchmarkIf(b *testing.B) {
	c := benchContext(b)
	b.Run("parse+eval", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if ok, err := EvalIf(benchIf, c); err != nil || !ok {
				b.Fatal(ok, err)
			}
		}
	})
	b.Run("eval", func(b *testing.B) {
		e, err := ParseIf(benchIf, StepLevel)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if v, err := e.Eval(c); err != nil || !Truthy(v) {
				b.Fatal(v, err)
			}
		}
	})
}

// BenchmarkTemplate measures interpolating a typical run: or name: value.
func BenchmarkTemplate(b *testing.B) {
	c := benchContext(b)
	const want = "Deploying v1.2.3 to production"
	b.Run("parse+eval", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if v, err := EvalTemplate(benchTemplate, c); err != nil || v != want {
				b.Fatal(v, err)
			}
		}
	})
	b.Run("eval", func(b *testing.B) {
		e, err := ParseTemplate(benchTemplate)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if v, err := e.Eval(c); err != nil || v != want {
				b.Fatal(v, err)
			}
		}
	})
}
