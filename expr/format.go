package expr

import (
	"strconv"
	"strings"
)

// callFormat implements format(fmt, args…) as Format.cs does: {N} is
// replaced by the string form of argument N, {{ and }} are literal braces.
// The format string is checked in full before any argument is evaluated,
// and only the arguments it references are evaluated, each once.
func callFormat(ev *evaluator, n *node) (any, *Error) {
	v, err := ev.eval(n.args[0])
	if err != nil {
		return nil, err
	}
	f := ToString(v)
	segs, ferr := parseFormat(f, len(n.args)-1)
	if ferr != "" {
		return nil, ev.errorf(n, "%s: %s", ferr, f)
	}
	args := make([]any, len(n.args)-1)
	done := make([]bool, len(args))
	var b strings.Builder
	for _, s := range segs {
		if s.arg < 0 {
			b.WriteString(s.text)
		} else {
			if !done[s.arg] {
				if args[s.arg], err = ev.eval(n.args[s.arg+1]); err != nil {
					return nil, err
				}
				done[s.arg] = true
			}
			appendString(&b, args[s.arg])
		}
		if b.Len() > maxStringBytes {
			return nil, ev.tooLarge(n)
		}
	}
	return b.String(), nil
}

// formatSeg is literal text (arg < 0) or a reference to argument arg.
type formatSeg struct {
	text string
	arg  int
}

const (
	errFormatInvalid = "The following format string is invalid"
	errFormatArgs    = "The following format string references more arguments than were supplied"
	errFormatSpec    = "Format specifiers are not supported by format(), in the following format string"
)

// parseFormat splits a format string into segments. It returns one of the
// errFormat messages for an unmatched brace, a {N without }, an index over
// 255, an index beyond nargs, or a {N:spec}: GitHub's runner accepts no
// specifiers for expression values, and reports them only once the whole
// string has been read.
func parseFormat(f string, nargs int) ([]formatSeg, string) {
	var segs []formatSeg
	specifiers := false
	i := 0
	for i < len(f) {
		l := indexFrom(f, '{', i)
		r := indexFrom(f, '}', i)
		switch {
		case l >= 0 && (r < 0 || r > l):
			if l+1 < len(f) && f[l+1] == '{' { // {{
				segs = append(segs, formatSeg{text: f[i : l+1], arg: -1})
				i = l + 2
				continue
			}
			digits := countDigits(f[l+1:])
			if r <= l+1 || digits == 0 {
				return nil, errFormatInvalid
			}
			argIndex, err := strconv.ParseUint(f[l+1:l+1+digits], 10, 8)
			closing, spec := placeholderEnd(f, l+1+digits)
			if err != nil || closing < 0 {
				return nil, errFormatInvalid
			}
			if int(argIndex) >= nargs {
				return nil, errFormatArgs
			}
			specifiers = specifiers || spec
			if l > i {
				segs = append(segs, formatSeg{text: f[i:l], arg: -1})
			}
			segs = append(segs, formatSeg{arg: int(argIndex)})
			i = closing + 1
		case r >= 0:
			if r+1 < len(f) && f[r+1] == '}' { // }}
				segs = append(segs, formatSeg{text: f[i : r+1], arg: -1})
				i = r + 2
				continue
			}
			return nil, errFormatInvalid
		default:
			segs = append(segs, formatSeg{text: f[i:], arg: -1})
			i = len(f)
		}
	}
	if specifiers {
		return nil, errFormatSpec
	}
	return segs, ""
}

func indexFrom(s string, c byte, from int) int {
	j := strings.IndexByte(s[from:], c)
	if j < 0 {
		return -1
	}
	return from + j
}

// placeholderEnd finds the '}' that closes a placeholder whose index ends at
// i: right there, or after a ":spec" in which '}}' is an escaped brace. It
// returns -1 when there is none, and whether a specifier was present.
func placeholderEnd(f string, i int) (int, bool) {
	if i < len(f) && f[i] == '}' {
		return i, false
	}
	if i >= len(f) || f[i] != ':' {
		return -1, false
	}
	for i++; i < len(f); i++ {
		if f[i] != '}' {
			continue
		}
		if i+1 < len(f) && f[i+1] == '}' {
			i++
			continue
		}
		return i, true
	}
	return -1, true
}
