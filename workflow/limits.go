package workflow

import (
	"strings"

	"github.com/dispatchd/dispatchd"
	yaml "go.yaml.in/yaml/v4"
)

// Limits on what a workflow file may cost to read. Files come from any user
// who can push, and both the index and the engine parse them.
const (
	// MaxFileSize is the largest workflow file that is parsed at all. GitHub
	// does not publish a limit; real workflows are a few KiB.
	MaxFileSize = 512 << 10

	// maxDepth bounds YAML nesting (counting through aliases). Real
	// workflows nest about 10 levels; the YAML library allows 10,000, and
	// actionlint and this package recurse over the tree.
	maxDepth = 64

	// maxNodes bounds the node count once aliases are expanded. Nothing
	// expands aliases eagerly, but actionlint's matrix parsing and this
	// package's model walk them as trees, so a "billion laughs" document
	// would take exponential time there. A file within MaxFileSize without
	// aliases stays below this count.
	maxNodes = 300_000

	// maxExprDepth is GitHub's own limit on expression nesting
	// (ExpressionConstants.MaxDepth in the runner). actionlint's recursive
	// descent parser has none, so `${{ ((((…` is checked before it runs.
	maxExprDepth = 50
)

func checkSize(src []byte) *dispatchd.Problem {
	if len(src) <= MaxFileSize {
		return nil
	}
	p := problemAt(Pos{Line: 1, Column: 1}, KindLimit, SeverityError,
		"workflow file is %d bytes; files larger than %d bytes are not parsed", len(src), MaxFileSize)
	return &p
}

type measure struct {
	size   int // nodes with aliases expanded
	height int
}

type limitWalker struct {
	memo    map[*yaml.Node]measure // anchored nodes only: aliases make them shared
	active  map[*yaml.Node]bool    // anchored nodes being walked: an alias to one is a cycle
	problem *dispatchd.Problem
}

// checkLimits rejects documents that are too deep, expand to too many nodes
// through aliases, contain a recursive alias, or nest expressions deeper than
// GitHub allows. It visits every node once (aliases are memoized).
// It returns the number of nodes with aliases expanded.
func checkLimits(doc *yaml.Node) (int, *dispatchd.Problem) {
	w := &limitWalker{memo: map[*yaml.Node]measure{}, active: map[*yaml.Node]bool{}}
	m := w.walk(doc, 1, false)
	return m.size, w.problem
}

func (w *limitWalker) fail(n *yaml.Node, format string, args ...any) {
	if w.problem == nil {
		p := problemAt(posOf(n), KindLimit, SeverityError, format, args...)
		w.problem = &p
	}
}

func (w *limitWalker) walk(n *yaml.Node, depth int, isIf bool) measure {
	if w.problem != nil || n == nil {
		return measure{}
	}
	if n.Kind == yaml.AliasNode {
		t := n.Alias
		if t == nil {
			return measure{size: 1, height: 1}
		}
		if w.active[t] {
			w.fail(n, "recursive alias %q: an anchor cannot be used inside itself", t.Anchor)
			return measure{}
		}
		n = t
	}
	if depth > maxDepth {
		w.fail(n, "YAML nesting is deeper than %d levels", maxDepth)
		return measure{}
	}
	if m, ok := w.memo[n]; ok {
		if depth+m.height-1 > maxDepth {
			w.fail(n, "YAML nesting is deeper than %d levels", maxDepth)
		}
		return m
	}
	anchored := n.Anchor != ""
	if anchored {
		w.active[n] = true
	}
	m := measure{size: 1, height: 1}
	if n.Kind == yaml.ScalarNode {
		w.checkExpressions(n, isIf)
	}
	for i, c := range n.Content {
		// The value of an `if:` key is an expression even without ${{ }}.
		childIsIf := n.Kind == yaml.MappingNode && i%2 == 1 && n.Content[i-1].Value == "if"
		cm := w.walk(c, depth+1, childIsIf)
		m.size += cm.size
		m.height = max(m.height, cm.height+1)
		if m.size > maxNodes {
			w.fail(c, "YAML aliases expand to more than %d nodes", maxNodes)
		}
		if w.problem != nil {
			break
		}
	}
	if anchored {
		delete(w.active, n)
		w.memo[n] = m
	}
	return m
}

// checkExpressions measures the nesting of every ${{ }} in a scalar (and of
// the whole scalar for a bare `if:` condition). Scanning resumes after each
// expression's closing }}, and stops at one that is not closed (as
// actionlint's own checks do), so a scalar costs one pass however many ${{
// it contains.
func (w *limitWalker) checkExpressions(n *yaml.Node, isIf bool) {
	s := n.Value
	if isIf && !strings.Contains(s, "${{") {
		if depth, _ := exprDepth(s); depth > maxExprDepth {
			w.fail(n, "Exceeded max expression depth %d", maxExprDepth)
		}
		return
	}
	for {
		i := strings.Index(s, "${{")
		if i < 0 {
			return
		}
		depth, end := exprDepth(s[i+3:])
		if depth > maxExprDepth {
			w.fail(n, "Exceeded max expression depth %d", maxExprDepth)
			return
		}
		if end < 0 {
			return
		}
		s = s[i+3+end:]
	}
}

// exprDepth returns the deepest nesting of parentheses, brackets and
// negations in the expression at the start of s, skipping string literals,
// and the offset just past its closing }} (-1 when there is none). It errs
// on the high side: it only has to be cheap and to bound what a recursive
// parser would do. It stops early once the depth is over the limit.
func exprDepth(s string) (int, int) {
	var stack []int // depth contributed by each open ( or [
	depth, bangs, deepest := 0, 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'':
			// Skip the literal; '' is an escaped quote inside it.
			for i++; i < len(s); i++ {
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
			bangs = 0
		case '!':
			if i+1 < len(s) && s[i+1] == '=' {
				i++
				bangs = 0
				continue
			}
			bangs++
		case '(', '[':
			stack = append(stack, bangs+1)
			depth += bangs + 1
			bangs = 0
		case ')', ']':
			if len(stack) > 0 {
				depth -= stack[len(stack)-1]
				stack = stack[:len(stack)-1]
			}
			bangs = 0
		case '}':
			if i+1 < len(s) && s[i+1] == '}' {
				return deepest, i + 2
			}
			bangs = 0
		case ' ', '\t', '\n', '\r':
		default:
			bangs = 0
		}
		deepest = max(deepest, depth+bangs)
		if deepest > maxExprDepth {
			return deepest, -1
		}
	}
	return deepest, -1
}
