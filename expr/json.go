package expr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Nesting limits for JSON input. fromJSON() uses Newtonsoft.Json's default
// MaxDepth (64), which GitHub's runner inherits; FromJSON, for contexts
// built by the server, only guards the stack.
const (
	fromJSONMaxDepth = 64
	contextMaxDepth  = 10000
)

// FromJSON decodes one JSON value into the package's value types, keeping
// the key order of objects (a plain map would lose it, and toJSON and `*`
// filters depend on it). Numbers become float64. Surrounding whitespace is
// allowed; anything else after the value is an error.
func FromJSON(data []byte) (any, error) {
	return decodeJSON(data, contextMaxDepth)
}

func decodeJSON(data []byte, maxDepth int) (any, error) {
	if v, ok := scanJSON(data, maxDepth); ok {
		return v, nil
	}
	return decodeJSONStrict(data, maxDepth)
}

// decodeJSONStrict decodes with encoding/json's Decoder: the reference
// the fast scan is held to, and the source of the errors.
func decodeJSONStrict(data []byte, maxDepth int) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec, maxDepth)
	if err == io.EOF {
		return nil, errors.New("unexpected end of JSON input")
	}
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("invalid data after the JSON value at offset %d", dec.InputOffset())
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, depth int) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if depth <= 0 {
			return nil, fmt.Errorf("the JSON value is nested too deeply at offset %d", dec.InputOffset())
		}
		if t == '[' {
			return decodeArray(dec, depth-1)
		}
		return decodeObject(dec, depth-1)
	case json.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil && !isRangeErr(err) {
			return nil, err
		}
		return f, nil
	}
	return tok, nil // string, bool or nil
}

func decodeArray(dec *json.Decoder, depth int) (any, error) {
	var arr []any
	for dec.More() {
		v, err := decodeValue(dec, depth)
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
	}
	if _, err := dec.Token(); err != nil { // ]
		return nil, err
	}
	if arr == nil {
		// A distinct allocation, so that two empty arrays are two instances.
		arr = make([]any, 0, 1)
	}
	return arr, nil
}

func decodeObject(dec *json.Decoder, depth int) (any, error) {
	obj := NewObject()
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		v, err := decodeValue(dec, depth)
		if err != nil {
			return nil, err
		}
		obj.Set(key.(string), v)
	}
	if _, err := dec.Token(); err != nil { // }
		return nil, err
	}
	return obj, nil
}

// ToJSON writes v as GitHub's toJSON() does (ToJson.cs): two-space indent,
// `"key": value`, `[]` and `{}` for empty collections, no trailing newline,
// numbers in the G15 form (so NaN and Infinity appear bare, as in GitHub),
// strings escaped as Newtonsoft.Json escapes them.
func ToJSON(v any) string {
	var b strings.Builder
	writeJSON(&b, v, 0)
	return b.String()
}

func writeJSON(b *strings.Builder, v any, level int) {
	switch x := v.(type) {
	case *Object:
		if x.Len() == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteByte('{')
		for i := range x.Len() {
			if i > 0 {
				b.WriteByte(',')
			}
			newline(b, level+1)
			writeJSONString(b, x.keys[i])
			b.WriteString(": ")
			writeJSON(b, x.vals[i], level+1)
		}
		newline(b, level)
		b.WriteByte('}')
	case []any, *filtered:
		items, _ := arrayItems(x)
		if len(items) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i, item := range items {
			if i > 0 {
				b.WriteByte(',')
			}
			newline(b, level+1)
			writeJSON(b, item, level+1)
		}
		newline(b, level)
		b.WriteByte(']')
	case string:
		writeJSONString(b, x)
	case nil:
		b.WriteString("null")
	default: // bool, number; other Go types count as null
		if kindOf(x) == kindNull {
			b.WriteString("null")
			return
		}
		b.WriteString(ToString(x))
	}
}

func newline(b *strings.Builder, level int) {
	b.WriteByte('\n')
	for range level {
		b.WriteString("  ")
	}
}

// writeJSONString quotes s like Newtonsoft.Json's default escaping: the
// quote, the backslash and control characters are escaped (\b \t \n \f \r,
// else \u00xx in lower-case hex), as are U+0085, U+2028 and U+2029; '<', '>'
// and '&' are not. Invalid UTF-8 becomes U+FFFD.
func writeJSONString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x85 || r == 0x2028 || r == 0x2029:
			b.WriteString(`\u`)
			b.WriteByte(hex[r>>12&0xf])
			b.WriteByte(hex[r>>8&0xf])
			b.WriteByte(hex[r>>4&0xf])
			b.WriteByte(hex[r&0xf])
		default:
			b.WriteRune(r) // utf8.RuneError for invalid bytes: U+FFFD
		}
	}
	b.WriteByte('"')
}
