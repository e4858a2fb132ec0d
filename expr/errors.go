package expr

import (
	"fmt"
	"unicode/utf8"
)

// Error kinds. Lex and parse errors are found before anything is evaluated
// (GitHub reports them when the workflow is validated); eval errors happen
// while evaluating (GitHub fails the step or job).
const (
	KindLex   = "lex"
	KindParse = "parse"
	KindEval  = "eval"
)

// Error is an expression error at a 1-based line and column of the source
// text given to Parse, ParseTemplate or ParseIf. Columns count characters
// (runes), not bytes.
type Error struct {
	Line, Col int
	Kind      string // KindLex, KindParse or KindEval
	Msg       string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// errorAt builds an *Error for byte offset off of src.
func errorAt(src string, off int, kind, format string, args ...any) *Error {
	line, col := lineCol(src, off)
	return &Error{Line: line, Col: col, Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// lineCol turns a byte offset into a 1-based line and rune column.
func lineCol(src string, off int) (line, col int) {
	off = min(max(off, 0), len(src))
	line, col = 1, 1
	for i := 0; i < off; {
		r, n := utf8.DecodeRuneInString(src[i:])
		i += n
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}
