package workflow

import (
	"fmt"
	"strings"
	"testing"
)

// matrixOfYAML parses `strategy.matrix` from YAML, so the tests read like
// the GitHub docs examples they come from.
func matrixOfYAML(t *testing.T, matrix string) []KV {
	t.Helper()
	var b strings.Builder
	b.WriteString("on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n    strategy:\n      matrix:\n")
	for _, line := range strings.Split(strings.TrimSpace(matrix), "\n") {
		b.WriteString("        " + line + "\n")
	}
	w, problems := Parse("w.yml", []byte(b.String()))
	if w == nil || len(problems) > 0 {
		t.Fatalf("bad test matrix: %+v", problems)
	}
	return w.Jobs[0].Strategy.Matrix.Entries
}

// describeCombos renders combinations as "k=v,k=v | …".
func describeCombos(cs []MatrixCombo) string {
	var legs []string
	for _, c := range cs {
		var kvs []string
		for _, kv := range c {
			kvs = append(kvs, fmt.Sprintf("%s=%v", kv.Key, describeValue(kv.Value)))
		}
		legs = append(legs, strings.Join(kvs, ","))
	}
	return strings.Join(legs, " | ")
}

func describeValue(v any) string {
	if kvs, ok := v.([]KV); ok {
		var parts []string
		for _, kv := range kvs {
			parts = append(parts, kv.Key+":"+describeValue(kv.Value))
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return fmt.Sprint(v)
}

func TestExpandMatrix(t *testing.T) {
	tests := []struct {
		name, matrix, want string
	}{
		{
			name:   "product in key order, first key slowest",
			matrix: "version: [10, 12, 14]\nos: [ubuntu-latest, windows-latest]",
			want: "version=10,os=ubuntu-latest | version=10,os=windows-latest | version=12,os=ubuntu-latest | " +
				"version=12,os=windows-latest | version=14,os=ubuntu-latest | version=14,os=windows-latest",
		},
		{
			name:   "single vector",
			matrix: "mode: [fail, slow]",
			want:   "mode=fail | mode=slow",
		},
		{
			name: "docs: expanding or adding combinations",
			matrix: `fruit: [apple, pear]
animal: [cat, dog]
include:
  - color: green
  - color: pink
    animal: cat
  - fruit: apple
    shape: circle
  - fruit: banana
  - fruit: banana
    animal: cat`,
			want: "fruit=apple,animal=cat,color=pink,shape=circle | fruit=apple,animal=dog,color=green,shape=circle | " +
				"fruit=pear,animal=cat,color=pink | fruit=pear,animal=dog,color=green | fruit=banana | fruit=banana,animal=cat",
		},
		{
			name: "docs: expanding configurations",
			matrix: `os: [windows-latest, ubuntu-latest]
node: [14, 16]
include:
  - os: windows-latest
    node: 16
    npm: 6`,
			want: "os=windows-latest,node=14 | os=windows-latest,node=16,npm=6 | os=ubuntu-latest,node=14 | os=ubuntu-latest,node=16",
		},
		{
			name: "docs: adding configurations",
			matrix: `os: [macos-latest, windows-latest, ubuntu-latest]
version: [12, 14, 16]
include:
  - os: windows-latest
    version: 17`,
			want: "os=macos-latest,version=12 | os=macos-latest,version=14 | os=macos-latest,version=16 | " +
				"os=windows-latest,version=12 | os=windows-latest,version=14 | os=windows-latest,version=16 | " +
				"os=ubuntu-latest,version=12 | os=ubuntu-latest,version=14 | os=ubuntu-latest,version=16 | " +
				"os=windows-latest,version=17",
		},
		{
			name: "docs: include only",
			matrix: `include:
  - site: production
    datacenter: site-a
  - site: staging
    datacenter: site-b`,
			want: "site=production,datacenter=site-a | site=staging,datacenter=site-b",
		},
		{
			name: "docs: excluding matrix configurations",
			matrix: `os: [macos-latest, windows-latest]
version: [12, 14, 16]
environment: [staging, production]
exclude:
  - os: macos-latest
    version: 12
    environment: production
  - os: windows-latest
    version: 16`,
			want: "os=macos-latest,version=12,environment=staging | os=macos-latest,version=14,environment=staging | " +
				"os=macos-latest,version=14,environment=production | os=macos-latest,version=16,environment=staging | " +
				"os=macos-latest,version=16,environment=production | os=windows-latest,version=12,environment=staging | " +
				"os=windows-latest,version=12,environment=production | os=windows-latest,version=14,environment=staging | " +
				"os=windows-latest,version=14,environment=production",
		},
		{
			name: "exclude runs before include",
			matrix: `os: [a, b]
exclude:
  - os: b
include:
  - os: b
    extra: 1`,
			want: "os=a | os=b,extra=1",
		},
		{
			name: "include overwrites values added by earlier includes, never original ones",
			matrix: `os: [a, b]
include:
  - tag: one
  - os: a
    tag: two
  - os: c
    tag: three`,
			want: "os=a,tag=two | os=b,tag=one | os=c,tag=three",
		},
		{
			name: "includes never merge into combinations created by includes",
			matrix: `os: [a]
include:
  - os: z
  - os: z
    extra: x`,
			want: "os=a | os=z | os=z,extra=x",
		},
		{
			name: "everything excluded, include appended",
			matrix: `os: [a]
exclude:
  - os: a
include:
  - os: q`,
			want: "os=q",
		},
		{
			name:   "typed values compare by value",
			matrix: "node: [14, '14']\nexclude:\n  - node: 14",
			want:   "node=14",
		},
		{
			name:   "object values",
			matrix: "cfg: [{os: linux, v: 1}, {os: mac, v: 2}]\nexclude:\n  - cfg: {v: 2, os: mac}",
			want:   "cfg={os:linux,v:1}",
		},
		{
			name:   "keys are case-insensitive",
			matrix: "OS: [a, b]\nexclude:\n  - os: a\ninclude:\n  - Os: b\n    x: 1",
			want:   "OS=b,x=1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			combos, err := ExpandMatrix(matrixOfYAML(t, tt.matrix))
			if err != nil {
				t.Fatal(err)
			}
			if got := describeCombos(combos); got != tt.want {
				t.Errorf("got\n  %s\nwant\n  %s", got, tt.want)
			}
		})
	}
}

func TestExpandMatrixErrors(t *testing.T) {
	long := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = float64(i)
		}
		return out
	}
	var includes []any
	for i := range 257 {
		includes = append(includes, []KV{{"n", float64(i)}})
	}
	tests := []struct {
		name string
		m    []KV
		want string
	}{
		{"empty vector", []KV{{"os", []any{"a"}}, {"node", []any{}}}, "Matrix vector 'node' does not contain any values"},
		{"no vector", []KV{}, "Matrix must define at least one vector"},
		{"vector twice", []KV{{"os", []any{"a"}}, {"OS", []any{"b"}}}, "Matrix vector 'OS' is defined more than once"},
		{"only exclude", []KV{{"exclude", []any{[]KV{{"a", "b"}}}}}, "Matrix must define at least one vector"},
		{"unevaluated vector", []KV{{"os", "${{ fromJSON(x) }}"}}, `Matrix vector 'os' must be a list of values, not the unevaluated expression "${{ fromJSON(x) }}"`},
		{"scalar vector", []KV{{"os", "linux"}}, "Matrix vector 'os' must be a list of values"},
		{"unknown exclude key", []KV{{"os", []any{"a"}}, {"exclude", []any{[]KV{{"arch", "x"}}}}}, "Matrix exclude key 'arch' does not match any key within the matrix"},
		{"include not a list", []KV{{"include", "${{ x }}"}}, "Matrix 'include' must be a list of mappings"},
		{"include entry not a mapping", []KV{{"include", []any{"x"}}}, "Matrix 'include' entry 1 must be a mapping"},
		{"257 jobs", []KV{{"a", long(257)}}, "more than 256 jobs"},
		{"product over 256", []KV{{"a", long(16)}, {"b", long(17)}}, "more than 256 jobs"},
		{"huge product", []KV{{"a", long(1000)}, {"b", long(1000)}, {"c", long(1000)}}, "more than 256 jobs"},
		{"includes over 256", []KV{{"include", includes}}, "more than 256 jobs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			combos, err := ExpandMatrix(tt.m)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, %v; want an error with %q", describeCombos(combos), err, tt.want)
			}
		})
	}
}

