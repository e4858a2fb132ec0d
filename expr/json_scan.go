package expr

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// jsonScan is decodeJSON's fast path: one pass over the bytes, values built
// as they are read. encoding/json's Decoder.Token, the strict path, boxes
// every token and formats an error after each scalar it reads (its scanner
// ends a value by failing on the next byte): it cost 8 µs of a dispatch.
// The scan gives up (ok false) on anything that is not valid JSON within
// the depth, and decodeJSON then asks the Decoder, whose errors callers
// see. FuzzFromJSONPaths holds the two paths to the same results.
type jsonScan struct {
	data []byte
	i    int
}

func scanJSON(data []byte, maxDepth int) (any, bool) {
	s := jsonScan{data: data}
	v, ok := s.value(maxDepth)
	if !ok {
		return nil, false
	}
	s.space()
	return v, s.i == len(s.data)
}

func (s *jsonScan) space() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next skips space and returns the next byte (0 at the end).
func (s *jsonScan) next() byte {
	s.space()
	if s.i < len(s.data) {
		return s.data[s.i]
	}
	return 0
}

func (s *jsonScan) value(depth int) (any, bool) {
	switch c := s.next(); c {
	case '{', '[':
		if depth <= 0 {
			return nil, false
		}
		s.i++
		if c == '{' {
			return s.object(depth - 1)
		}
		return s.array(depth - 1)
	case '"':
		return s.str()
	case 't':
		return true, s.literal("true")
	case 'f':
		return false, s.literal("false")
	case 'n':
		return nil, s.literal("null")
	}
	return s.number()
}

func (s *jsonScan) object(depth int) (any, bool) {
	obj := NewObject()
	if s.next() == '}' {
		s.i++
		return obj, true
	}
	for {
		if s.next() != '"' {
			return nil, false
		}
		key, ok := s.str()
		if !ok || s.next() != ':' {
			return nil, false
		}
		s.i++
		v, ok := s.value(depth)
		if !ok {
			return nil, false
		}
		obj.Set(key, v)
		switch s.next() {
		case ',':
			s.i++
		case '}':
			s.i++
			return obj, true
		default:
			return nil, false
		}
	}
}

func (s *jsonScan) array(depth int) (any, bool) {
	if s.next() == ']' {
		s.i++
		// A distinct allocation, so that two empty arrays are two instances.
		return make([]any, 0, 1), true
	}
	var arr []any
	for {
		v, ok := s.value(depth)
		if !ok {
			return nil, false
		}
		arr = append(arr, v)
		switch s.next() {
		case ',':
			s.i++
		case ']':
			s.i++
			return arr, true
		default:
			return nil, false
		}
	}
}

func (s *jsonScan) literal(word string) bool {
	if len(s.data)-s.i < len(word) || string(s.data[s.i:s.i+len(word)]) != word {
		return false
	}
	s.i += len(word)
	return true
}

// str reads a string at s.i (its opening quote). One with escapes or
// invalid UTF-8 is unquoted by encoding/json, which replaces what is not
// UTF-8 (lone surrogates too) with U+FFFD as the Decoder does.
func (s *jsonScan) str() (string, bool) {
	start := s.i
	s.i++
	plain := true
	for s.i < len(s.data) {
		c := s.data[s.i]
		switch {
		case c == '"':
			s.i++
			if plain {
				return string(s.data[start+1 : s.i-1]), true
			}
			var out string
			err := json.Unmarshal(s.data[start:s.i], &out)
			return out, err == nil
		case c == '\\':
			plain = false
			if !s.escape() {
				return "", false
			}
		case c < 0x20:
			return "", false
		case c < utf8.RuneSelf:
			s.i++
		default:
			r, size := utf8.DecodeRune(s.data[s.i:])
			if r == utf8.RuneError && size == 1 {
				plain = false
			}
			s.i += size
		}
	}
	return "", false
}

// escape checks the escape at s.i (its backslash) and moves past it.
func (s *jsonScan) escape() bool {
	if s.i+1 >= len(s.data) {
		return false
	}
	switch s.data[s.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.i += 2
		return true
	case 'u':
		if len(s.data)-s.i < 6 {
			return false
		}
		for _, h := range s.data[s.i+2 : s.i+6] {
			if !isHex(h) {
				return false
			}
		}
		s.i += 6
		return true
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// number reads JSON's number grammar; out of range is ±Inf, as before.
func (s *jsonScan) number() (any, bool) {
	start := s.i
	if s.peek() == '-' {
		s.i++
	}
	switch c := s.peek(); {
	case c == '0':
		s.i++
	case '1' <= c && c <= '9':
		s.digits()
	default:
		return nil, false
	}
	if s.peek() == '.' {
		s.i++
		if !s.digits() {
			return nil, false
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.i++
		if c := s.peek(); c == '+' || c == '-' {
			s.i++
		}
		if !s.digits() {
			return nil, false
		}
	}
	f, err := strconv.ParseFloat(string(s.data[start:s.i]), 64)
	if err != nil && !isRangeErr(err) {
		return nil, false
	}
	return f, true
}

func (s *jsonScan) peek() byte {
	if s.i < len(s.data) {
		return s.data[s.i]
	}
	return 0
}

// digits moves past a run of digits and reports whether there was one.
func (s *jsonScan) digits() bool {
	start := s.i
	for s.i < len(s.data) && '0' <= s.data[s.i] && s.data[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}
