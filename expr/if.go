package expr

import "strings"

// ParseIf parses the YAML value of a job's or step's if: (§4):
//   - empty or blank: success();
//   - no ${{: the whole trimmed value is the expression;
//   - exactly ${{ X }}: X;
//   - anything else: the interpolated string (which is truthy unless empty).
//
// Unless the expression calls success(), failure(), cancelled() or always()
// somewhere, it becomes success() && (…). The contexts and functions are
// checked against what GitHub allows in an if: at that level.
func ParseIf(raw string, level Level) (*Expr, error) {
	root, err := parseIf(raw, level)
	if err != nil {
		return nil, err
	}
	return &Expr{src: raw, root: root}, nil
}

// EvalIf evaluates the if: value raw at c.Level and converts the result to a
// boolean. GitHub fails the step or job when this returns an error.
func EvalIf(raw string, c *Context) (bool, error) {
	level := StepLevel
	if c != nil {
		level = c.Level
	}
	e, err := ParseIf(raw, level)
	if err != nil {
		return false, err
	}
	v, err := e.Eval(c)
	if err != nil {
		return false, err
	}
	return Truthy(v), nil
}

func parseIf(raw string, level Level) (*node, *Error) {
	var root *node
	var exprLen int
	var err *Error
	if strings.Contains(raw, "${{") {
		root, exprLen, err = parseTemplate(raw)
	} else if start, end := trimBounds(raw, 0, len(raw)); start == end {
		return successCall(0), nil
	} else {
		root, err = parseRange(raw, start, end)
		exprLen = utf16Len(raw[start:end])
	}
	if err != nil {
		return nil, err
	}
	if err := checkIfLevel(raw, root, level); err != nil {
		return nil, err
	}
	if root.callsStatusFunction() {
		return root, nil
	}
	return wrapSuccess(raw, root, exprLen)
}

func successCall(pos int) *node {
	fn := lookupFunction("success")
	return &node{kind: nCall, pos: pos, name: fn.name, fn: fn}
}

// wrapSuccess builds success() && (root). GitHub does this on the text and
// parses the result again, so the limits apply to the wrapped expression.
func wrapSuccess(raw string, root *node, exprLen int) (*node, *Error) {
	if exprLen+len("success() && ()") > maxLength {
		return nil, errorAt(raw, 0, KindParse, "Exceeded max expression length %d", maxLength)
	}
	and := &node{kind: nAnd, pos: root.pos}
	and.args = flatten([]*node{successCall(root.pos)}, root, nAnd)
	if depthError(and, 1) != nil {
		return nil, errorAt(raw, root.pos, KindParse, "Exceeded max expression depth %d", maxDepth)
	}
	return and, nil
}

// ifContexts are the contexts an if: may use at each level (the context
// availability table of the docs); secrets are never allowed.
var ifContexts = map[Level][]string{
	StepLevel: {"github", "needs", "strategy", "matrix", "job", "runner", "env", "vars", "steps", "inputs"},
	JobLevel:  {"github", "needs", "vars", "inputs"},
}

// checkIfLevel rejects, as parse errors, contexts and functions that an if:
// at this level may not use: hashFiles at job level, job ids passed to
// success()/failure() at step level.
func checkIfLevel(src string, root *node, level Level) *Error {
	var bad *Error
	root.walk(func(n *node) {
		switch {
		case bad != nil:
		case n.kind == nCtx && !contains(ifContexts[level], n.name):
			bad = errorAt(src, n.pos, KindParse, "Unrecognized named-value: '%s'", n.name)
		case n.kind == nCall && n.name == "hashFiles" && level == JobLevel:
			bad = errorAt(src, n.pos, KindParse, "Unrecognized function: '%s'", n.name)
		case n.kind == nCall && n.fn.status && len(n.args) > 0 && level == StepLevel:
			bad = errorAt(src, n.pos, KindParse, "Too many parameters supplied: '%s'", n.name)
		}
	})
	return bad
}
