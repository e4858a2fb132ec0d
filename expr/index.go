package expr

import (
	"math"
)

// index evaluates a.b, a[i] and the filters a.* / a[*] (Index.cs):
//   - on an object, a primitive key is converted to a string and looked up
//     case-insensitively; * yields the values in key order;
//   - on an array, the index is converted to a number, floored, and must be
//     within bounds; * yields the elements;
//   - on a filter result, the access applies to each element, and elements
//     where it finds nothing are dropped;
//   - on anything else the result is null, or an empty array for *.
//
// The index expression is only evaluated when the target is a collection.
func (ev *evaluator) index(n *node) (any, *Error) {
	target, err := ev.eval(n.args[0])
	if err != nil {
		return nil, err
	}
	k := n.args[1]
	switch t := target.(type) {
	case *filtered:
		return ev.indexFiltered(t, k)
	case *Object:
		if k.kind == nStar {
			return &filtered{items: append([]any(nil), t.values()...)}, nil
		}
		key, ok, err := ev.objectKey(k)
		if err != nil || !ok {
			return nil, err
		}
		v, _ := t.Get(key)
		return v, nil
	case []any:
		if k.kind == nStar {
			return &filtered{items: append([]any(nil), t...)}, nil
		}
		i, ok, err := ev.arrayIndex(k, len(t))
		if err != nil || !ok {
			return nil, err
		}
		return t[i], nil
	}
	if k.kind == nStar {
		return &filtered{}, nil
	}
	return nil, nil
}

// objectKey evaluates an index for an object: the string form of a
// primitive; arrays and objects find nothing. A .name needs no evaluation.
func (ev *evaluator) objectKey(k *node) (string, bool, *Error) {
	if k.kind == nProp {
		return k.name, true, nil
	}
	v, err := ev.eval(k)
	if err != nil || !isPrimitive(v) {
		return "", false, err
	}
	return ToString(v), true, nil
}

// arrayIndex evaluates an index for an array of length n. A .name is never
// an index: names start with a letter, which no number does.
func (ev *evaluator) arrayIndex(k *node, n int) (int, bool, *Error) {
	if k.kind == nProp {
		return 0, false, nil
	}
	v, err := ev.eval(k)
	if err != nil {
		return 0, false, err
	}
	i, ok := position(v, n)
	return i, ok, nil
}

// indexFiltered applies one access to every element of a filter result.
// The index is evaluated once, even when there are no elements.
func (ev *evaluator) indexFiltered(f *filtered, k *node) (any, *Error) {
	var key any
	if k.kind != nStar && k.kind != nProp {
		var err *Error
		if key, err = ev.eval(k); err != nil {
			return nil, err
		}
	}
	out := &filtered{}
	for _, item := range f.items {
		switch x := item.(type) {
		case *Object:
			switch {
			case k.kind == nStar:
				out.items = append(out.items, x.values()...)
			case k.kind == nProp:
				if v, ok := x.Get(k.name); ok {
					out.items = append(out.items, v)
				}
			case isPrimitive(key):
				if v, ok := x.Get(ToString(key)); ok {
					out.items = append(out.items, v)
				}
			}
		case []any:
			if k.kind == nStar {
				out.items = append(out.items, x...)
			} else if i, ok := position(key, len(x)); ok && k.kind != nProp {
				out.items = append(out.items, x[i])
			}
		}
	}
	return out, nil
}

// position converts an index value to a position in an array of length n:
// NaN, negative and out-of-range indexes (and arrays and objects) find
// nothing; fractions are floored, as GitHub does.
func position(key any, n int) (int, bool) {
	f := toNumber(key)
	if math.IsNaN(f) || f < 0 {
		return 0, false
	}
	f = math.Floor(f)
	if f >= float64(n) || f > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}