func TestExpandMatrixLimits(t *testing.T) {
	var vals []any
	for i := range 256 {
		vals = append(vals, float64(i))
	}
	combos, err := ExpandMatrix([]KV{{"n", vals}})
	if err != nil || len(combos) != 256 {
		t.Errorf("256 jobs are allowed: %d %v", len(combos), err)
	}
	// Large products are fine when excludes bring them under the limit.
	combos, err = ExpandMatrix([]KV{{"a", vals[:20]}, {"b", vals[:20]}, {"exclude", []any{map[string]any{"a": 0.0}, map[string]any{"a": 1.0}}}})
	if err == nil {
		t.Errorf("360 jobs after excludes must fail, got %d", len(combos))
	}
	combos, err = ExpandMatrix([]KV{{"a", vals[:20]}, {"b", vals[:20]}, {"exclude", excludeAllBut(vals[:20], 12)}})
	if err != nil || len(combos) != 240 {
		t.Errorf("400 combinations minus 160 excluded: %d %v", len(combos), err)
	}
}

func excludeAllBut(vals []any, keep int) []any {
	var out []any
	for _, v := range vals[keep:] {
		out = append(out, map[string]any{"a": v})
	}
	return out
}

func TestExpandMatrixEvaluatedValues(t *testing.T) {
	// What the engine passes after evaluating ${{ fromJSON(…) }}: maps and
	// Go numbers of other types.
	m := []KV{
		{"os", []any{"linux", "mac"}},
		{"v", []any{1, 2}},
		{"include", []any{map[string]any{"os": "mac", "v": 2.0, "z": true, "a": "first"}}},
	}
	combos, err := ExpandMatrix(m)
	if err != nil {
		t.Fatal(err)
	}
	want := "os=linux,v=1 | os=linux,v=2 | os=mac,v=1 | os=mac,v=2,a=first,z=true"
	if got := describeCombos(combos); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if v, ok := combos[3].Get("Z"); !ok || v != true {
		t.Errorf("Get is case-insensitive: %v %v", v, ok)
	}
	nested := MatrixCombo{{"cfg", []KV{{"os", "linux"}, {"list", []any{[]KV{{"a", 1.0}}}}}}}.Map()
	if fmt.Sprint(nested) != "map[cfg:map[list:[map[a:1]] os:linux]]" {
		t.Errorf("Map: %v", nested)
	}
}
