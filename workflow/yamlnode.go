package workflow

import (
	"strings"

	yaml "go.yaml.in/yaml/v4"
)

// Helpers over the YAML node tree. The model is built from yaml.Node rather
// than from actionlint's AST because actionlint keeps jobs, matrix rows and
// objects in Go maps (file order lost) and every matrix scalar as a string
// (14 and true become "14" and "true", which changes `${{ matrix.x }}`).

func posOf(n *yaml.Node) Pos {
	if n == nil {
		return Pos{}
	}
	return Pos{Line: n.Line, Column: n.Column}
}

// deref follows aliases. checkLimits has already rejected alias cycles; the
// loop is bounded anyway so that a bug there cannot hang the server.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i == 64 {
			return nil
		}
		n = n.Alias
	}
	return n
}

type entry struct {
	name string // the key as written
	key  *yaml.Node
	val  *yaml.Node
}

// entries returns the pairs of a mapping node, nil for any other node.
// Non-scalar keys are skipped: no workflow key can be one.
func entries(n *yaml.Node) []entry {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([]entry, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if k == nil || v == nil || k.Kind != yaml.ScalarNode {
			continue
		}
		out = append(out, entry{name: k.Value, key: k, val: v})
	}
	return out
}

// lookup returns the value of key in a mapping node, or nil.
func lookup(n *yaml.Node, key string) *yaml.Node {
	for _, e := range entries(n) {
		if e.name == key {
			return e.val
		}
	}
	return nil
}

// kindOf is the kind of n after aliases, 0 for nil.
func kindOf(n *yaml.Node) yaml.Kind {
	if n = deref(n); n == nil {
		return 0
	}
	return n.Kind
}

func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// scalar returns the text of a scalar node as written (without quotes),
// false for null and non-scalars.
func scalar(n *yaml.Node) (string, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return "", false
	}
	return n.Value, true
}

func str(n *yaml.Node) string {
	s, _ := scalar(n)
	return s
}

func hasExpr(s string) bool {
	return strings.Contains(s, "${{")
}

// stringList reads a sequence of scalars; a single scalar means a one-element
// list, as GitHub accepts for `types:` and `needs:`.
func stringList(n *yaml.Node) []string {
	n = deref(n)
	if n == nil {
		return nil
	}
	if s, ok := scalar(n); ok {
		return []string{s}
	}
	if n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		if s, ok := scalar(c); ok {
			out = append(out, s)
		}
	}
	return out
}

func pairs(n *yaml.Node) []Pair {
	es := entries(n)
	if es == nil {
		return nil
	}
	out := make([]Pair, 0, len(es))
	for _, e := range es {
		out = append(out, Pair{Name: e.name, Value: str(e.val)})
	}
	return out
}

func envOf(n *yaml.Node) Env {
	if s, ok := scalar(n); ok {
		return Env{Expr: s}
	}
	return Env{Vars: pairs(n)}
}

func boolOrExpr(n *yaml.Node) BoolOrExpr {
	s, ok := scalar(n)
	if !ok {
		return BoolOrExpr{}
	}
	if hasExpr(s) {
		return BoolOrExpr{Set: true, Expr: s}
	}
	return BoolOrExpr{Set: true, Value: strings.EqualFold(strings.TrimSpace(s), "true")}
}

func numberOrExpr(n *yaml.Node) NumberOrExpr {
	n = deref(n)
	s, ok := scalar(n)
	if !ok {
		return NumberOrExpr{}
	}
	if hasExpr(s) {
		return NumberOrExpr{Set: true, Expr: s}
	}
	var f float64
	if err := n.Decode(&f); err != nil {
		// Not a number: actionlint reports it; keep the text so it is not lost.
		return NumberOrExpr{Set: true, Expr: s}
	}
	return NumberOrExpr{Set: true, Value: f}
}

// rawValue converts a node to plain Go values with YAML's types: nil, bool,
// float64 (expression numbers are doubles), string, []any, and []KV for
// mappings so that key order survives. depth is bounded by checkLimits; the
// check here only protects against a bug there.
func rawValue(n *yaml.Node, depth int) any {
	n = deref(n)
	if n == nil || depth > maxDepth {
		return nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil
		case "!!bool":
			var b bool
			if n.Decode(&b) == nil {
				return b
			}
		case "!!int", "!!float":
			var f float64
			if n.Decode(&f) == nil {
				return f
			}
		}
		return n.Value
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			out = append(out, rawValue(c, depth+1))
		}
		return out
	case yaml.MappingNode:
		es := entries(n)
		out := make([]KV, 0, len(es))
		for _, e := range es {
			out = append(out, KV{Key: e.name, Value: rawValue(e.val, depth+1)})
		}
		return out
	}
	return nil
}
