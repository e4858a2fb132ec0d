package engine_test

import (
	"encoding/json"
	"path"
	"slices"
	"strings"

	"github.com/dispatchd/dispatchd/engine"
	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/workflow"
)

func checkRun(c *checker, want expectation, res *engine.Result, rec *recorder, model *workflow.Workflow) {
	c.t.Helper()
	if want.Conclusion != "" && res.Conclusion != want.Conclusion {
		c.errorf("run conclusion = %s, want %s", res.Conclusion, want.Conclusion)
	}
	for key, jw := range want.Jobs {
		jr := res.Job(key)
		if jr == nil {
			c.errorf("job %s: no result", key)
			continue
		}
		checkJob(c, key, *jw, jr, rec)
	}
	checkAnnotations(c, want.Annotations, rec)
	checkOrder(c, want.Order, rec)
	checkSharedGroups(c, model, rec)
}

func checkJob(c *checker, key string, want jobExpect, got *engine.JobResult, rec *recorder) {
	if want.Result != "" && got.Result != want.Result {
		c.errorf("job %s: result %s, want %s", key, got.Result, want.Result)
	}
	if want.ResultInNeeds != "" && got.NeedsResult != want.ResultInNeeds {
		c.errorf("job %s: needs result %s, want %s", key, got.NeedsResult, want.ResultInNeeds)
	}
	for k, v := range want.Outputs {
		if got.Outputs[k] != v {
			c.errorf("job %s: output %s = %q, want %q", key, k, got.Outputs[k], v)
		}
	}
	for _, k := range want.OutputsAbsent {
		if _, ok := got.Outputs[k]; ok {
			c.errorf("job %s: output %s present, want it dropped", key, k)
		}
	}
	if len(want.Steps) > 0 || len(want.PostJobLogContains) > 0 || len(want.PostJobLogNotContains) > 0 {
		if len(got.Legs) == 0 {
			c.errorf("job %s: did not run", key)
			return
		}
		checkLeg(c, key, want.Steps, got.Legs[0], rec)
		post := rec.lines(got.Legs[0], len(got.Legs[0].Steps)+1)
		for _, s := range want.PostJobLogContains {
			if !containsSub(post, s) {
				c.errorf("job %s: Complete job lacks %q: %q", key, s, post)
			}
		}
		for _, s := range want.PostJobLogNotContains {
			if containsSub(post, s) {
				c.errorf("job %s: Complete job has %q", key, s)
			}
		}
	}
	for i, mw := range want.MatrixJobs {
		if i >= len(got.Legs) {
			c.errorf("job %s: %d legs, want at least %d", key, len(got.Legs), i+1)
			return
		}
		leg := got.Legs[i]
		gotMatrix, _ := json.Marshal(toPlain(leg.Matrix))
		wantMatrix, _ := json.Marshal(mw.Matrix)
		if string(gotMatrix) != string(wantMatrix) {
			c.errorf("job %s leg %d: matrix %s, want %s", key, i, gotMatrix, wantMatrix)
		}
		if mw.Result != "" && leg.Result != mw.Result {
			c.errorf("job %s leg %d: result %s, want %s", key, i, leg.Result, mw.Result)
		}
		if len(mw.Steps) > 0 {
			checkLeg(c, key, mw.Steps, leg, rec)
		}
		all := rec.allOutput(leg)
		for _, s := range mw.OutputNotContains {
			if containsSub(all, s) {
				c.errorf("job %s leg %d: output has %q", key, i, s)
			}
		}
	}
}

// toPlain turns an expression object into plain values for comparison;
// object keys come out sorted, as the fixture's JSON does.
func toPlain(v any) any {
	switch v := v.(type) {
	case *expr.Object:
		if v == nil {
			return nil
		}
		m := map[string]any{}
		for k, e := range v.All() {
			m[k] = toPlain(e)
		}
		return m
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = toPlain(e)
		}
		return out
	}
	return v
}

func checkLeg(c *checker, key string, want []stepExpect, leg *engine.LegResult, rec *recorder) {
	if len(leg.Steps) != len(want) {
		c.errorf("job %s: %d steps, want %d: %+v", key, len(leg.Steps), len(want), leg.Steps)
		return
	}
	for i, sw := range want {
		sg := leg.Steps[i]
		if sw.Name != "" && sg.Name != sw.Name {
			c.errorf("job %s step %d: name %q, want %q", key, i+1, sg.Name, sw.Name)
		}
		if sw.Outcome != "" && sg.Outcome != sw.Outcome {
			c.errorf("job %s step %q: outcome %s, want %s", key, sw.Name, sg.Outcome, sw.Outcome)
		}
		if sw.Conclusion != "" && sg.Conclusion != sw.Conclusion {
			c.errorf("job %s step %q: conclusion %s, want %s", key, sw.Name, sg.Conclusion, sw.Conclusion)
		}
		for k, v := range sw.Outputs {
			if sg.Outputs[k] != v {
				c.errorf("job %s step %q: output %s = %q, want %q", key, sw.Name, k, sg.Outputs[k], v)
			}
		}
		lines := rec.lines(leg, i+1)
		header, output := splitHeader(lines)
		if !inOrder(output, sw.OutputContains) {
			c.errorf("job %s step %q: output lacks, in order, %q\noutput: %q", key, sw.Name, sw.OutputContains, output)
		}
		for _, s := range sw.OutputNotContains {
			if containsSub(output, s) {
				c.errorf("job %s step %q: output has %q", key, sw.Name, s)
			}
		}
		checkShell(c, key, sw, header)
	}
}

