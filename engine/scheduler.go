package engine

import (
	"context"
	"strings"

	"github.com/dispatchd/dispatchd/runner"
	"github.com/dispatchd/dispatchd/workflow"
)

const (
	pending = iota
	running
	done
)

type jobState struct {
	spec   *workflow.Job
	status int
	res    *JobResult
}

type scheduler struct {
	ctx   context.Context // cancelled when the run is
	r     *Run
	obs   Observer
	jobs  map[string]*jobState // by lower-case id: needs: is case-insensitive
	order []*jobState
	gates *gates
}

func newScheduler(ctx context.Context, r *Run, obs Observer) *scheduler {
	s := &scheduler{ctx: ctx, r: r, obs: obs, jobs: map[string]*jobState{}, gates: newGates()}
	for _, j := range r.Workflow.Jobs {
		st := &jobState{spec: j}
		if res := r.Done[j.ID]; res != nil {
			st.status, st.res = done, res
		}
		s.jobs[strings.ToLower(j.ID)] = st
		s.order = append(s.order, st)
	}
	return s
}

// run starts every job whose needs have all ended, waits for one to end,
// and repeats until nothing runs.
func (s *scheduler) run() *Result {
	finished := make(chan *jobState)
	active := 0
	for {
		for _, j := range s.order {
			if j.status == pending && s.needsDone(j) {
				j.status = running
				active++
				go func(j *jobState) {
					j.res = s.runJob(j)
					finished <- j
				}(j)
			}
		}
		if active == 0 {
			break
		}
		j := <-finished
		j.status = done
		active--
	}
	return s.result()
}

func (s *scheduler) needsDone(j *jobState) bool {
	for _, n := range j.spec.Needs {
		if dep := s.jobs[strings.ToLower(n)]; dep == nil || dep.status != done {
			return false
		}
	}
	return true
}

// result concludes the run: failure if a job failed (not counting
// continue-on-error), cancelled if the run or a job was cancelled.
func (s *scheduler) result() *Result {
	out := &Result{Conclusion: "success"}
	cancelled := s.ctx.Err() != nil
	for _, j := range s.order {
		res := j.res
		if res == nil { // never started: a needed job is missing (the parser rejects that)
			res = &JobResult{Key: j.spec.ID, Name: j.spec.ID, Result: "skipped", NeedsResult: "skipped"}
		}
		out.Jobs = append(out.Jobs, res)
		switch res.NeedsResult {
		case "failure":
			out.Conclusion = "failure"
		case "cancelled":
			cancelled = true
		}
	}
	if out.Conclusion != "failure" && cancelled {
		out.Conclusion = "cancelled"
	}
	return out
}

// reporterFor starts a leg with the observer.
func (s *scheduler) reporterFor(l *Leg) runner.Reporter { return s.obs.LegStarted(l) }
