package expr

// nodeKind is the kind of an AST node.
type nodeKind uint8

const (
	nLit    nodeKind = iota // a literal: val
	nProp                   // the name after a dot, a string: name; only as args[1] of nIndex
	nCtx                    // a named context: name (lower case)
	nStar                   // the * of an object filter; only as args[1] of nIndex
	nIndex                  // args[0][args[1]], also args[0].name
	nNot                    // !args[0]
	nAnd                    // args[0] && args[1] && …, flattened as GitHub does
	nOr                     // args[0] || args[1] || …, flattened
	nCmp                    // args[0] op args[1]
	nCall                   // fn(args…)
	nConcat                 // a template: the string conversions of args, concatenated
)

// node is one AST node. A single struct keeps the tree compact and lets
// literals carry their value boxed once, at parse time.
type node struct {
	kind nodeKind
	op   tokKind // nCmp: tEq, tNe, tLt, tLe, tGt, tGe
	pos  int     // byte offset of the node in the source, for errors
	val  any     // nLit
	name string  // nCtx: canonical context name; nCall: canonical function name
	fn   *function
	args []*node
	// inline holds up to two arguments, so that most nodes need no
	// separate allocation for args.
	inline [2]*node
}

// setArgs sets the arguments, in inline storage when they fit.
func (n *node) setArgs(args ...*node) {
	if len(args) <= len(n.inline) {
		n.args = append(n.inline[:0], args...)
		return
	}
	n.args = args
}

// walk calls f for n and every node below it, depth first.
func (n *node) walk(f func(*node)) {
	f(n)
	for _, a := range n.args {
		a.walk(f)
	}
}

// depthError finds a node deeper than maxDepth, counting n as depth and
// each argument one deeper, as GitHub's CheckMaxDepth does (the root is 1).
// Groups ( ) add no depth, and a flattened && / || chain adds one level
// however long it is.
func depthError(n *node, depth int) *node {
	if depth > maxDepth {
		return n
	}
	for _, a := range n.args {
		if bad := depthError(a, depth+1); bad != nil {
			return bad
		}
	}
	return nil
}

// callsStatusFunction reports whether the tree calls success(), failure(),
// cancelled() or always() anywhere: such an if: is not wrapped in success().
func (n *node) callsStatusFunction() bool {
	found := false
	n.walk(func(x *node) {
		if x.kind == nCall && x.fn.status {
			found = true
		}
	})
	return found
}
