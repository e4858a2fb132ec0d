package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/runner"
)

// runJob decides whether the job runs (its if:, with the status of its
// ancestors), waits for its concurrency group, and runs its legs.
func (s *scheduler) runJob(j *jobState) *JobResult {
	res := &JobResult{Key: j.spec.ID, Name: j.spec.ID}
	needs := s.needsContext(j)
	ctx := &expr.Context{Level: expr.JobLevel, JobStatus: s.ancestorStatus(j),
		Values: map[string]any{"github": s.r.GitHub, "needs": needs, "vars": s.r.Vars, "inputs": s.r.Inputs}}
	ok, err := jobIf(j.spec.If, ctx)
	if err != nil {
		return s.failJob(res, fmt.Sprintf("##[error]The job's if: could not be evaluated: %v", err))
	}
	if !ok {
		res.Result, res.NeedsResult = "skipped", "skipped"
		s.obs.JobSkipped(j.spec.ID, s.plainName(j, ctx))
		return res
	}
	legs, err := s.legs(j, ctx)
	if err != nil {
		return s.failJob(res, "##[error]"+err.Error())
	}
	jobCtx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	release, admitted := s.admit(j, ctx, cancel)
	if !admitted {
		res.Result, res.NeedsResult = "cancelled", "cancelled"
		return res
	}
	defer release()
	s.runLegs(jobCtx, j, legs, needs, res)
	return res
}

// jobIf evaluates a job's if:, success() when it is empty.
func jobIf(raw string, ctx *expr.Context) (bool, error) {
	if strings.TrimSpace(raw) == "" {
		raw = "success()"
	}
	return expr.EvalIf(raw, ctx)
}

// failJob ends a job that could not start, with its reason in the log.
func (s *scheduler) failJob(res *JobResult, line string) *JobResult {
	l := &Leg{Key: res.Key, Name: res.Name}
	rep := s.reporterFor(l)
	rep.StepStarted(0, "Set up job")
	rep.Log(0, time.Now(), line)
	rep.StepFinished(0, "failure", "failure")
	lr := &LegResult{Leg: *l, Result: "failure"}
	s.obs.LegFinished(l, lr)
	res.Result, res.NeedsResult, res.Legs = "failure", "failure", []*LegResult{lr}
	return res
}

// needsContext is needs.<id>.{result, outputs} of the direct needs.
func (s *scheduler) needsContext(j *jobState) *expr.Object {
	o := expr.NewObject()
	for _, n := range j.spec.Needs {
		dep := s.jobs[strings.ToLower(n)]
		if dep == nil || dep.res == nil {
			continue
		}
		names := make([]string, 0, len(dep.spec.Outputs))
		for _, p := range dep.spec.Outputs {
			names = append(names, p.Name)
		}
		o.Set(dep.spec.ID, object("result", dep.res.NeedsResult, "outputs", stringMap(dep.res.Outputs, names)))
	}
	return o
}

// ancestorStatus is what success()/failure()/cancelled() see at job level:
// cancelled when the run is, failure when a job in the transitive needs
// failed, "skipped" (neither) when one was skipped or cancelled.
func (s *scheduler) ancestorStatus(j *jobState) string {
	if s.ctx.Err() != nil {
		return expr.StatusCancelled
	}
	status := expr.StatusSuccess
	seen := map[*jobState]bool{}
	var walk func(*jobState) bool
	walk = func(j *jobState) bool {
		for _, n := range j.spec.Needs {
			dep := s.jobs[strings.ToLower(n)]
			if dep == nil || seen[dep] || dep.res == nil {
				continue
			}
			seen[dep] = true
			switch dep.res.NeedsResult {
			case "failure":
				return true
			case "skipped", "cancelled":
				status = "skipped"
			}
			if walk(dep) {
				return true
			}
		}
		return false
	}
	if walk(j) {
		return expr.StatusFailure
	}
	return status
}

// runLegs runs the legs with max-parallel and fail-fast and aggregates
// their results into the job's.
func (s *scheduler) runLegs(ctx context.Context, j *jobState, legs []*Leg, needs *expr.Object, res *JobResult) {
	strategy := s.strategy(j, len(legs))
	failFast, _ := strategy.Get("fail-fast")
	maxParallel, _ := strategy.Get("max-parallel")
	legCtx, cancelLegs := context.WithCancel(ctx)
	defer cancelLegs()
	slots := make(chan struct{}, max(1, int(maxParallel.(float64))))
	results := make([]*LegResult, len(legs))
	var finishOrder []*LegResult
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, l := range legs {
		wg.Add(1)
		go func(i int, l *Leg) {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			lr := s.runLeg(legCtx, j, l, needs, strategy)
			mu.Lock()
			results[i] = lr
			finishOrder = append(finishOrder, lr)
			mu.Unlock()
			if lr.Result == "failure" && !lr.ContinueOnError && failFast == true {
				cancelLegs()
			}
		}(i, l)
	}
	wg.Wait()
	res.Legs = results
	if len(legs) == 1 {
		res.Name = legs[0].Name
	}
	aggregate(res, finishOrder)
}

