package scheduler

import (
	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/workflow"
)

// defaultPermissions are GITHUB_TOKEN's without `permissions:`: GitHub's
// restricted default (read contents, as new repositories and organizations
// get since 2023).
var defaultPermissions = dispatchd.Permissions{dispatchd.AreaMetadata: dispatchd.Read, dispatchd.AreaContents: dispatchd.Read}

// tokenPermissions is what a job's GITHUB_TOKEN may do: the job's
// `permissions:` if it has them, else the workflow's, else the default.
// Scopes dispatchd has no area for (issues, packages, …) grant nothing here;
// a token never administers the repository, its hooks or its secrets.
func tokenPermissions(wf *workflow.Workflow, job *workflow.Job) dispatchd.Permissions {
	p := wf.Permissions
	if job != nil && job.Permissions != nil {
		p = job.Permissions
	}
	if p == nil {
		return defaultPermissions
	}
	out := dispatchd.Permissions{dispatchd.AreaMetadata: dispatchd.Read}
	switch p.All {
	case "read-all":
		out[dispatchd.AreaContents], out[dispatchd.AreaActions] = dispatchd.Read, dispatchd.Read
	case "write-all":
		out[dispatchd.AreaContents], out[dispatchd.AreaActions] = dispatchd.Write, dispatchd.Write
	}
	for _, s := range p.Scopes {
		var area dispatchd.Area
		switch s.Name {
		case "contents":
			area = dispatchd.AreaContents
		case "actions":
			area = dispatchd.AreaActions
		default:
			continue
		}
		switch s.Value {
		case "write":
			out[area] = dispatchd.Write
		case "read":
			out[area] = dispatchd.Read
		default: // none
			delete(out, area)
		}
	}
	return out
}
