package api

import (
	"encoding/json"
	"unicode/utf8"
)

// splitObject splits valid JSON (json.Valid holds) that is an object into
// its members' raw values, as json.Unmarshal into map[string]json.RawMessage
// does (the same keys, the same bytes, the last of a repeated key), in one
// pass without reflection: the dispatch bodies went through Unmarshal twice,
// a tenth of a dispatch's handler. ok is false when data is not an object.
// FuzzSplitObject holds it to json.Unmarshal.
func splitObject(data []byte) (members map[string]json.RawMessage, ok bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, false
	}
	members = map[string]json.RawMessage{}
	for i = skipSpace(data, i+1); i < len(data) && data[i] != '}'; {
		keyEnd := skipString(data, i)
		key := objectKey(data[i:keyEnd])
		start := skipSpace(data, skipSpace(data, keyEnd)+1) // past the colon
		end := skipValue(data, start)
		members[key] = json.RawMessage(data[start:end])
		i = skipSpace(data, end)
		if i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	return members, true
}

// objectKey unquotes a key; one with escapes or bytes outside ASCII goes
// through encoding/json, for the same result as Unmarshal.
func objectKey(quoted []byte) string {
	inner := quoted[1 : len(quoted)-1]
	for _, c := range inner {
		if c == '\\' || c >= utf8.RuneSelf {
			var s string
			json.Unmarshal(quoted, &s)
			return s
		}
	}
	return string(inner)
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at i.
func skipString(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// skipValue returns the index after the value starting at i: a string, an
// object or array (to its matching bracket), or a literal or number (to the
// next delimiter).
func skipValue(data []byte, i int) int {
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for ; i < len(data); i++ {
			switch data[i] {
			case '"':
				i = skipString(data, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return i
	}
	for i < len(data) {
		switch data[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}
