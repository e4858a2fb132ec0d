package expr

import (
	"strings"
	"unicode"
)

// ParseTemplate parses a YAML string value that may contain ${{ }}
// (§1.9), as GitHub's TemplateReader does:
//   - no ${{: the string itself;
//   - exactly one ${{ X }} and nothing around it: X, which keeps its type;
//   - anything else: the concatenation of the text and the string forms of
//     the expressions, which GitHub evaluates as one format('…', X, Y) call,
//     so its limits (length, depth, 254 expressions) apply to the whole.
//
// The closing }} is the first one outside a '…' string literal.
func ParseTemplate(s string) (*Expr, error) {
	root, _, err := parseTemplate(s)
	if err != nil {
		return nil, err
	}
	return &Expr{src: s, root: root}, nil
}

// EvalTemplate parses and evaluates a template; the parse is cached.
func EvalTemplate(s string, c *Context) (any, error) {
	e, err := templates.parse(s)
	if err != nil {
		return nil, err
	}
	return e.Eval(c)
}

// parseTemplate returns the template's tree and the length of the single
// expression GitHub would parse for it (for the if: length check).
func parseTemplate(s string) (*node, int, *Error) {
	var parts []*node
	exprs, lastLen := 0, 0
	exprLen := len("format('')")
	for i := 0; i < len(s); {
		open := strings.Index(s[i:], "${{")
		if open < 0 {
			parts = append(parts, &node{kind: nLit, pos: i, val: s[i:]})
			exprLen += formatTextLen(s[i:])
			break
		}
		open += i
		if open > i {
			parts = append(parts, &node{kind: nLit, pos: i, val: s[i:open]})
			exprLen += formatTextLen(s[i:open])
		}
		closing := closingBraces(s, open+3)
		if closing < 0 {
			return nil, 0, errorAt(s, open, KindParse, "The expression is not closed. An unescaped ${{ sequence was found, but the closing }} sequence was not found.")
		}
		start, end := trimBounds(s, open+3, closing)
		n, err := parseRange(s, start, end)
		if err != nil {
			return nil, 0, err
		}
		parts = append(parts, n)
		exprs++
		lastLen = utf16Len(s[start:end])
		exprLen += len("{N}, ") + lastLen
		i = closing + 2
	}
	if len(parts) == 1 && exprs == 1 {
		return parts[0], lastLen, nil // exactly ${{ X }}: X alone, typed
	}
	return templateRoot(s, parts, exprs, exprLen)
}

// templateRoot builds the tree from the parts of a template other than
// exactly ${{ X }}; exprs of them are expressions.
func templateRoot(s string, parts []*node, exprs, exprLen int) (*node, int, *Error) {
	switch {
	case len(parts) == 0:
		return &node{kind: nLit, val: ""}, 0, nil
	case len(parts) == 1: // no ${{ at all
		return parts[0], 0, nil
	}
	root := &node{kind: nConcat, name: "format", args: parts}
	if exprs > 254 {
		return nil, 0, errorAt(s, 0, KindParse, "Too many parameters supplied: 'format'")
	}
	if exprLen > maxLength {
		return nil, 0, errorAt(s, 0, KindParse, "Exceeded max expression length %d", maxLength)
	}
	// Inside format(…) every expression is one level deeper.
	for _, p := range parts {
		if depthError(p, 2) != nil {
			return nil, 0, errorAt(s, p.pos, KindParse, "Exceeded max expression depth %d", maxDepth)
		}
	}
	return root, exprLen, nil
}

// closingBraces finds the "}}" that ends an expression starting at i,
// skipping '…' literals (a ” escape toggles twice, so it works out). It
// returns the offset of the first '}', or -1.
func closingBraces(s string, i int) int {
	inString := false
	for ; i < len(s); i++ {
		switch {
		case s[i] == '\'':
			inString = !inString
		case !inString && s[i] == '}' && i+1 < len(s) && s[i+1] == '}':
			return i
		}
	}
	return -1
}

// trimBounds narrows s[start:end] to exclude surrounding whitespace.
func trimBounds(s string, start, end int) (int, int) {
	inner := s[start:end]
	left := strings.TrimLeftFunc(inner, unicode.IsSpace)
	start += len(inner) - len(left)
	return start, start + len(strings.TrimRightFunc(left, unicode.IsSpace))
}

// formatTextLen is the length literal text takes inside format('…'),
// where quotes and braces are doubled.
func formatTextLen(text string) int {
	return utf16Len(text) + strings.Count(text, "'") + strings.Count(text, "{") + strings.Count(text, "}")
}
