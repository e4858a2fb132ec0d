package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dispatchd/dispatchd/workflow"
	yaml "go.yaml.in/yaml/v4"
)

// actionManifest is what the runner reads of an action.yml.
type actionManifest struct {
	using   string
	inputs  []actionInput
	outputs []workflow.Pair // output id → value expression
	steps   []*workflow.Step
	// JavaScript actions: the scripts, relative to the action's directory,
	// and the conditions of pre and post (always() when not given).
	main, pre, post string
	preIf, postIf   string
}

// isNode reports whether the action is a JavaScript action.
func (m *actionManifest) isNode() bool { return nodeVersions[m.using] }

// nodeVersions are the runs.using values of JavaScript actions; all run
// with the machine's `node`.
var nodeVersions = map[string]bool{"node12": true, "node16": true, "node20": true, "node24": true}

// noManifestError is loadAction's error for a directory without
// action.yml or action.yaml; dockerfile tells that a Dockerfile is there
// (a Docker action without metadata).
type noManifestError struct {
	dir        string
	dockerfile bool
}

func (e *noManifestError) Error() string {
	return fmt.Sprintf("Can't find 'action.yml', 'action.yaml' or 'Dockerfile' under '%s'.", e.dir)
}

// actionInput is one of the action's `inputs:`.
type actionInput struct {
	id       string
	def      *string // nil when there is no default
	required bool
}

// loadAction reads action.yml or action.yaml from dir.
func loadAction(dir string) (*actionManifest, error) {
	var data []byte
	var path string
	for _, name := range []string{"action.yml", "action.yaml"} {
		p := filepath.Join(dir, name)
		if b, err := os.ReadFile(p); err == nil {
			data, path = b, p
			break
		}
	}
	if path == "" {
		_, err := os.Stat(filepath.Join(dir, "Dockerfile"))
		return nil, &noManifestError{dir: dir, dockerfile: err == nil}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	root := yamlDeref(&doc)
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: the action must be a mapping", path)
	}
	return manifestOf(path, root)
}

func manifestOf(path string, root *yaml.Node) (*actionManifest, error) {
	m := &actionManifest{}
	runs := yamlLookup(root, "runs")
	m.using = strings.ToLower(yamlString(yamlLookup(runs, "using")))
	if m.using == "" {
		return nil, fmt.Errorf("%s: Required property is missing: runs.using", path)
	}
	for _, kv := range yamlPairs(yamlLookup(root, "inputs")) {
		in := actionInput{id: kv.key}
		if d := yamlLookup(kv.val, "default"); d != nil {
			s := yamlString(d)
			in.def = &s
		}
		in.required = strings.EqualFold(yamlString(yamlLookup(kv.val, "required")), "true")
		m.inputs = append(m.inputs, in)
	}
	for _, kv := range yamlPairs(yamlLookup(root, "outputs")) {
		m.outputs = append(m.outputs, workflow.Pair{Name: kv.key, Value: yamlString(yamlLookup(kv.val, "value"))})
	}
	switch {
	case m.using == "composite":
		steps, err := compositeSteps(path, yamlLookup(runs, "steps"))
		if err != nil {
			return nil, err
		}
		m.steps = steps
	case m.isNode():
		m.main = yamlString(yamlLookup(runs, "main"))
		m.pre = yamlString(yamlLookup(runs, "pre"))
		m.post = yamlString(yamlLookup(runs, "post"))
		m.preIf = conditionOr(yamlString(yamlLookup(runs, "pre-if")), "always()")
		m.postIf = conditionOr(yamlString(yamlLookup(runs, "post-if")), "always()")
		if strings.TrimSpace(m.main) == "" {
			return nil, fmt.Errorf("%s: Required property is missing: runs.main (the script of a runs.using: %s action)", path, m.using)
		}
	}
	return m, nil
}

// compositeSteps reads runs.steps with the workflow package's step model:
// the steps are wrapped in a one-job workflow and parsed, so that they get
// exactly the conversions (booleans, numbers, expressions) workflow steps
// get. Findings about the wrapper itself do not matter here.
func compositeSteps(path string, steps *yaml.Node) ([]*workflow.Step, error) {
	if steps == nil || steps.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s: Required property is missing: runs.steps", path)
	}
	job := mapping("runs-on", scalarNode("dispatchd"), "steps", steps)
	doc := mapping("on", scalarNode("workflow_dispatch"), "jobs", mapping("composite", job))
	src, err := yaml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	w, _ := workflow.Parse(path, src)
	if w == nil || len(w.Jobs) != 1 {
		return nil, errors.New(path + ": the steps could not be read")
	}
	for _, st := range w.Jobs[0].Steps {
		// The action schema requires a shell on every run step.
		if st.Uses == "" && st.Shell == "" {
			return nil, fmt.Errorf("%s (Line: %d, Col: %d): Required property is missing: shell", path, st.Pos.Line, st.Pos.Column)
		}
	}
	return w.Jobs[0].Steps, nil
}

// conditionOr is an if: value, def when it is blank.
func conditionOr(cond, def string) string {
	if strings.TrimSpace(cond) == "" {
		return def
	}
	return cond
}

func scalarNode(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }

// mapping builds a mapping node from key, value pairs.
func mapping(kvs ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(kvs); i += 2 {
		n.Content = append(n.Content, scalarNode(kvs[i].(string)), kvs[i+1].(*yaml.Node))
	}
	return n
}

// yamlDeref skips document and alias nodes.
func yamlDeref(n *yaml.Node) *yaml.Node {
	for n != nil {
		switch n.Kind {
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil
			}
			n = n.Content[0]
		case yaml.AliasNode:
			n = n.Alias
		default:
			return n
		}
	}
	return nil
}

type yamlKV struct {
	key string
	val *yaml.Node
}

// yamlPairs lists a mapping's entries in order.
func yamlPairs(n *yaml.Node) []yamlKV {
	n = yamlDeref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out []yamlKV
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, yamlKV{yamlString(n.Content[i]), yamlDeref(n.Content[i+1])})
	}
	return out
}

func yamlLookup(n *yaml.Node, key string) *yaml.Node {
	for _, kv := range yamlPairs(n) {
		if kv.key == key {
			return kv.val
		}
	}
	return nil
}

func yamlString(n *yaml.Node) string {
	n = yamlDeref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}
