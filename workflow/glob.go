package workflow

import (
	"regexp"
	"strings"
	"sync"
)

// MatchGlob reports whether name matches one GitHub filter pattern (the
// "Filter pattern cheat sheet" of the workflow syntax docs):
//
//	`*`    zero or more characters, but not /
//	`**`   zero or more of any character; "**/" also matches no directory
//	`?`    zero or one of the preceding character (or [] class)
//	`+`    one or more of the preceding character (or [] class)
//	`[…]`  one character from the list or ranges (a-z, A-Z, 0-9)
//	`\x`   the character x literally
//
// Matching is case-sensitive and covers the whole name. A leading '!' is
// not special here: negation belongs to lists of patterns (see MatchPush),
// where it re-excludes what earlier patterns matched.
func MatchGlob(pattern, name string) bool {
	return compileGlob(pattern)(name)
}

// globCache holds compiled patterns: the same few filters are matched on
// every push. It is bounded because patterns come from users' files.
var globCache = struct {
	sync.Mutex
	m map[string]func(string) bool
}{m: map[string]func(string) bool{}}

const globCacheSize = 1024

func compileGlob(pattern string) func(string) bool {
	globCache.Lock()
	match, ok := globCache.m[pattern]
	globCache.Unlock()
	if ok {
		return match
	}
	if re, err := regexp.Compile(globToRegexp(pattern)); err == nil {
		match = re.MatchString
	} else {
		// Only invalid UTF-8 gets here; such a pattern can only mean itself.
		match = func(name string) bool { return name == pattern }
	}
	globCache.Lock()
	if len(globCache.m) >= globCacheSize {
		clear(globCache.m)
	}
	globCache.m[pattern] = match
	globCache.Unlock()
	return match
}

// globToRegexp translates a filter pattern to an anchored RE2 expression.
// RE2 matches in linear time, so a hostile pattern cannot stall a push.
func globToRegexp(p string) string {
	var b strings.Builder
	b.WriteString(`^`)
	// quantifiable is true when the last thing written is one character or
	// class, which is what ? and + apply to.
	quantifiable := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '*' && i+1 < len(p) && p[i+1] == '*':
			i++
			if i+1 < len(p) && p[i+1] == '/' && (i == 1 || p[i-2] == '/') {
				// "**/" at the start or after a slash: any directories, or none.
				i++
				b.WriteString(`(?:.*/)?`)
			} else {
				b.WriteString(`.*`)
			}
			quantifiable = false
		case c == '*':
			b.WriteString(`[^/]*`)
			quantifiable = false
		case (c == '?' || c == '+') && quantifiable:
			b.WriteByte(c)
			quantifiable = false
		case c == '[':
			class, n := globClass(p[i:])
			if n == 0 {
				b.WriteString(`\[`)
				quantifiable = true
				continue
			}
			b.WriteString(class)
			i += n - 1
			quantifiable = true
		case c == '\\' && i+1 < len(p):
			i++
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
			quantifiable = true
		default:
			// Copy one UTF-8 character; QuoteMeta escapes what RE2 would
			// otherwise read as syntax (".", "(", a stray "?" …).
			j := i + 1
			for j < len(p) && p[j]&0xC0 == 0x80 {
				j++
			}
			b.WriteString(regexp.QuoteMeta(p[i:j]))
			i = j - 1
			quantifiable = true
		}
	}
	b.WriteString(`$`)
	return b.String()
}

// globClass translates the [...] at the start of s, returning the RE2 class
// and the bytes consumed, or 0 when the bracket is not closed or empty (it
// is then an ordinary character).
func globClass(s string) (string, int) {
	end := strings.IndexByte(s[1:], ']')
	if end <= 0 {
		return "", 0
	}
	body := []rune(s[1 : end+1])
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i < len(body); i++ {
		if i+2 < len(body) && body[i+1] == '-' && body[i] <= body[i+2] {
			b.WriteString(classChar(body[i]) + "-" + classChar(body[i+2]))
			i += 2
			continue
		}
		b.WriteString(classChar(body[i]))
	}
	b.WriteByte(']')
	return b.String(), end + 2
}

// classChar escapes ASCII punctuation, which RE2 accepts escaped inside a
// class and might read as syntax otherwise ("-", "^", "[", "\\").
func classChar(r rune) string {
	if r < 0x80 && !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') && r > ' ' {
		return `\` + string(r)
	}
	return string(r)
}
