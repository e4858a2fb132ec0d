package expr

import (
	"slices"
	"testing"
)

func TestContextKeys(t *testing.T) {
	for _, c := range []struct {
		tmpl string
		keys []string
		all  bool
	}{
		{"Deploy ${{ github.event.client_payload.image_tag }}", []string{"event"}, false},
		{"${{ github.Event.x }} ${{ GITHUB['ref_name'] }} ${{ github.event.y }}", []string{"event", "ref_name"}, false},
		{"${{ github.head_ref || github.run_id }}", []string{"head_ref", "run_id"}, false},
		{"${{ format('{0}-{1}', github.workflow, inputs.env) }}", []string{"workflow"}, false},
		{"${{ inputs.env }} plain", nil, false},
		{"${{ toJSON(github) }}", nil, true},
		{"${{ github.*.x }}", nil, true},
		{"${{ github[inputs.key] }}", nil, true},
		{"${{ github[github.ref_name] }}", []string{"ref_name"}, true},
		{"${{ github[1] }}", nil, true},
		{"${{ github == null }}", nil, true},
	} {
		e, err := ParseTemplate(c.tmpl)
		if err != nil {
			t.Fatalf("%s: %v", c.tmpl, err)
		}
		keys, all := e.ContextKeys("github")
		if !slices.Equal(keys, c.keys) || all != c.all {
			t.Errorf("%s: keys %q, all %v; want %q, %v", c.tmpl, keys, all, c.keys, c.all)
		}
	}
}
