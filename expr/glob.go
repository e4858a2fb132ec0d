package expr

import (
	"errors"
	"os"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The glob patterns of hashFiles, as the runner's hashFiles script reads
// them through @actions/glob on Linux: one pattern per line, lines trimmed,
// empty lines and #comments skipped, leading '!' negates, relative patterns
// rooted at the workspace, minimatch syntax (*, ?, [...], ** as a whole
// segment, \ escapes) with dot files matched and no braces or extglobs, and
// every pattern also matching everything below what it matches.

// globPattern is one parsed pattern.
type globPattern struct {
	negate  bool
	dirOnly bool     // written with a trailing '/': matches directories only
	segs    []string // the segments of the absolute pattern
	search  string   // the literal directory before the first glob segment
}

// parseGlobs turns hashFiles' pattern arguments into patterns rooted at ws.
func parseGlobs(args []string, ws string) ([]globPattern, error) {
	var out []globPattern
	for _, arg := range args {
		for _, line := range strings.Split(arg, "\n") {
			line = strings.TrimFunc(line, unicode.IsSpace)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			p, err := parseGlob(line, ws)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
			if p.dirOnly || p.segs[len(p.segs)-1] != "**" {
				// Implicit descendants: "dir" also matches "dir/**".
				out = append(out, globPattern{negate: p.negate, segs: append(p.segs[:len(p.segs):len(p.segs)], "**"), search: p.search})
			}
		}
	}
	return out, nil
}

func parseGlob(line, ws string) (globPattern, error) {
	var p globPattern
	for strings.HasPrefix(line, "!") {
		p.negate = !p.negate
		line = strings.TrimFunc(line[1:], unicode.IsSpace)
	}
	if line == "" {
		return p, errors.New("pattern cannot be empty")
	}
	for i, seg := range strings.Split(line, "/") {
		if lit := globLiteral(seg); lit == ".." || lit == "." && i > 0 {
			return p, errors.New("Invalid pattern '" + line + "'. Relative pathing '.' and '..' is only allowed at the beginning of the pattern.")
		}
	}
	abs := rootGlob(line, ws)
	p.dirOnly = strings.HasSuffix(abs, "/")
	for _, seg := range strings.Split(abs, "/") {
		if seg != "" {
			p.segs = append(p.segs, seg)
		}
	}
	if len(p.segs) == 0 { // the pattern "/"
		p.segs = []string{"**"}
		p.dirOnly = true
	}
	var lits []string
	for _, seg := range p.segs {
		lit := globLiteral(seg)
		if lit == "" {
			break
		}
		lits = append(lits, lit)
	}
	p.search = "/" + strings.Join(lits, "/")
	return p, nil
}

// rootGlob makes a pattern absolute: "." and "./x" and plain relative
// patterns under the workspace, "~" and "~/x" under the home directory.
func rootGlob(line, ws string) string {
	switch {
	case line == "." || strings.HasPrefix(line, "./"):
		return globEscape(ws) + line[1:]
	case line == "~" || strings.HasPrefix(line, "~/"):
		home, _ := os.UserHomeDir()
		return globEscape(home) + line[1:]
	case strings.HasPrefix(line, "/"):
		return line
	}
	return globEscape(ws) + "/" + line
}

// globEscape makes a literal path safe to prefix to a pattern.
func globEscape(s string) string {
	return strings.NewReplacer("[", "[[]", "*", "[*]", "?", "[?]").Replace(s)
}

// globLiteral returns the text a segment matches if it has no wildcards
// ('\x' is x, '[x]' is x), or "" if it is a real glob.
func globLiteral(seg string) string {
	var lit strings.Builder
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		switch {
		case c == '\\' && i+1 < len(seg):
			i++
			lit.WriteByte(seg[i])
			continue
		case c == '*' || c == '?':
			return ""
		case c == '[' && i+1 < len(seg):
			set, end := bracketSet(seg, i+1)
			if end >= 0 {
				if utf8.RuneCountInString(set) > 1 {
					return ""
				}
				if set != "" {
					lit.WriteString(set)
					i = end
					continue
				}
			}
		}
		lit.WriteByte(c)
	}
	return lit.String()
}

// bracketSet reads the unescaped members of a [...] starting after '[' and
// returns them with the index of the closing ']' (-1 if unclosed).
func bracketSet(seg string, i int) (string, int) {
	var set strings.Builder
	for ; i < len(seg); i++ {
		switch {
		case seg[i] == '\\' && i+1 < len(seg):
			i++
			set.WriteByte(seg[i])
		case seg[i] == ']':
			return set.String(), i
		default:
			set.WriteByte(seg[i])
		}
	}
	return "", -1
}