// aggregate sets the job's result from its legs: failure if one failed,
// cancelled if one was cancelled; dependents see success when every
// failed leg continued on error. Outputs merge, the last leg to end winning.
func aggregate(res *JobResult, finishOrder []*LegResult) {
	res.Result, res.NeedsResult = "success", "success"
	failedHard := false
	res.Outputs = map[string]string{}
	for _, lr := range finishOrder {
		switch lr.Result {
		case "failure":
			res.Result = "failure"
			failedHard = failedHard || !lr.ContinueOnError
		case "cancelled":
			if res.Result != "failure" {
				res.Result = "cancelled"
			}
		}
		for k, v := range lr.Outputs {
			res.Outputs[k] = v
		}
	}
	res.NeedsResult = res.Result
	if res.Result == "failure" && !failedHard {
		res.NeedsResult = "success"
	}
}

// runLeg executes one leg with the runner, within the job's timeout.
func (s *scheduler) runLeg(ctx context.Context, j *jobState, l *Leg, needs, strategy *expr.Object) *LegResult {
	lr := &LegResult{Leg: *l}
	values := s.legContexts(j, l, needs, strategy)
	exprCtx := &expr.Context{Values: values}
	lr.ContinueOnError = boolOf(j.spec.ContinueOnError.Value, j.spec.ContinueOnError.Expr, exprCtx)
	rep := s.reporterFor(l)
	if ctx.Err() != nil { // fail-fast or the run was cancelled before it started
		lr.Result = "cancelled"
		s.obs.LegFinished(l, lr)
		return lr
	}
	// The runner enforces the job's timeout-minutes, with GitHub's message.
	job := &runner.Job{
		Workflow: s.r.Workflow, Spec: j.spec, Name: l.Name, Contexts: values, Secrets: s.r.Secrets,
		Event: s.r.Event, WorkDir: filepath.Join(s.r.WorkDir, fmt.Sprintf("%s-%d", safe(j.spec.ID), l.Index)),
		Checkout: s.r.Checkout, Actions: s.r.Actions, Debug: s.r.Debug, Environment: s.r.environment(),
	}
	out := s.r.execute(ctx, l, job, rep)
	lr.Result, lr.Steps, lr.Outputs, lr.Summary = out.Result, out.Steps, out.Outputs, out.Summary
	s.obs.LegFinished(l, lr)
	return lr
}

// legContexts are the contexts a leg's runner gets from the scheduler.
func (s *scheduler) legContexts(j *jobState, l *Leg, needs, strategy *expr.Object) map[string]any {
	github := expr.NewObject()
	for k, v := range s.r.GitHub.All() {
		github.Set(k, v)
	}
	github.Set("job", j.spec.ID)
	st := expr.NewObject()
	for k, v := range strategy.All() {
		st.Set(k, v)
	}
	st.Set("job-index", float64(l.Index))
	var matrix any
	if l.Matrix != nil {
		matrix = l.Matrix
	}
	return map[string]any{"github": github, "inputs": s.r.Inputs, "vars": s.r.Vars, "needs": needs,
		"strategy": st, "matrix": matrix}
}

func safe(s string) string {
	return strings.Map(func(c rune) rune {
		if c == '/' || c == '\\' || c == 0 {
			return '_'
		}
		return c
	}, s)
}

// boolOf is a BoolOrExpr's value; an expression that fails is false.
func boolOf(value bool, raw string, ctx *expr.Context) bool {
	if raw == "" {
		return value
	}
	v, err := expr.EvalTemplate(raw, ctx)
	return err == nil && expr.Truthy(v)
}

// numberOf is a NumberOrExpr's value, def when unset or unusable.
func numberOf(set bool, value float64, raw string, ctx *expr.Context, def float64) float64 {
	if raw != "" {
		v, err := expr.EvalTemplate(raw, ctx)
		if f, ok := v.(float64); err == nil && ok && f > 0 {
			return f
		}
		return def
	}
	if set && value > 0 {
		return value
	}
	return def
}
