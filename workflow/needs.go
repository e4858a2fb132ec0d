package workflow

import (
	"strings"

	"github.com/dispatchd/dispatchd"
)

// checkNeeds applies GitHub's job graph rules (WORKFLOW_SEMANTICS §5) with
// GitHub's messages, so that the UI shows what github.com would: unknown
// jobs, cycles, and a graph without a job to start from. Job ids are
// case-insensitive.
func checkNeeds(w *Workflow) []dispatchd.Problem {
	if len(w.Jobs) == 0 {
		return nil
	}
	var problems []dispatchd.Problem
	index := make(map[string]*Job, len(w.Jobs))
	for _, j := range w.Jobs {
		index[strings.ToLower(j.ID)] = j
	}
	needPos := func(j *Job, i int) Pos {
		if i < len(j.needsPos) {
			return j.needsPos[i]
		}
		return j.Pos
	}

	hasRoot := false
	for _, j := range w.Jobs {
		if len(j.Needs) == 0 {
			hasRoot = true
		}
		for i, n := range j.Needs {
			if index[strings.ToLower(n)] == nil {
				problems = append(problems, problemAt(needPos(j, i), KindJobNeeds, SeverityError,
					"Job '%s' depends on unknown job '%s'.", j.ID, n))
			}
		}
	}

	// Depth-first search; an edge to a job still on the stack closes a
	// cycle. Iterative, so that a long chain of jobs cannot exhaust the stack.
	const (
		unvisited = iota
		onStack
		done
	)
	state := make(map[*Job]int, len(w.Jobs))
	type frame struct {
		job  *Job
		next int // index of the next need to follow
	}
	for _, root := range w.Jobs {
		if state[root] != unvisited {
			continue
		}
		state[root] = onStack
		stack := []frame{{job: root}}
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next == len(top.job.Needs) {
				state[top.job] = done
				stack = stack[:len(stack)-1]
				continue
			}
			i := top.next
			top.next++
			dep := index[strings.ToLower(top.job.Needs[i])]
			switch {
			case dep == nil:
			case state[dep] == onStack:
				problems = append(problems, problemAt(needPos(top.job, i), KindJobNeeds, SeverityError,
					"Job '%s' depends on job '%s' which creates a cycle in the dependency graph.", top.job.ID, dep.ID))
			case state[dep] == unvisited:
				state[dep] = onStack
				stack = append(stack, frame{job: dep})
			}
		}
	}

	if !hasRoot {
		problems = append(problems, problemAt(w.Jobs[0].Pos, KindJobNeeds, SeverityError,
			"The workflow must contain at least one job with no dependencies."))
	}
	return problems
}
