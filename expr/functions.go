package expr

import (
	"strings"
)

// The built-in functions (Sdk/Functions/*.cs in actions/runner). Arguments
// are evaluated lazily, in the order GitHub evaluates them, so an argument
// GitHub never looks at cannot raise an error here either.

// callContains: on a primitive, a case-insensitive substring test of the
// string forms; on an array, whether any element == the item (loose
// equality); on an object, false.
func callContains(ev *evaluator, n *node) (any, *Error) {
	search, err := ev.eval(n.args[0])
	if err != nil {
		return nil, err
	}
	if isPrimitive(search) {
		item, err := ev.eval(n.args[1])
		if err != nil || !isPrimitive(item) {
			return false, err
		}
		return containsFold(ToString(search), ToString(item)), nil
	}
	items, ok := arrayItems(search)
	if !ok || len(items) == 0 {
		return false, nil
	}
	item, err := ev.eval(n.args[1])
	if err != nil {
		return nil, err
	}
	for _, x := range items {
		if looseEqual(x, item) {
			return true, nil
		}
	}
	return false, nil
}

func callStartsWith(ev *evaluator, n *node) (any, *Error) {
	return ev.affix(n, hasPrefixFold)
}

func callEndsWith(ev *evaluator, n *node) (any, *Error) {
	return ev.affix(n, hasSuffixFold)
}

// affix runs startsWith/endsWith: both sides must be primitives.
func (ev *evaluator) affix(n *node, test func(s, affix string) bool) (any, *Error) {
	s, err := ev.eval(n.args[0])
	if err != nil || !isPrimitive(s) {
		return false, err
	}
	a, err := ev.eval(n.args[1])
	if err != nil || !isPrimitive(a) {
		return false, err
	}
	return test(ToString(s), ToString(a)), nil
}

// callJoin: the string forms of an array's elements joined by the separator
// (',' by default; a non-primitive separator also means ','). A primitive is
// returned as a string, an object as ”.
func callJoin(ev *evaluator, n *node) (any, *Error) {
	v, err := ev.eval(n.args[0])
	if err != nil {
		return nil, err
	}
	items, ok := arrayItems(v)
	if !ok {
		if isPrimitive(v) {
			return ToString(v), nil
		}
		return "", nil
	}
	if len(items) == 0 {
		return "", nil
	}
	sep := ","
	if len(items) > 1 && len(n.args) > 1 {
		s, err := ev.eval(n.args[1])
		if err != nil {
			return nil, err
		}
		if isPrimitive(s) {
			sep = ToString(s)
		}
	}
	var b strings.Builder
	for i, x := range items {
		if i > 0 {
			b.WriteString(sep)
		}
		appendString(&b, x)
		if b.Len() > maxStringBytes {
			return nil, ev.tooLarge(n)
		}
	}
	return b.String(), nil
}

func callToJSON(ev *evaluator, n *node) (any, *Error) {
	v, err := ev.eval(n.args[0])
	if err != nil {
		return nil, err
	}
	s := ToJSON(v)
	if len(s) > maxStringBytes {
		return nil, ev.tooLarge(n)
	}
	return s, nil
}

// callFromJSON parses any JSON value from the argument's string form;
// invalid JSON, ” included, is an evaluation error.
func callFromJSON(ev *evaluator, n *node) (any, *Error) {
	v, err := ev.eval(n.args[0])
	if err != nil {
		return nil, err
	}
	out, jerr := decodeJSON([]byte(ToString(v)), fromJSONMaxDepth)
	if jerr != nil {
		return nil, ev.errorf(n, "Error parsing fromJson: %v", jerr)
	}
	return out, nil
}

// callCase returns the value after the first predicate that is true, else
// the last argument. A predicate that is not a boolean is an error.
func callCase(ev *evaluator, n *node) (any, *Error) {
	last := len(n.args) - 1
	for i := 0; i < last; i += 2 {
		p, err := ev.eval(n.args[i])
		if err != nil {
			return nil, err
		}
		b, ok := p.(bool)
		if !ok {
			return nil, ev.errorf(n.args[i], "case predicate must evaluate to a boolean value")
		}
		if b {
			return ev.eval(n.args[i+1])
		}
	}
	return ev.eval(n.args[last])
}