// searchPaths lists where to walk: the search path of each positive pattern,
// in pattern order, leaving out those below another one.
func searchPaths(patterns []globPattern) []string {
	candidates := map[string]bool{}
	for _, p := range patterns {
		if !p.negate {
			candidates[p.search] = true
		}
	}
	var out []string
	for _, p := range patterns {
		if p.negate || contains(out, p.search) || hasAncestorIn(p.search, candidates) {
			continue
		}
		out = append(out, p.search)
	}
	return out
}

func hasAncestorIn(dir string, set map[string]bool) bool {
	for d := path.Dir(dir); ; d = path.Dir(d) {
		if set[d] && d != dir {
			return true
		}
		if d == "/" || d == "." {
			return false
		}
	}
}

// matchesFile reports whether a file is selected: the last pattern that
// matches it decides, and directory-only patterns never match files.
func matchesFile(patterns []globPattern, segs []string) bool {
	selected := false
	for _, p := range patterns {
		if !p.dirOnly && matchSegments(p.segs, segs, false) {
			selected = !p.negate
		}
	}
	return selected
}

// mayContainMatch reports whether a directory should be walked: something
// below it could match a positive pattern.
func mayContainMatch(patterns []globPattern, segs []string) bool {
	for _, p := range patterns {
		if !p.negate && matchSegments(p.segs, segs, true) {
			return true
		}
	}
	return false
}

// matchSegments matches path segments against pattern segments, where "**"
// matches any number of segments. With partial, running out of path before
// the pattern ends counts as a match (a descendant could still match).
func matchSegments(pat, segs []string, partial bool) bool {
	width := len(segs) + 1
	memo := make([]int8, (len(pat)+1)*width) // 0 unknown, 1 no, 2 yes
	var match func(i, j int) bool
	match = func(i, j int) bool {
		k := i*width + j
		if memo[k] != 0 {
			return memo[k] == 2
		}
		var ok bool
		switch {
		case i == len(pat):
			ok = j == len(segs)
		case pat[i] == "**":
			ok = match(i+1, j) || j < len(segs) && match(i, j+1)
		case j == len(segs):
			ok = partial
		default:
			ok = matchSegment(pat[i], segs[j]) && match(i+1, j+1)
		}
		memo[k] = 1
		if ok {
			memo[k] = 2
		}
		return ok
	}
	return match(0, 0)
}

// matchSegment matches one path segment against one glob segment: * is any
// run of characters, ? one character, [...] a class ([!...] or [^...]
// negated, a-z ranges), \x the literal x. Dot files are not special.
func matchSegment(pat, name string) bool {
	starPat, starName := -1, -1
	p, n := 0, 0
	for n < len(name) {
		if p < len(pat) {
			switch pat[p] {
			case '*':
				starPat, starName = p, n
				p++
				continue
			case '?':
				_, size := utf8.DecodeRuneInString(name[n:])
				p, n = p+1, n+size
				continue
			case '[':
				r, size := utf8.DecodeRuneInString(name[n:])
				if ok, end := matchClass(pat, p+1, r); end >= 0 {
					if ok {
						p, n = end+1, n+size
						continue
					}
					break
				}
				if name[n] == '[' {
					p, n = p+1, n+1
					continue
				}
			case '\\':
				if p+1 == len(pat) && name[n] == '\\' { // a trailing \ is literal
					p, n = p+1, n+1
					continue
				}
				if p+1 < len(pat) && pat[p+1] == name[n] {
					p, n = p+2, n+1
					continue
				}
			default:
				if pat[p] == name[n] {
					p, n = p+1, n+1
					continue
				}
			}
		}
		if starPat < 0 {
			return false
		}
		// Let the last * absorb one more character and retry.
		_, size := utf8.DecodeRuneInString(name[starName:])
		starName += size
		p, n = starPat+1, starName
	}
	for p < len(pat) && pat[p] == '*' {
		p++
	}
	return p == len(pat)
}

// matchClass matches r against the class starting at pat[i] (after '[').
// It returns the index of the closing ']', or -1 if the class is unclosed
// (then '[' is a literal).
func matchClass(pat string, i int, r rune) (bool, int) {
	negated := i < len(pat) && (pat[i] == '!' || pat[i] == '^')
	if negated {
		i++
	}
	matched := false
	for first := true; i < len(pat); first = false {
		c, size := utf8.DecodeRuneInString(pat[i:])
		if c == ']' && !first {
			return matched != negated, i
		}
		if c == '\\' && i+1 < len(pat) {
			i++
			c, size = utf8.DecodeRuneInString(pat[i:])
		}
		i += size
		lo, hi := c, c
		if i+1 < len(pat) && pat[i] == '-' && pat[i+1] != ']' {
			hi, size = utf8.DecodeRuneInString(pat[i+1:])
			i += 1 + size
		}
		if lo <= r && r <= hi {
			matched = true
		}
	}
	return false, -1
}
