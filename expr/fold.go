package expr

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// GitHub compares strings with .NET's StringComparison.OrdinalIgnoreCase:
// each character is mapped to its simple upper case, then the UTF-16 code
// units are compared. .NET deliberately keeps two characters whose upper
// case is ASCII (ı U+0131 → I, ſ U+017F → S) unmapped, so a non-ASCII
// character never equals an ASCII one; foldRune does the same.

// foldRune maps r to the form OrdinalIgnoreCase compares.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			return r - ('a' - 'A')
		}
		return r
	}
	u := unicode.ToUpper(r)
	if u < utf8.RuneSelf {
		return r
	}
	return u
}

// foldString returns s with every rune folded; s itself when nothing
// changes, so ASCII upper-case keys cost no allocation. Invalid UTF-8 bytes
// are kept as they are so that distinct invalid bytes stay distinct.
func foldString(s string) string {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r != utf8.RuneError || n != 1) && foldRune(r) != r {
			return foldFrom(s, i)
		}
		i += n
	}
	return s
}

func foldFrom(s string, start int) string {
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:start])
	for i := start; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteByte(s[i])
		} else {
			b.WriteRune(foldRune(r))
		}
		i += n
	}
	return b.String()
}

// equalFold reports whether a and b are equal under OrdinalIgnoreCase.
// It does not allocate: this is the hot path of `==` and of key lookup.
func equalFold(a, b string) bool {
	for a != "" && b != "" {
		if a[0] < utf8.RuneSelf && b[0] < utf8.RuneSelf {
			if foldRune(rune(a[0])) != foldRune(rune(b[0])) {
				return false
			}
			a, b = a[1:], b[1:]
			continue
		}
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra == utf8.RuneError && na == 1 || rb == utf8.RuneError && nb == 1 {
			// Invalid bytes only match the identical byte.
			if na != nb || a[0] != b[0] {
				return false
			}
		} else if foldRune(ra) != foldRune(rb) {
			return false
		}
		a, b = a[na:], b[nb:]
	}
	return a == b
}

// compareFold orders a and b as .NET's String.Compare with
// OrdinalIgnoreCase does: folded, then by UTF-16 code unit.
func compareFold(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if c := compareUTF16(foldRune(ra), foldRune(rb)); c != 0 {
			return c
		}
		a, b = a[na:], b[nb:]
	}
	switch {
	case a == b:
		return 0
	case a == "":
		return -1
	default:
		return 1
	}
}

// compareUTF16 compares two runes by their first UTF-16 code unit, then by
// code point: a character outside the BMP sorts by its high surrogate
// (0xD800–0xDBFF), below U+E000…U+FFFF, as in .NET.
func compareUTF16(a, b rune) int {
	if a == b {
		return 0
	}
	ua, ub := firstUnit(a), firstUnit(b)
	if ua == ub {
		if a < b {
			return -1
		}
		return 1
	}
	if ua < ub {
		return -1
	}
	return 1
}

func firstUnit(r rune) rune {
	if r >= 0x10000 {
		hi, _ := utf16.EncodeRune(r)
		return hi
	}
	return r
}

// containsFold, hasPrefixFold and hasSuffixFold are the OrdinalIgnoreCase
// IndexOf/StartsWith/EndsWith of contains, startsWith and endsWith.
func containsFold(s, sub string) bool { return strings.Contains(foldString(s), foldString(sub)) }
func hasPrefixFold(s, p string) bool  { return strings.HasPrefix(foldString(s), foldString(p)) }
func hasSuffixFold(s, p string) bool  { return strings.HasSuffix(foldString(s), foldString(p)) }
