package expr

import (
	"iter"
	"math"
	"strings"
)

// Object is an ordered map with case-insensitive keys, GitHub's dictionary
// context data: keys keep their insertion order (toJSON and `*` filters
// depend on it) and Get matches keys with OrdinalIgnoreCase. The zero value
// and a nil *Object are empty objects.
type Object struct {
	keys []string
	vals []any
	// index maps folded keys to positions once the object is too large for
	// a linear scan; nil for small objects.
	index map[string]int
}

// linearMax is the size up to which Get scans instead of hashing; scanning a
// few dozen keys with equalFold (which mostly stops at the first byte) is
// faster than folding the key and hashing it, and building the index costs
// a fold and an insert per key of an object that is often read once.
const linearMax = 32

// NewObject returns an empty object.
func NewObject() *Object { return &Object{} }

// NewObjectSize returns an empty object with room for n keys.
func NewObjectSize(n int) *Object {
	return &Object{keys: make([]string, 0, n), vals: make([]any, 0, n)}
}

// Len returns the number of keys.
func (o *Object) Len() int {
	if o == nil {
		return 0
	}
	return len(o.keys)
}

// Get returns the value of key, matched case-insensitively.
func (o *Object) Get(key string) (any, bool) {
	if i := o.find(key); i >= 0 {
		return o.vals[i], true
	}
	return nil, false
}

// Set sets key to v. A key that matches an existing one case-insensitively
// replaces it in place, as GitHub's dictionaries do (last write wins).
func (o *Object) Set(key string, v any) {
	if i := o.find(key); i >= 0 {
		o.keys[i], o.vals[i] = key, v
		return
	}
	o.Append(key, v)
}

// Append adds key without looking for it: for builders whose keys are
// known to differ (case-insensitively), it saves Set's search.
func (o *Object) Append(key string, v any) {
	o.keys = append(o.keys, key)
	o.vals = append(o.vals, v)
	switch {
	case o.index != nil:
		o.index[foldString(key)] = len(o.keys) - 1
	case len(o.keys) > linearMax:
		o.index = make(map[string]int, len(o.keys))
		for i, k := range o.keys {
			o.index[foldString(k)] = i
		}
	}
}

// Keys returns the keys in insertion order.
func (o *Object) Keys() []string {
	if o == nil {
		return nil
	}
	return append([]string(nil), o.keys...)
}

// All iterates over the key/value pairs in insertion order.
func (o *Object) All() iter.Seq2[string, any] {
	return func(yield func(string, any) bool) {
		for i := range o.Len() {
			if !yield(o.keys[i], o.vals[i]) {
				return
			}
		}
	}
}

// values returns the values in key order, without copying.
func (o *Object) values() []any {
	if o == nil {
		return nil
	}
	return o.vals
}

func (o *Object) find(key string) int {
	if o == nil {
		return -1
	}
	if o.index != nil {
		if i, ok := o.index[foldString(key)]; ok {
			return i
		}
		return -1
	}
	for i, k := range o.keys {
		if equalFold(k, key) {
			return i
		}
	}
	return -1
}

// filtered is the array an object filter (`*`) produces. It is an array
// like any other, except that a further `.x`, `[i]` or `*` applies to each
// element (Index.cs HandleFilteredArray), even through parentheses. It never
// leaves the package: Eval returns its items as a []any.
type filtered struct{ items []any }

// kind is a value's type as the expression language sees it.
type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// kindOf classifies v. Go values of other types count as null: the package
// only ever builds the documented types, and callers must supply them.
func kindOf(v any) kind {
	switch v.(type) {
	case bool:
		return kindBool
	case float64:
		return kindNumber
	case string:
		return kindString
	case []any, *filtered:
		return kindArray
	case *Object:
		return kindObject
	}
	return kindNull
}

func isPrimitive(v any) bool { return kindOf(v) <= kindString }

// arrayItems returns the elements of an array value.
func arrayItems(v any) ([]any, bool) {
	switch a := v.(type) {
	case []any:
		return a, true
	case *filtered:
		return a.items, true
	}
	return nil, false
}

// Truthy reports whether v counts as true: false, 0, -0, NaN, ” and null
// are falsy; everything else, including '0', 'false', [] and {}, is truthy.
func Truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case float64:
		return x != 0 && !math.IsNaN(x)
	case string:
		return x != ""
	case []any, *filtered, *Object:
		return true
	}
	return false
}

// ToString converts v to a string the way GitHub does for format, join,
// contains and ${{ }} interpolation: null is ”, booleans are 'true' and
// 'false', numbers use .NET's G15 format, arrays are 'Array' and objects
// 'Object'.
func ToString(v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float64:
		return formatNumber(x)
	case string:
		return x
	case []any, *filtered:
		return "Array"
	case *Object:
		return "Object"
	}
	return ""
}

// toNumber converts a primitive for loose comparison and array indexing:
// null is 0, booleans 0 or 1, strings through parseNumber; arrays and
// objects are NaN.
func toNumber(v any) float64 {
	switch x := v.(type) {
	case bool:
		if x {
			return 1
		}
		return 0
	case float64:
		return x
	case string:
		return parseNumber(x)
	}
	if kindOf(v) == kindNull {
		return 0
	}
	return math.NaN()
}

// exported converts a value that may hold a filter result into the
// documented value types.
func exported(v any) any {
	if f, ok := v.(*filtered); ok {
		if f.items == nil {
			return []any{}
		}
		return f.items
	}
	return v
}

// appendString appends ToString(v) to b without an intermediate string for
// numbers.
func appendString(b *strings.Builder, v any) {
	if f, ok := v.(float64); ok && f != 0 && !math.IsNaN(f) && !math.IsInf(f, 0) {
		var buf [32]byte
		b.Write(appendNumber(buf[:0], f))
		return
	}
	b.WriteString(ToString(v))
}