// splitHeader separates the runner's "##[group]Run …" header from the
// step's output.
func splitHeader(lines []string) (header, output []string) {
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "##[group]Run ") {
		return nil, lines
	}
	for i, l := range lines {
		if l == "##[endgroup]" {
			return lines[:i+1], lines[i+1:]
		}
	}
	return lines, nil
}

func checkShell(c *checker, key string, sw stepExpect, header []string) {
	if sw.HeaderShellArgs == "" && sw.HeaderShellProgram == "" {
		return
	}
	for _, l := range header {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "shell: "); ok {
			prog, args, _ := strings.Cut(rest, " ")
			if sw.HeaderShellProgram != "" && path.Base(prog) != path.Base(sw.HeaderShellProgram) {
				c.errorf("job %s step %q: shell program %s, want %s", key, sw.Name, prog, sw.HeaderShellProgram)
			}
			if sw.HeaderShellArgs != "" && args != sw.HeaderShellArgs {
				c.errorf("job %s step %q: shell args %q, want %q", key, sw.Name, args, sw.HeaderShellArgs)
			}
			return
		}
	}
	c.errorf("job %s step %q: no shell: line in the header %q", key, sw.Name, header)
}

// inOrder reports whether want are whole lines of got, in this order.
func inOrder(got, want []string) bool {
	i := 0
	for _, l := range got {
		if i < len(want) && l == want[i] {
			i++
		}
	}
	return i == len(want)
}

func containsSub(lines []string, s string) bool {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// checkAnnotations wants the expected annotations among the reported ones,
// in order.
func checkAnnotations(c *checker, want []annotationExpect, rec *recorder) {
	i := 0
	for _, a := range rec.annotations {
		if i < len(want) && a.Level == want[i].Level && a.Message == want[i].Message &&
			(want[i].File == "" || a.File == want[i].File) && (want[i].Title == "" || a.Title == want[i].Title) &&
			(want[i].Line == 0 || a.Line == want[i].Line) && (want[i].Col == 0 || a.Col == want[i].Col) {
			i++
		}
	}
	if i != len(want) {
		c.errorf("annotations: matched %d of %+v in %+v", i, want, rec.annotations)
	}
}

// checkOrder wants every job of a group to start after every job of the
// groups before it has ended.
func checkOrder(c *checker, order [][]string, rec *recorder) {
	for g := 1; g < len(order); g++ {
		for _, later := range order[g] {
			for _, earlier := range order[g-1] {
				e, l := rec.byKey(earlier), rec.byKey(later)
				if e == nil || l == nil {
					continue
				}
				if l.start.Before(e.end) {
					c.errorf("order: %s started before %s ended", later, earlier)
				}
			}
		}
	}
}

// checkSharedGroups wants jobs that share a literal concurrency group not
// to overlap.
func checkSharedGroups(c *checker, model *workflow.Workflow, rec *recorder) {
	groups := map[string][]string{}
	for _, j := range model.Jobs {
		if j.Concurrency != nil && j.Concurrency.Group != "" && !strings.Contains(j.Concurrency.Group, "${{") {
			groups[strings.ToLower(j.Concurrency.Group)] = append(groups[strings.ToLower(j.Concurrency.Group)], j.ID)
		}
	}
	for g, jobs := range groups {
		for i := range jobs {
			for k := i + 1; k < len(jobs); k++ {
				a, b := rec.byKey(jobs[i]), rec.byKey(jobs[k])
				if a != nil && b != nil && a.start.Before(b.end) && b.start.Before(a.end) {
					c.errorf("jobs %s and %s of concurrency group %s overlapped", jobs[i], jobs[k], g)
				}
			}
		}
	}
}

func (r *recorder) lines(leg *engine.LegResult, step int) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if lr := r.legs[legID(&leg.Leg)]; lr != nil {
		return slices.Clone(lr.steps[step])
	}
	return nil
}

// allOutput is every step's output, without the runner's headers.
func (r *recorder) allOutput(leg *engine.LegResult) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	if lr := r.legs[legID(&leg.Leg)]; lr != nil {
		for _, lines := range lr.steps {
			_, output := splitHeader(lines)
			out = append(out, output...)
		}
	}
	return out
}

func (r *recorder) byKey(key string) *legRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, lr := range r.legs {
		if lr.leg.Key == key {
			return lr
		}
	}
	return nil
}
