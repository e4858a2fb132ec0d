package runner

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// maskText replaces every registered value, as GitHub's SecretMasker does.
const maskText = "***"

// minDerivedMask is the shortest unpadded base64 fragment registered on top
// of the runner's own encodings: shorter fragments would blank out ordinary
// text without protecting anything.
const minDerivedMask = 8

// masker holds the values to hide in every log line, annotation and summary.
// It is shared by the output goroutine of a step (::add-mask::) and the job
// goroutine, hence the lock.
type masker struct {
	mu     sync.RWMutex
	values []string
	known  map[string]bool
}

func newMasker() *masker { return &masker{known: map[string]bool{}} }

// addSecret registers a secret the way the runner registers secrets and
// ::add-mask:: values: the whole value, and each line of a multi-line value
// on its own (output reaches the log one line at a time), each together
// with the encodings the runner's value encoders produce.
func (m *masker) addSecret(v string) {
	if strings.TrimSpace(v) == "" {
		return
	}
	m.addEncoded(v)
	if !strings.ContainsAny(v, "\r\n") {
		return
	}
	for _, line := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if line = strings.TrimSpace(line); line != "" {
			m.addEncoded(line)
		}
	}
}

// addEncoded registers v and its encoded forms.
func (m *masker) addEncoded(v string) {
	m.add(v)
	for _, e := range encodings(v) {
		m.add(e)
	}
}

// add registers one literal value.
func (m *masker) add(v string) {
	if v == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.known[v] {
		m.known[v] = true
		m.values = append(m.values, v)
	}
}

// mask returns s with every occurrence of a registered value replaced by
// ***. Like SecretMasker.MaskSecrets it finds all occurrences (overlapping
// ones too) and merges touching ranges, so two adjacent secrets become one
// *** rather than leaking the boundary between them.
func (m *masker) mask(s string) string {
	m.mu.RLock()
	ranges := m.find(s)
	m.mu.RUnlock()
	if len(ranges) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, r := range mergeRanges(ranges) {
		b.WriteString(s[last:r[0]])
		b.WriteString(maskText)
		last = r[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// hides reports whether s contains a registered value (job outputs holding
// one are dropped, §6).
func (m *masker) hides(s string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.find(s)) > 0
}

// find lists the [start, end) byte ranges of every occurrence of every value.
func (m *masker) find(s string) [][2]int {
	var out [][2]int
	for _, v := range m.values {
		for i := 0; i+len(v) <= len(s); {
			j := strings.Index(s[i:], v)
			if j < 0 {
				break
			}
			out = append(out, [2]int{i + j, i + j + len(v)})
			i += j + 1
		}
	}
	return out
}

// mergeRanges sorts ranges and joins the overlapping or touching ones.
func mergeRanges(rs [][2]int) [][2]int {
	sort.Slice(rs, func(a, b int) bool { return rs[a][0] < rs[b][0] })
	merged := [][2]int{rs[0]}
	for _, r := range rs[1:] {
		cur := &merged[len(merged)-1]
		if r[0] <= cur[1] {
			cur[1] = max(cur[1], r[1])
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

// encodings are the forms of a secret the runner also masks (HostContext
// registers these ValueEncoders): base64 of the value and of the value
// without its first one or two bytes (a secret inside base64("user:" +
// secret) starts at any offset), the expression-string escape, the JSON
// escape, Uri.EscapeDataString, the XML escape and the value without
// surrounding double quotes. The base64 forms are also registered without
// their last, neighbour-dependent characters so that they match in the
// middle of a longer base64 text.
func encodings(v string) []string {
	b := []byte(v)
	var out []string
	for shift := 0; shift <= 2; shift++ {
		part := b
		if len(b) > shift {
			part = b[shift:]
		}
		out = append(out, base64.StdEncoding.EncodeToString(part))
		if stable := stableBase64(part); len(stable) >= minDerivedMask {
			out = append(out, stable)
		}
	}
	out = append(out,
		strings.ReplaceAll(v, "'", "''"),
		jsonEscape(v),
		uriEscape(v),
		xmlEscape(v),
	)
	if len(v) > 8 && strings.HasPrefix(v, `"`) && strings.HasSuffix(v, `"`) {
		out = append(out, v[1:len(v)-1])
	}
	return out
}

// stableBase64 is the part of base64(b) that does not depend on the bytes
// that follow b: the complete 3-byte groups and the leading characters of a
// trailing partial group that only use bits of b.
func stableBase64(b []byte) string {
	enc := base64.RawStdEncoding.EncodeToString(b)
	if len(b)%3 != 0 {
		// The last character of a partial group (the 2nd of 2, the 3rd
		// of 3) mixes in bits of the next byte.
		return enc[:len(enc)-1]
	}
	return enc
}

// jsonEscape is Newtonsoft's JsonConvert.ToString without the quotes.
func jsonEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// uriEscape is .NET's Uri.EscapeDataString: everything but RFC 3986's
// unreserved characters percent-encoded, upper-case hex, over UTF-8.
func uriEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// xmlEscape is SecurityElement.Escape.
func xmlEscape(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;", "&", "&amp;").Replace(s)
}
