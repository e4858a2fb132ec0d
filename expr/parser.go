package expr

// Expr is a parsed expression, ready to evaluate any number of times.
type Expr struct {
	src  string
	root *node
}

// Parse parses one expression: the text between ${{ and }}.
func Parse(src string) (*Expr, error) {
	root, err := parseRange(src, 0, len(src))
	if err != nil {
		return nil, err
	}
	return &Expr{src: src, root: root}, nil
}

// String returns the source text the expression was parsed from.
func (e *Expr) String() string { return e.src }

// Contexts returns the named contexts the expression refers to, lower case,
// each once: a workflow validator checks them against the contexts allowed
// where the expression appears.
func (e *Expr) Contexts() []string {
	var names []string
	e.root.walk(func(n *node) {
		if n.kind == nCtx && !contains(names, n.name) {
			names = append(names, n.name)
		}
	})
	return names
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseRange parses the expression src[start:end]; error positions are
// offsets into src.
func parseRange(src string, start, end int) (*node, *Error) {
	if utf16Len(src[start:end]) > maxLength {
		return nil, errorAt(src, start, KindParse, "Exceeded max expression length %d", maxLength)
	}
	p := &parser{lx: lexer{src: src, pos: start, end: end}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tEOF {
		return nil, errorAt(src, start, KindParse, "An expression was expected")
	}
	root, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.unexpected()
	}
	if depthError(root, 1) != nil {
		return nil, errorAt(src, start, KindParse, "Exceeded max expression depth %d", maxDepth)
	}
	return root, nil
}

// utf16Len is the length .NET's String.Length would report.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// parser is a recursive-descent parser over GitHub's grammar:
//
//	or      = and { "||" and }
//	and     = eq { "&&" eq }
//	eq      = rel { ("==" | "!=") rel }
//	rel     = unary { ("<" | "<=" | ">" | ">=") unary }
//	unary   = "!" unary | postfix
//	postfix = primary { "." (name | "*") | "[" (or | "*") "]" }
//	primary = literal | context | name "(" [ or { "," or } ] ")" | "(" or ")"
//
// As in GitHub, "." and "[" may not follow a literal ('abc'[0] is an error).
type parser struct {
	lx   lexer
	tok  token // the current token
	prev token // the token before it
}

func (p *parser) advance() *Error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.prev, p.tok = p.tok, t
	return nil
}

// unexpected reports the current token, or the end of the expression.
func (p *parser) unexpected() *Error {
	src := p.lx.src
	if p.tok.kind == tEOF {
		return errorAt(src, p.prev.pos, KindParse, "Unexpected end of expression: '%s'", src[p.prev.pos:p.prev.end])
	}
	return errorAt(src, p.tok.pos, KindParse, "Unexpected symbol: '%s'", src[p.tok.pos:p.tok.end])
}

func (p *parser) expect(k tokKind) *Error {
	if p.tok.kind != k {
		return p.unexpected()
	}
	return p.advance()
}

// parseLogical parses a chain of && or || into one n-ary node. Operands that
// are themselves the same operator (from parentheses) are flattened into it,
// as GitHub's parser does; this matters for the depth limit.
func (p *parser) parseLogical(op tokKind, kind nodeKind, operand func() (*node, *Error)) (*node, *Error) {
	first, err := operand()
	if err != nil || p.tok.kind != op {
		return first, err
	}
	n := &node{kind: kind, pos: first.pos}
	n.args = flatten(n.inline[:0], first, kind)
	for p.tok.kind == op {
		if err := p.advance(); err != nil {
			return nil, err
		}
		next, err := operand()
		if err != nil {
			return nil, err
		}
		n.args = flatten(n.args, next, kind)
	}
	return n, nil
}

func flatten(args []*node, n *node, kind nodeKind) []*node {
	if n.kind == kind {
		return append(args, n.args...)
	}
	return append(args, n)
}

func (p *parser) parseOr() (*node, *Error) { return p.parseLogical(tOr, nOr, p.parseAnd) }

func (p *parser) parseAnd() (*node, *Error) { return p.parseLogical(tAnd, nAnd, p.parseEquality) }

func (p *parser) parseEquality() (*node, *Error) {
	return p.parseBinary(p.parseRelational, tEq, tNe)
}

func (p *parser) parseRelational() (*node, *Error) {
	return p.parseBinary(p.parseUnary, tLt, tLe, tGt, tGe)
}

