package workflow

import yaml "go.yaml.in/yaml/v4"

// Job is `jobs.<id>`.
type Job struct {
	ID              string
	Pos             Pos    // of the job id
	Name            string // raw; may hold expressions
	Needs           []string
	If              string // raw: with or without ${{ }}, block-scalar newline kept (§4.2)
	RunsOn          RunsOn
	Environment     *Environment
	Strategy        *Strategy
	Outputs         []Pair
	Env             Env
	Defaults        *RunDefaults
	TimeoutMinutes  NumberOrExpr
	ContinueOnError BoolOrExpr
	Concurrency     *Concurrency
	Permissions     *Permissions
	Uses            string // a reusable workflow call instead of steps
	With            []Pair
	Steps           []*Step

	needsPos []Pos // position of each Needs entry, for problems
}

// RunsOn is `runs-on:`: a label, a list of labels, or {group, labels}. A
// label may be an expression such as ${{ matrix.os }}.
type RunsOn struct {
	Labels []string
	Group  string
}

// Environment is `environment:` as a name or {name, url}.
type Environment struct {
	Name string
	URL  string
}

func jobOf(e entry) *Job {
	j := &Job{ID: e.name, Pos: posOf(e.key)}
	for _, f := range entries(e.val) {
		switch f.name {
		case "name":
			j.Name = str(f.val)
		case "needs":
			j.Needs = stringList(f.val)
			j.needsPos = listPositions(f.val)
		case "if":
			j.If = str(f.val)
		case "runs-on":
			j.RunsOn = runsOnOf(f.val)
		case "environment":
			j.Environment = environmentOf(f.val)
		case "strategy":
			j.Strategy = strategyOf(f.val)
		case "outputs":
			j.Outputs = pairs(f.val)
		case "env":
			j.Env = envOf(f.val)
		case "defaults":
			j.Defaults = runDefaultsOf(f.val)
		case "timeout-minutes":
			j.TimeoutMinutes = numberOrExpr(f.val)
		case "continue-on-error":
			j.ContinueOnError = boolOrExpr(f.val)
		case "concurrency":
			j.Concurrency = concurrencyOf(f.val)
		case "permissions":
			j.Permissions = permissionsOf(f.val)
		case "uses":
			j.Uses = str(f.val)
		case "with":
			j.With = pairs(f.val)
		case "steps":
			if n := deref(f.val); n != nil && n.Kind == yaml.SequenceNode {
				for _, s := range n.Content {
					if st := stepOf(s); st != nil {
						j.Steps = append(j.Steps, st)
					}
				}
			}
		}
	}
	return j
}

// listPositions gives the position of each scalar that stringList returns.
func listPositions(n *yaml.Node) []Pos {
	n = deref(n)
	if _, ok := scalar(n); ok {
		return []Pos{posOf(n)}
	}
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	var out []Pos
	for _, c := range n.Content {
		if _, ok := scalar(c); ok {
			out = append(out, posOf(deref(c)))
		}
	}
	return out
}

func runsOnOf(n *yaml.Node) RunsOn {
	if kindOf(n) == yaml.MappingNode {
		return RunsOn{Group: str(lookup(n, "group")), Labels: stringList(lookup(n, "labels"))}
	}
	return RunsOn{Labels: stringList(n)}
}

func environmentOf(n *yaml.Node) *Environment {
	if s, ok := scalar(n); ok {
		return &Environment{Name: s}
	}
	if kindOf(n) != yaml.MappingNode {
		return nil
	}
	return &Environment{Name: str(lookup(n, "name")), URL: str(lookup(n, "url"))}
}
