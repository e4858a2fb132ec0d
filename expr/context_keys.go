package expr

import (
	"slices"
	"strings"
)

// ContextKeys reports which properties of the named context (lower case:
// "github") e reads: the names in ctx.name and ctx['name'], lower-cased,
// as lookups ignore case. all is true when e uses the context some other
// way (whole, as in toJSON(github), filtered with .*, or indexed by a
// computed value), and may then read any property.
func (e *Expr) ContextKeys(ctx string) (keys []string, all bool) {
	var visit func(n *node)
	visit = func(n *node) {
		if n.kind == nIndex && n.args[0].kind == nCtx && n.args[0].name == ctx {
			if k, ok := constKey(n.args[1]); ok {
				if k = strings.ToLower(k); !slices.Contains(keys, k) {
					keys = append(keys, k)
				}
				return
			}
			all = true
			visit(n.args[1])
			return
		}
		if n.kind == nCtx && n.name == ctx {
			all = true
		}
		for _, a := range n.args {
			visit(a)
		}
	}
	visit(e.root)
	return keys, all
}

// constKey is the property an index names when it is a constant.
func constKey(n *node) (string, bool) {
	switch n.kind {
	case nProp:
		return n.name, true
	case nLit:
		s, ok := n.val.(string)
		return s, ok
	}
	return "", false
}