// parseBinary parses a left-associative chain of comparisons.
func (p *parser) parseBinary(operand func() (*node, *Error), ops ...tokKind) (*node, *Error) {
	left, err := operand()
	if err != nil {
		return nil, err
	}
	for isOneOf(p.tok.kind, ops) {
		op := p.tok
		if err := p.advance(); err != nil {
			return nil, err
		}
		right, err := operand()
		if err != nil {
			return nil, err
		}
		cmp := &node{kind: nCmp, op: op.kind, pos: op.pos}
		cmp.setArgs(left, right)
		left = cmp
	}
	return left, nil
}

func isOneOf(k tokKind, ks []tokKind) bool {
	for _, x := range ks {
		if k == x {
			return true
		}
	}
	return false
}

func (p *parser) parseUnary() (*node, *Error) {
	if p.tok.kind != tNot {
		return p.parsePostfix()
	}
	pos := p.tok.pos
	if err := p.advance(); err != nil {
		return nil, err
	}
	operand, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	not := &node{kind: nNot, pos: pos}
	not.setArgs(operand)
	return not, nil
}

func (p *parser) parsePostfix() (*node, *Error) {
	literal := isLiteral(p.tok.kind)
	n, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tDot || p.tok.kind == tLBracket {
		if literal {
			return nil, p.unexpected()
		}
		if n, err = p.parseAccess(n); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func isLiteral(k tokKind) bool {
	return k == tNumber || k == tString || k == tBool || k == tNull
}

// parseAccess parses one ".name", ".*", "[expr]" or "[*]" after target.
func (p *parser) parseAccess(target *node) (*node, *Error) {
	bracket := p.tok.kind == tLBracket
	if err := p.advance(); err != nil {
		return nil, err
	}
	var index *node
	switch {
	case p.tok.kind == tStar:
		index = &node{kind: nStar, pos: p.tok.pos}
		if err := p.advance(); err != nil {
			return nil, err
		}
	case !bracket && p.tok.kind == tProp:
		index = &node{kind: nProp, pos: p.tok.pos, name: p.tok.str}
		if err := p.advance(); err != nil {
			return nil, err
		}
	case !bracket:
		return nil, p.unexpected()
	default:
		var err *Error
		if index, err = p.parseOr(); err != nil {
			return nil, err
		}
	}
	if bracket {
		if err := p.expect(tRBracket); err != nil {
			return nil, err
		}
	}
	n := &node{kind: nIndex, pos: target.pos}
	n.setArgs(target, index)
	return n, nil
}

func (p *parser) parsePrimary() (*node, *Error) {
	t := p.tok
	switch t.kind {
	case tNumber, tString, tBool, tNull:
		if err := p.advance(); err != nil {
			return nil, err
		}
		return &node{kind: nLit, pos: t.pos, val: literalValue(t)}, nil
	case tIdent:
		name, ok := lookupContext(t.str)
		if !ok {
			return nil, errorAt(p.lx.src, t.pos, KindParse, "Unrecognized named-value: '%s'", t.str)
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		return &node{kind: nCtx, pos: t.pos, name: name}, nil
	case tFunc:
		return p.parseCall()
	case tLParen:
		if err := p.advance(); err != nil {
			return nil, err
		}
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		return n, p.expect(tRParen)
	}
	return nil, p.unexpected()
}

func literalValue(t token) any {
	switch t.kind {
	case tNumber:
		return t.num
	case tString:
		return t.str
	case tBool:
		return t.str == "true"
	}
	return nil
}

// parseCall parses name(args…). Unknown functions and wrong argument counts
// are parse errors, as in GitHub.
func (p *parser) parseCall() (*node, *Error) {
	t := p.tok
	src := p.lx.src
	fn := lookupFunction(t.str)
	if fn == nil {
		return nil, errorAt(src, t.pos, KindParse, "Unrecognized function: '%s'", t.str)
	}
	n := &node{kind: nCall, pos: t.pos, name: fn.name, fn: fn}
	n.args = n.inline[:0]
	if err := p.advance(); err != nil { // the name
		return nil, err
	}
	if err := p.expect(tLParen); err != nil {
		return nil, err
	}
	for p.tok.kind != tRParen {
		if len(n.args) > 0 {
			if err := p.expect(tComma); err != nil {
				return nil, err
			}
		}
		arg, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		n.args = append(n.args, arg)
	}
	if err := p.advance(); err != nil { // the ")"
		return nil, err
	}
	switch {
	case len(n.args) < fn.min:
		return nil, errorAt(src, t.pos, KindParse, "Too few parameters supplied: '%s'", t.str)
	case len(n.args) > fn.max:
		return nil, errorAt(src, t.pos, KindParse, "Too many parameters supplied: '%s'", t.str)
	case fn.name == "case" && len(n.args)%2 == 0:
		return nil, errorAt(src, t.pos, KindParse, "case() expects an odd number of parameters: predicate, value pairs and a default")
	}
	return n, nil
}
