package runner

import (
	"fmt"
)

// jobOutputs evaluates `outputs:` in the "Complete job" phase (§6), with the
// job's final steps context and environment. Empty outputs are dropped (so
// needs.<job>.outputs.<name> is null downstream) and so are outputs holding
// a masked value, with the runner's warning. It reports false when the
// outputs could not be evaluated, which fails the job.
func (j *jobRun) jobOutputs(n int) (map[string]string, bool) {
	outputs := map[string]string{}
	if len(j.spec.Outputs) == 0 || j.github == nil {
		return outputs, true
	}
	j.log.output(n, "Evaluate and set job outputs")
	sr := &stepRun{sc: j.top, github: j.github, env: j.env}
	c := j.exprContext(sr)
	values := make([]string, len(j.spec.Outputs))
	for i, o := range j.spec.Outputs {
		v, err := evalString(o.Value, c, nil)
		if err != nil {
			// The runner evaluates the mapping as a whole: one error, no outputs.
			j.log.errorf(n, "Fail to evaluate job outputs")
			j.log.errorf(n, err.Error())
			return map[string]string{}, false
		}
		values[i] = v
	}
	for i, o := range j.spec.Outputs {
		switch v := values[i]; {
		case v == "":
			j.log.debug(n, fmt.Sprintf("Skip output '%s' since it's empty", o.Name))
		case j.mask.hides(v):
			j.log.warning(n, fmt.Sprintf("Skip output '%s' since it may contain secret.", o.Name))
		default:
			j.log.output(n, fmt.Sprintf("Set output '%s'", o.Name))
			outputs[o.Name] = v
		}
	}
	return outputs, true
}
