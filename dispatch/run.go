package dispatch

import (
	"strconv"
	"strings"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/expr"
)

// newRun builds a queued run of the model with its jobs: the display title
// from run-name (GitHub's event-specific default when it is absent, blank or
// fails to evaluate: the head commit's headline for a push, the workflow's
// name otherwise) and the concurrency group for the scheduler.
func (s *Service) newRun(t *trigger, m *model) dispatchd.NewRun {
	name, title := t.name, t.name
	if t.title != "" {
		title = t.title
	}
	run := &dispatchd.Run{
		WorkflowID: t.file.WorkflowID, Name: name, DisplayTitle: title, Path: t.file.Path, Event: t.eventName,
		HeadSHA: t.sha, ActorID: t.actor.ID, TriggeringActorID: t.actor.ID,
	}
	run.HeadBranch, _ = shortRef(t.ref)
	nr := dispatchd.NewRun{Run: run, Jobs: m.jobs()}
	if m.wf.RunName == "" && m.wf.Concurrency == nil {
		return nr
	}
	ctx := s.runContext(t, m)
	if !m.usesRunID() {
		m.evalRunFields(run, ctx)
		return nr
	}
	// github.run_id and run_number exist once the store numbers the run
	// (`group: ${{ github.head_ref || github.run_id }}` is common).
	nr.Finish = func(r *dispatchd.Run) {
		gh := ctx.Values["github"].(*expr.Object)
		gh.Set("run_id", strconv.FormatInt(r.ID, 10))
		gh.Set("run_number", strconv.FormatInt(r.RunNumber, 10))
		m.evalRunFields(r, ctx)
	}
	return nr
}

// usesRunID reports whether run-name or the concurrency group mentions
// the run's id or number.
func (m *model) usesRunID() bool {
	texts := m.wf.RunName
	if c := m.wf.Concurrency; c != nil {
		texts += c.Group + c.CancelInProgress.Expr
	}
	return strings.Contains(texts, "run_id") || strings.Contains(texts, "run_number")
}

// evalRunFields sets the display title from run-name and the concurrency
// group, as the context has them.
func (m *model) evalRunFields(run *dispatchd.Run, ctx *expr.Context) {
	if title := evalString(m.wf.RunName, ctx); strings.TrimSpace(title) != "" {
		run.DisplayTitle = title
	}
	if c := m.wf.Concurrency; c != nil {
		run.ConcurrencyGroup = evalString(c.Group, ctx)
		run.CancelInProgress = c.CancelInProgress.Value
		if c.CancelInProgress.Expr != "" {
			v, err := expr.EvalTemplate(c.CancelInProgress.Expr, ctx)
			run.CancelInProgress = err == nil && expr.Truthy(v)
		}
	}
}

// evalString interpolates a template; an error yields "".
func evalString(tmpl string, ctx *expr.Context) string {
	if tmpl == "" {
		return ""
	}
	v, err := expr.EvalTemplate(tmpl, ctx)
	if err != nil {
		return ""
	}
	return expr.ToString(v)
}

// workflowName is what GitHub calls a workflow: its name:, else its path.
func workflowName(f *dispatchd.WorkflowFile) string {
	if f.Summary.Name != "" {
		return f.Summary.Name
	}
	return f.Path
}

func runsOf(nrs []dispatchd.NewRun) []*dispatchd.Run {
	out := make([]*dispatchd.Run, len(nrs))
	for i, nr := range nrs {
		out[i] = nr.Run
	}
	return out
}
