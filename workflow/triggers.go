package workflow

import (
	"github.com/dispatchd/dispatchd"
	yaml "go.yaml.in/yaml/v4"
)

// triggersOf reads the `on:` section in its three forms (WORKFLOW_SEMANTICS
// §2): a string, a sequence of strings, or a mapping of event to config. An
// event named in any form gets its trigger struct, so "present without
// filters" and "absent" stay distinguishable.
func triggersOf(on *yaml.Node) dispatchd.Triggers {
	t := dispatchd.Triggers{Events: []string{}}
	on = deref(on)
	if on == nil {
		return t
	}
	seen := map[string]bool{}
	add := func(event string, config *yaml.Node) {
		if event == "" || seen[event] {
			return
		}
		seen[event] = true
		t.Events = append(t.Events, event)
		switch event {
		case "repository_dispatch":
			t.RepositoryDispatch = repositoryDispatchOf(config)
		case "workflow_dispatch":
			t.WorkflowDispatch = workflowDispatchOf(config)
		case "push":
			t.Push = pushOf(config)
		}
	}
	switch on.Kind {
	case yaml.ScalarNode:
		add(str(on), nil)
	case yaml.SequenceNode:
		for _, c := range on.Content {
			add(str(c), nil)
		}
	case yaml.MappingNode:
		for _, e := range entries(on) {
			add(e.name, e.val)
		}
	}
	return t
}

func repositoryDispatchOf(n *yaml.Node) *dispatchd.RepositoryDispatchTrigger {
	// `types:` may be a list or one scalar (§2); `type:` is silently ignored
	// by GitHub, so it is here too.
	return &dispatchd.RepositoryDispatchTrigger{Types: stringList(lookup(n, "types"))}
}

func workflowDispatchOf(n *yaml.Node) *dispatchd.WorkflowDispatchTrigger {
	t := &dispatchd.WorkflowDispatchTrigger{}
	for _, e := range entries(lookup(n, "inputs")) {
		t.Inputs = append(t.Inputs, inputOf(e.name, e.val))
	}
	return t
}

func inputOf(id string, n *yaml.Node) dispatchd.WorkflowInput {
	in := dispatchd.WorkflowInput{ID: id, Type: dispatchd.InputString}
	if s := str(lookup(n, "type")); s != "" {
		in.Type = s
	}
	in.Description = str(lookup(n, "description"))
	in.Required = boolOrExpr(lookup(n, "required")).Value
	// The default is kept as written: `default: 1.50` stays "1.50" and
	// `default: true` is "true". A null default is no default.
	if s, ok := scalar(lookup(n, "default")); ok {
		in.Default = &s
	}
	if opts := deref(lookup(n, "options")); opts != nil && opts.Kind == yaml.SequenceNode {
		in.Options = stringList(opts)
	}
	return in
}

func pushOf(n *yaml.Node) *dispatchd.PushTrigger {
	// nil slices mean "filter not given"; a given but empty list stays
	// non-nil so that `branches: []` (matches nothing) is not "all".
	list := func(key string) []string {
		v := lookup(n, key)
		if v == nil || isNull(v) {
			return nil
		}
		l := stringList(v)
		if l == nil {
			l = []string{}
		}
		return l
	}
	return &dispatchd.PushTrigger{
		Branches:       list("branches"),
		BranchesIgnore: list("branches-ignore"),
		Tags:           list("tags"),
		TagsIgnore:     list("tags-ignore"),
		Paths:          list("paths"),
		PathsIgnore:    list("paths-ignore"),
	}
}
