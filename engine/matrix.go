package engine

import (
	"fmt"
	"strings"

	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/workflow"
)

// legs expands the job's matrix, resolving the expressions it holds (a
// matrix may come from needs outputs or the event's payload), into legs in
// creation order. A job without a matrix is one leg.
func (s *scheduler) legs(j *jobState, ctx *expr.Context) ([]*Leg, error) {
	st := j.spec.Strategy
	if st == nil || st.Matrix == nil {
		return []*Leg{{Key: j.spec.ID, Name: s.plainName(j, ctx)}}, nil
	}
	m, err := resolveMatrix(st.Matrix, ctx)
	if err != nil {
		return nil, err
	}
	combos, err := workflow.ExpandMatrix(m)
	if err != nil {
		return nil, err
	}
	if len(combos) == 0 {
		return nil, fmt.Errorf("Matrix for job '%s' produced no jobs", j.spec.ID)
	}
	legs := make([]*Leg, len(combos))
	for i, c := range combos {
		matrix := toExpr([]workflow.KV(c)).(*expr.Object)
		legs[i] = &Leg{Key: j.spec.ID, Index: i, Matrix: matrix, Name: s.legName(j, ctx, matrix)}
	}
	return legs, nil
}

// resolveMatrix evaluates a matrix given as one expression, or the
// expressions among its vectors and include/exclude lists.
func resolveMatrix(m *workflow.Matrix, ctx *expr.Context) ([]workflow.KV, error) {
	if m.Expr != "" {
		v, err := expr.EvalTemplate(m.Expr, ctx)
		if err != nil {
			return nil, err
		}
		kvs, ok := fromExpr(v).([]workflow.KV)
		if !ok {
			return nil, fmt.Errorf("the matrix %s is not an object", m.Expr)
		}
		return kvs, nil
	}
	out := make([]workflow.KV, len(m.Entries))
	for i, kv := range m.Entries {
		v, err := resolveValue(kv.Value, ctx)
		if err != nil {
			return nil, err
		}
		out[i] = workflow.KV{Key: kv.Key, Value: v}
	}
	return out, nil
}

// resolveValue evaluates the ${{ }} strings of a matrix value.
func resolveValue(v any, ctx *expr.Context) (any, error) {
	switch v := v.(type) {
	case string:
		if !strings.Contains(v, "${{") {
			return v, nil
		}
		r, err := expr.EvalTemplate(v, ctx)
		return fromExpr(r), err
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			r, err := resolveValue(e, ctx)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case []workflow.KV:
		out := make([]workflow.KV, len(v))
		for i, kv := range v {
			r, err := resolveValue(kv.Value, ctx)
			if err != nil {
				return nil, err
			}
			out[i] = workflow.KV{Key: kv.Key, Value: r}
		}
		return out, nil
	}
	return v, nil
}

// strategy is the strategy context: fail-fast (default true), job-total,
// max-parallel (default: every leg at once).
func (s *scheduler) strategy(j *jobState, total int) *expr.Object {
	failFast, maxParallel := true, float64(total)
	if st := j.spec.Strategy; st != nil {
		ctx := &expr.Context{Values: map[string]any{"github": s.r.GitHub, "inputs": s.r.Inputs, "vars": s.r.Vars}}
		if st.FailFast.Set || st.FailFast.Expr != "" {
			failFast = boolOf(st.FailFast.Value, st.FailFast.Expr, ctx)
		}
		maxParallel = min(numberOf(st.MaxParallel.Set, st.MaxParallel.Value, st.MaxParallel.Expr, ctx, float64(total)), float64(total))
	}
	return object("fail-fast", failFast, "job-index", float64(0), "job-total", float64(total), "max-parallel", maxParallel)
}

// plainName is a job's display name: its evaluated name:, or its id.
func (s *scheduler) plainName(j *jobState, ctx *expr.Context) string {
	if j.spec.Name == "" {
		return j.spec.ID
	}
	v, err := expr.EvalTemplate(j.spec.Name, ctx)
	if err != nil {
		return j.spec.ID
	}
	return expr.ToString(v)
}

// legName is a leg's display name: an evaluated name: that uses
// expressions as it is, otherwise the name (or id) followed by the matrix
// values, "build (linux, 18)", as GitHub shows them.
func (s *scheduler) legName(j *jobState, ctx *expr.Context, matrix *expr.Object) string {
	values := map[string]any{"matrix": matrix}
	for k, v := range ctx.Values {
		values[k] = v
	}
	withMatrix := &expr.Context{Level: ctx.Level, JobStatus: ctx.JobStatus, Values: values}
	if strings.Contains(j.spec.Name, "${{") {
		return s.plainName(j, withMatrix)
	}
	var parts []string
	for _, v := range matrix.All() {
		if _, nested := v.(*expr.Object); nested {
			parts = append(parts, expr.ToJSON(v))
			continue
		}
		parts = append(parts, expr.ToString(v))
	}
	return s.plainName(j, withMatrix) + " (" + strings.Join(parts, ", ") + ")"
}
