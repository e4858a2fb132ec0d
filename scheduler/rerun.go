package scheduler

import (
	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/engine"
)

// doneJobs are the jobs of the attempt that already ended (kept by a re-run
// of failed jobs), as the engine takes them: result and merged outputs.
func doneJobs(jobs []*dispatchd.Job) map[string]*engine.JobResult {
	done := map[string]*engine.JobResult{}
	for _, j := range jobs {
		if j.Status != dispatchd.StatusCompleted {
			continue
		}
		res := done[j.Key]
		if res == nil {
			res = &engine.JobResult{Key: j.Key, Name: j.Name, Result: j.Conclusion, NeedsResult: j.Conclusion, Outputs: map[string]string{}}
			done[j.Key] = res
		}
		for k, v := range j.Outputs {
			res.Outputs[k] = v
		}
	}
	return done
}
