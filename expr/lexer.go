package expr

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF      tokKind = iota
	tNumber           // 1, -2.5e3, 0xff, 0o17, Infinity, NaN
	tString           // 'it''s'
	tBool             // true, false
	tNull             // null
	tIdent            // a named value (context): github
	tFunc             // a name followed by "(": format
	tProp             // a name right after ".": event_name
	tLParen           // (
	tRParen           // )
	tLBracket         // [
	tRBracket         // ]
	tComma            // ,
	tDot              // .
	tStar             // *
	tNot              // !
	tEq               // ==
	tNe               // !=
	tLt               // <
	tLe               // <=
	tGt               // >
	tGe               // >=
	tAnd              // &&
	tOr               // ||
)

// token is one lexeme. pos and end are byte offsets into the source.
type token struct {
	kind     tokKind
	pos, end int
	num      float64
	str      string // string literal value, or the name of tIdent/tFunc/tProp
}

// lexer splits an expression into tokens on demand, so that, as in GitHub's
// LexicalAnalyzer, an earlier syntax error is reported before a later bad
// character. It scans src[pos:end] but reports offsets into all of src, so
// that expressions inside templates get positions in the whole template.
type lexer struct {
	src  string
	pos  int
	end  int
	last tokKind // kind of the previous token, tEOF at the start
}

// next returns the next token, or a lex error.
func (l *lexer) next() (token, *Error) {
	l.skipSpace()
	if l.pos >= l.end {
		return token{kind: tEOF, pos: l.end, end: l.end}, nil
	}
	t, err := l.scan()
	if err != nil {
		return t, err
	}
	l.last = t.kind
	return t, nil
}

func (l *lexer) skipSpace() {
	for l.pos < l.end {
		r, n := utf8.DecodeRuneInString(l.src[l.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		l.pos += n
	}
}

func (l *lexer) scan() (token, *Error) {
	start := l.pos
	c := l.src[l.pos]
	if k, n := punctuation(l.src[l.pos:l.end]); n > 0 {
		l.pos += n
		if k == tDot && l.numberMayStart() {
			l.pos = start
			return l.number()
		}
		return token{kind: k, pos: start, end: l.pos}, nil
	}
	switch {
	case c == '\'':
		return l.string()
	case c == '-' || c == '+' || '0' <= c && c <= '9':
		return l.number()
	}
	return l.word()
}

// punctuation recognises operators and brackets at the start of s. A lone
// '=', '&' or '|' is not an operator.
func punctuation(s string) (tokKind, int) {
	two := ""
	if len(s) >= 2 {
		two = s[:2]
	}
	switch two {
	case "==":
		return tEq, 2
	case "!=":
		return tNe, 2
	case "<=":
		return tLe, 2
	case ">=":
		return tGe, 2
	case "&&":
		return tAnd, 2
	case "||":
		return tOr, 2
	}
	switch s[0] {
	case '(':
		return tLParen, 1
	case ')':
		return tRParen, 1
	case '[':
		return tLBracket, 1
	case ']':
		return tRBracket, 1
	case ',':
		return tComma, 1
	case '.':
		return tDot, 1
	case '*':
		return tStar, 1
	case '!':
		return tNot, 1
	case '<':
		return tLt, 1
	case '>':
		return tGt, 1
	}
	return tEOF, 0
}

// numberMayStart reports whether a '.' here starts a number (.5) rather than
// a property access: only where an operand may start, as in GitHub's lexer.
func (l *lexer) numberMayStart() bool {
	switch l.last {
	case tEOF, tComma, tLParen, tLBracket, tNot, tEq, tNe, tLt, tLe, tGt, tGe, tAnd, tOr:
		return true
	}
	return false
}

// isBoundary reports the characters that end a number or a name. Note that
// '*', quotes and other symbols do not, so "1*2" and "a@b" are single
// (invalid) lexemes, as in GitHub.
func isBoundary(r rune) bool {
	switch r {
	case '(', '[', ')', ']', ',', '.', '!', '>', '<', '=', '&', '|':
		return true
	}
	return unicode.IsSpace(r)
}

// readWord advances over a lexeme up to the next boundary; numbers also read
// through '.'.
func (l *lexer) readWord(throughDots bool) string {
	start := l.pos
	_, n := utf8.DecodeRuneInString(l.src[l.pos:])
	l.pos += n
	for l.pos < l.end {
		r, n := utf8.DecodeRuneInString(l.src[l.pos:])
		if isBoundary(r) && !(throughDots && r == '.') {
			break
		}
		l.pos += n
	}
	return l.src[start:l.pos]
}

func (l *lexer) number() (token, *Error) {
	start := l.pos
	raw := l.readWord(true)
	f := parseNumber(raw)
	if math.IsNaN(f) {
		return token{}, errorAt(l.src, start, KindLex, "Unexpected symbol: '%s'", raw)
	}
	return token{kind: tNumber, pos: start, end: l.pos, num: f}, nil
}

// string reads a single-quoted string; ” inside is one quote.
func (l *lexer) string() (token, *Error) {
	start := l.pos
	// Without '' escapes the value is a slice of the source.
	if j := strings.IndexByte(l.src[start+1:l.end], '\''); j >= 0 {
		closing := start + 1 + j
		if closing+1 >= l.end || l.src[closing+1] != '\'' {
			l.pos = closing + 1
			return token{kind: tString, pos: start, end: l.pos, str: l.src[start+1 : closing]}, nil
		}
	}
	var b strings.Builder
	i := l.pos + 1
	for i < l.end {
		j := strings.IndexByte(l.src[i:l.end], '\'')
		if j < 0 {
			break
		}
		b.WriteString(l.src[i : i+j])
		i += j + 1
		if i < l.end && l.src[i] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		l.pos = i
		return token{kind: tString, pos: start, end: i, str: b.String()}, nil
	}
	return token{}, errorAt(l.src, start, KindLex, "Unexpected symbol: '%s'", l.src[start:l.end])
}

// word reads a keyword, a name or an invalid lexeme.
func (l *lexer) word() (token, *Error) {
	start := l.pos
	w := l.readWord(false)
	if !isName(w) {
		return token{}, errorAt(l.src, start, KindLex, "Unexpected symbol: '%s'", w)
	}
	t := token{pos: start, end: l.pos, str: w}
	if l.last == tDot {
		t.kind = tProp // keywords are plain names after '.': x.true, x.null
		return t, nil
	}
	switch w {
	case "true", "false":
		t.kind = tBool
	case "null":
		t.kind = tNull
	case "NaN":
		t.kind, t.num = tNumber, math.NaN()
	case "Infinity":
		t.kind, t.num = tNumber, math.Inf(1)
	default:
		t.kind = tIdent
		if l.followedByParen() {
			t.kind = tFunc
		}
	}
	return t, nil
}

// followedByParen looks past whitespace for '(': that makes a name a
// function call.
func (l *lexer) followedByParen() bool {
	rest := strings.TrimLeftFunc(l.src[l.pos:l.end], unicode.IsSpace)
	return rest != "" && rest[0] == '('
}

// isName is GitHub's legal keyword: a letter or '_', then letters, digits,
// '_' and '-'.
func isName(s string) bool {
	if s == "" || !(isLetter(s[0]) || s[0] == '_') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(isLetter(c) || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
