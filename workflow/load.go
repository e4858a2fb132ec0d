package workflow

import (
	"errors"
	"strings"

	"github.com/dispatchd/dispatchd"
	yaml "go.yaml.in/yaml/v4"
)

// document is a workflow file that passed the size and shape limits.
type document struct {
	path  string
	src   []byte
	root  *yaml.Node // the top-level node of the first YAML document; nil when empty
	nodes int        // YAML nodes, aliases expanded
}

// load decodes src and applies the limits. It returns nil and the problems
// when the file must not be processed any further.
func load(path string, src []byte) (doc *document, problems []dispatchd.Problem) {
	if p := checkSize(src); p != nil {
		return nil, []dispatchd.Problem{*p}
	}
	defer func() {
		// The YAML library turns its own errors into values; anything else
		// escaping it is a bug there and must not take the server down.
		if r := recover(); r != nil {
			doc = nil
			problems = []dispatchd.Problem{problemAt(Pos{Line: 1, Column: 1}, KindInternal, SeverityError,
				"internal error while reading the YAML: %v", r)}
		}
	}()
	var n yaml.Node
	if err := yaml.Unmarshal(src, &n); err != nil {
		return nil, yamlProblems(err)
	}
	nodes, p := checkLimits(&n)
	if p != nil {
		return nil, []dispatchd.Problem{*p}
	}
	d := &document{path: path, src: src, nodes: nodes}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		d.root = n.Content[0]
	}
	return d, nil
}

func yamlProblems(err error) []dispatchd.Problem {
	var pe *yaml.ParserError
	if errors.As(err, &pe) {
		return []dispatchd.Problem{problemAt(Pos{Line: max(pe.Line, 1), Column: max(pe.Column, 1)},
			KindSyntax, SeverityError, "could not parse as YAML: %s", pe.Message)}
	}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		ps := make([]dispatchd.Problem, 0, len(te.Errors))
		for _, e := range te.Errors {
			ps = append(ps, problemAt(Pos{Line: max(e.Line, 1), Column: max(e.Column, 1)},
				KindSyntax, SeverityError, "could not parse as YAML: %v", e.Err))
		}
		return ps
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	return []dispatchd.Problem{problemAt(Pos{Line: 1, Column: 1}, KindSyntax, SeverityError,
		"could not parse as YAML: %s", msg)}
}
