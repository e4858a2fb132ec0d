package expr

// The status functions of if: (§4.3, §4.4). At step level they read
// job.status; at job level the aggregated status of the ancestor jobs.
// Context.JobStatus holds either; empty means success.

func (ev *evaluator) status() string {
	if ev.c.JobStatus == "" {
		return StatusSuccess
	}
	return ev.c.JobStatus
}

// callSuccess: success() at either level; success('a', 'b') at job level is
// true when the run is not cancelled and each named job's needs.<id>.result
// is 'success'.
func callSuccess(ev *evaluator, n *node) (any, *Error) {
	if len(n.args) == 0 {
		return ev.status() == StatusSuccess, nil
	}
	results, err := ev.jobResults(n)
	if err != nil {
		return nil, err
	}
	if ev.status() == StatusCancelled {
		return false, nil
	}
	for _, r := range results {
		if r != StatusSuccess {
			return false, nil
		}
	}
	return true, nil
}

// callFailure: failure() at either level; failure('a') at job level is true
// when a named job's needs.<id>.result is 'failure'.
func callFailure(ev *evaluator, n *node) (any, *Error) {
	if len(n.args) == 0 {
		return ev.status() == StatusFailure, nil
	}
	results, err := ev.jobResults(n)
	if err != nil {
		return nil, err
	}
	for _, r := range results {
		if r == StatusFailure {
			return true, nil
		}
	}
	return false, nil
}

func callCancelled(ev *evaluator, _ *node) (any, *Error) {
	return ev.status() == StatusCancelled, nil
}

func callAlways(*evaluator, *node) (any, *Error) { return true, nil }

// jobResults evaluates the job ids given to success()/failure() and returns
// needs.<id>.result for each (” for a job that is not in needs). Job ids
// are only accepted at job level.
func (ev *evaluator) jobResults(n *node) ([]string, *Error) {
	if ev.c.Level != JobLevel {
		return nil, ev.errorf(n, "Too many parameters supplied: '%s'", n.name)
	}
	needs, _ := ev.context("needs").(*Object)
	results := make([]string, 0, len(n.args))
	for _, a := range n.args {
		id, err := ev.eval(a)
		if err != nil {
			return nil, err
		}
		job, _ := needs.Get(ToString(id))
		jobObj, _ := job.(*Object)
		result, _ := jobObj.Get("result")
		s, _ := result.(string)
		results = append(results, s)
	}
	return results, nil
}
