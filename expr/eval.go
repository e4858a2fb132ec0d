package expr

import (
	"strings"
)

// Level says where an expression is evaluated, which decides what the
// status functions look at and what an if: may use.
type Level uint8

const (
	// StepLevel: a step's if:, env, with, run, … . Status functions read
	// job.status; hashFiles is available.
	StepLevel Level = iota
	// JobLevel: a job's if:. Status functions read the aggregated status of
	// the job's ancestors (the transitive needs).
	JobLevel
)

// Job and step statuses, the values of Context.JobStatus.
const (
	StatusSuccess   = "success"
	StatusFailure   = "failure"
	StatusCancelled = "cancelled"
)

// Context is what an expression is evaluated against. A nil *Context is an
// empty one.
type Context struct {
	// Values holds the named contexts (github, env, inputs, needs, …) by
	// lower-case name. Values must be nil, bool, float64, string, []any or
	// *Object, nested likewise.
	Values map[string]any
	// JobStatus is job.status at step level, or the aggregated status of the
	// ancestor jobs at job level: StatusSuccess (also when empty),
	// StatusFailure or StatusCancelled.
	JobStatus string
	Level     Level
	// Workspace is the directory hashFiles resolves patterns against
	// (GITHUB_WORKSPACE). hashFiles fails when it is empty.
	Workspace string
}

// maxStringBytes bounds every string a function or template builds, like
// the memory limit GitHub applies while evaluating: format('{0}{0}…') over a
// large context must fail, not exhaust memory.
const maxStringBytes = 10 << 20

// Evaluate parses and evaluates one expression.
func Evaluate(src string, c *Context) (any, error) {
	e, err := Parse(src)
	if err != nil {
		return nil, err
	}
	return e.Eval(c)
}

// Eval evaluates the expression. The result is one of the value types; a
// filter result (x.*.y) comes back as a []any.
func (e *Expr) Eval(c *Context) (any, error) {
	if c == nil {
		c = &Context{}
	}
	ev := evaluator{c: c, src: e.src}
	v, err := ev.eval(e.root)
	if err != nil {
		return nil, err
	}
	return exported(v), nil
}

// evaluator carries what evaluating one expression needs.
type evaluator struct {
	c   *Context
	src string
}

func (ev *evaluator) errorf(n *node, format string, args ...any) *Error {
	return errorAt(ev.src, n.pos, KindEval, format, args...)
}

func (ev *evaluator) eval(n *node) (any, *Error) {
	switch n.kind {
	case nLit:
		return n.val, nil
	case nProp:
		return n.name, nil
	case nCtx:
		return ev.context(n.name), nil
	case nIndex:
		return ev.index(n)
	case nNot:
		v, err := ev.eval(n.args[0])
		return !Truthy(v), err
	case nAnd, nOr:
		return ev.logical(n)
	case nCmp:
		return ev.compare(n)
	case nCall:
		return ev.call(n)
	case nConcat:
		return ev.concat(n)
	}
	return nil, ev.errorf(n, "cannot evaluate this expression")
}

// call runs a built-in function. A switch rather than function values in
// the table keeps the evaluator on the stack.
func (ev *evaluator) call(n *node) (any, *Error) {
	switch n.name {
	case "contains":
		return callContains(ev, n)
	case "startsWith":
		return callStartsWith(ev, n)
	case "endsWith":
		return callEndsWith(ev, n)
	case "format":
		return callFormat(ev, n)
	case "join":
		return callJoin(ev, n)
	case "toJSON":
		return callToJSON(ev, n)
	case "fromJSON":
		return callFromJSON(ev, n)
	case "hashFiles":
		return callHashFiles(ev, n)
	case "case":
		return callCase(ev, n)
	case "success":
		return callSuccess(ev, n)
	case "failure":
		return callFailure(ev, n)
	case "cancelled":
		return callCancelled(ev, n)
	case "always":
		return callAlways(ev, n)
	}
	return nil, ev.errorf(n, "Unrecognized function: '%s'", n.name)
}

// context looks up a named context; keys in Values are expected in lower
// case, but any case is accepted.
func (ev *evaluator) context(name string) any {
	if v, ok := ev.c.Values[name]; ok {
		return v
	}
	for k, v := range ev.c.Values {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// logical evaluates && and ||, which short-circuit and return the deciding
// operand itself, not a boolean.
func (ev *evaluator) logical(n *node) (any, *Error) {
	var v any
	for _, a := range n.args {
		var err *Error
		if v, err = ev.eval(a); err != nil {
			return nil, err
		}
		if Truthy(v) != (n.kind == nAnd) {
			return v, nil
		}
	}
	return v, nil
}

func (ev *evaluator) compare(n *node) (any, *Error) {
	a, err := ev.eval(n.args[0])
	if err != nil {
		return nil, err
	}
	b, err := ev.eval(n.args[1])
	if err != nil {
		return nil, err
	}
	return compare(n.op, a, b), nil
}

// concat evaluates a template: every part converted to a string.
func (ev *evaluator) concat(n *node) (any, *Error) {
	var b strings.Builder
	b.Grow(len(ev.src)) // usually enough: expressions are longer than their values
	for _, a := range n.args {
		v, err := ev.eval(a)
		if err != nil {
			return nil, err
		}
		appendString(&b, v)
		if b.Len() > maxStringBytes {
			return nil, ev.tooLarge(n)
		}
	}
	return b.String(), nil
}

func (ev *evaluator) tooLarge(n *node) *Error {
	return ev.errorf(n, "The maximum allowed memory size (%d bytes) was exceeded while evaluating the expression", maxStringBytes)
}
