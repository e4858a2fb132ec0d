package workflow

import yaml "go.yaml.in/yaml/v4"

// Step is one entry of `jobs.<id>.steps`: a `run:` script or a `uses:`
// action.
type Step struct {
	Pos              Pos // of the step's mapping
	ID               string
	Name             string // raw; empty means "Run <first line>" at run time
	If               string // raw, as Job.If
	Run              string
	Shell            string
	WorkingDirectory string
	Uses             string
	With             []Pair
	Env              Env
	ContinueOnError  BoolOrExpr
	TimeoutMinutes   NumberOrExpr
}

func stepOf(n *yaml.Node) *Step {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	s := &Step{Pos: posOf(n)}
	for _, f := range entries(n) {
		switch f.name {
		case "id":
			s.ID = str(f.val)
		case "name":
			s.Name = str(f.val)
		case "if":
			s.If = str(f.val)
		case "run":
			s.Run = str(f.val)
		case "shell":
			s.Shell = str(f.val)
		case "working-directory":
			s.WorkingDirectory = str(f.val)
		case "uses":
			s.Uses = str(f.val)
		case "with":
			s.With = pairs(f.val)
		case "env":
			s.Env = envOf(f.val)
		case "continue-on-error":
			s.ContinueOnError = boolOrExpr(f.val)
		case "timeout-minutes":
			s.TimeoutMinutes = numberOrExpr(f.val)
		}
	}
	return s
}
