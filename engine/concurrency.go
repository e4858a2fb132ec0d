package engine

import (
	"strings"
	"sync"

	"github.com/dispatchd/dispatchd/expr"
)

// gates applies job-level concurrency groups within the run: at most one
// job of a group runs and one waits; a newer waiting job cancels the older
// one, and cancel-in-progress also cancels the running one (§10). Groups
// are case-insensitive.
type gates struct {
	mu     sync.Mutex
	groups map[string]*group
}

type group struct {
	running bool
	waiting *waiter
	cancel  func() // cancels the running job, for cancel-in-progress
}

type waiter struct {
	admitted chan bool
	cancel   func()
}

func newGates() *gates { return &gates{groups: map[string]*group{}} }

// admit waits for the job's concurrency group. It returns false when the
// job was replaced while waiting and must end cancelled.
func (s *scheduler) admit(j *jobState, ctx *expr.Context, cancel func()) (release func(), ok bool) {
	c := j.spec.Concurrency
	if c == nil || c.Group == "" {
		return func() {}, true
	}
	name := evalString(c.Group, ctx)
	if name == "" {
		return func() {}, true
	}
	return s.gates.enter(strings.ToLower(name), boolOf(c.CancelInProgress.Value, c.CancelInProgress.Expr, ctx), cancel)
}

func (g *gates) enter(name string, cancelInProgress bool, cancel func()) (func(), bool) {
	g.mu.Lock()
	grp := g.groups[name]
	if grp == nil {
		grp = &group{}
		g.groups[name] = grp
	}
	if !grp.running {
		grp.running, grp.cancel = true, cancel
		g.mu.Unlock()
		return func() { g.leave(grp) }, true
	}
	if grp.waiting != nil {
		grp.waiting.admitted <- false // the newer job replaces the older waiting one
	}
	w := &waiter{admitted: make(chan bool, 1), cancel: cancel}
	grp.waiting = w
	if cancelInProgress && grp.cancel != nil {
		grp.cancel()
	}
	g.mu.Unlock()
	if !<-w.admitted {
		return nil, false
	}
	return func() { g.leave(grp) }, true
}

// leave hands the group to the waiting job, if any.
func (g *gates) leave(grp *group) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if w := grp.waiting; w != nil {
		grp.waiting, grp.cancel = nil, w.cancel
		w.admitted <- true
		return
	}
	grp.running, grp.cancel = false, nil
}

// evalString interpolates a template; an error yields "".
func evalString(tmpl string, ctx *expr.Context) string {
	v, err := expr.EvalTemplate(tmpl, ctx)
	if err != nil {
		return ""
	}
	return expr.ToString(v)
}
