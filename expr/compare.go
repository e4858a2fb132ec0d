package expr

import (
	"math"
	"unsafe"
)

// GitHub's comparison is JavaScript's abstract equality with three changes
// (EvaluationResult.cs): strings compare with OrdinalIgnoreCase, arrays and
// objects never coerce (they only equal the same instance), and <, >, <=, >=
// follow the same coercion. See WORKFLOW_SEMANTICS.md §1.5.

// coerce brings a and b to the same kind where the rules allow it: a number
// and a string both become numbers; a boolean or null becomes a number and
// the pair is coerced again. Arrays and objects stay as they are.
func coerce(a, b any) (any, any, kind, kind) {
	ka, kb := kindOf(a), kindOf(b)
	for ka != kb {
		switch {
		case ka == kindNumber && kb == kindString:
			b, kb = toNumber(b), kindNumber
		case ka == kindString && kb == kindNumber:
			a, ka = toNumber(a), kindNumber
		case ka == kindBool || ka == kindNull:
			a, ka = toNumber(a), kindNumber
		case kb == kindBool || kb == kindNull:
			b, kb = toNumber(b), kindNumber
		default:
			return a, b, ka, kb
		}
	}
	return a, b, ka, kb
}

// looseEqual is `==`.
func looseEqual(a, b any) bool {
	a, b, ka, kb := coerce(a, b)
	if ka != kb {
		return false
	}
	switch ka {
	case kindNull:
		return true
	case kindBool:
		return a.(bool) == b.(bool)
	case kindNumber:
		return a.(float64) == b.(float64) // false for NaN
	case kindString:
		return equalFold(a.(string), b.(string))
	case kindArray:
		return sameArray(a, b)
	case kindObject:
		return a.(*Object) == b.(*Object)
	}
	return false
}

// sameArray reports whether two array values are the same instance: the
// same filter result, or slices over the same backing array and length.
func sameArray(a, b any) bool {
	switch x := a.(type) {
	case *filtered:
		y, ok := b.(*filtered)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		return ok && len(x) == len(y) && cap(x) == cap(y) && unsafe.SliceData(x) == unsafe.SliceData(y)
	}
	return false
}

// looseCompare orders a and b for < and >: it returns -1, 0 or 1, and ok is
// false when they are unordered (NaN, arrays, objects, different kinds).
func looseCompare(a, b any) (c int, ok bool) {
	a, b, ka, kb := coerce(a, b)
	if ka != kb {
		return 0, false
	}
	switch ka {
	case kindBool:
		x, y := a.(bool), b.(bool)
		switch {
		case x == y:
			return 0, true
		case x:
			return 1, true
		}
		return -1, true
	case kindNumber:
		x, y := a.(float64), b.(float64)
		switch {
		case math.IsNaN(x) || math.IsNaN(y):
			return 0, false
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		}
		return 0, true
	case kindString:
		return compareFold(a.(string), b.(string)), true
	}
	return 0, false
}

// compare applies a comparison operator. >= is `== || >` and <= is
// `== || <`, so `x >= x` is true for the same object.
func compare(op tokKind, a, b any) bool {
	switch op {
	case tEq:
		return looseEqual(a, b)
	case tNe:
		return !looseEqual(a, b)
	}
	c, ok := looseCompare(a, b)
	switch op {
	case tLt:
		return ok && c < 0
	case tGt:
		return ok && c > 0
	case tLe:
		return ok && c < 0 || looseEqual(a, b)
	case tGe:
		return ok && c > 0 || looseEqual(a, b)
	}
	return false
}
