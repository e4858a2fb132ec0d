package runner

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// actionSpec is a parsed `uses: OWNER/REPO[/PATH]@REF`.
type actionSpec struct {
	owner, repo string
	path        string // the action's directory inside the repository; "" for its root
	ref         string
}

// repository is OWNER/REPO, github.action_repository.
func (a actionSpec) repository() string { return a.owner + "/" + a.repo }

// name is OWNER/REPO@REF, how the messages name what is fetched.
func (a actionSpec) name() string { return a.repository() + "@" + a.ref }

// key identifies the fetched repository: names are case-insensitive, refs are not.
func (a actionSpec) key() string { return strings.ToLower(a.repository()) + "@" + a.ref }

// actionNameRE is what an owner or repository name may hold.
var actionNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// parseActionSpec reads `uses: OWNER/REPO[/PATH]@REF`. The names, the path
// and the ref are checked so that none can leave the directory the action
// is fetched into, nor be taken for an option by git.
func parseActionSpec(uses string) (actionSpec, error) {
	formatErr := fmt.Errorf("Expected format {org}/{repo}[/path]@ref. Actual '%s'", uses)
	name, ref, ok := strings.Cut(uses, "@")
	parts := strings.SplitN(name, "/", 3)
	if !ok || len(parts) < 2 {
		return actionSpec{}, formatErr
	}
	a := actionSpec{owner: parts[0], repo: parts[1], ref: ref}
	for _, n := range []string{a.owner, a.repo} {
		if !actionNameRE.MatchString(n) || n == "." || n == ".." {
			return actionSpec{}, formatErr
		}
	}
	if len(parts) == 3 {
		for _, seg := range strings.Split(parts[2], "/") {
			if seg == ".." {
				return actionSpec{}, fmt.Errorf("The path of the action '%s' may not contain '..'", uses)
			}
		}
		a.path = strings.Trim(filepath.ToSlash(filepath.Clean("/"+parts[2])), "/")
	}
	if !validRef(ref) {
		return actionSpec{}, fmt.Errorf("The action '%s' has an invalid ref '%s'", uses, ref)
	}
	return a, nil
}

// validRef accepts what git accepts as a branch, tag or commit name, save
// for a few characters it refuses anyway.
func validRef(ref string) bool {
	if ref == "" || strings.HasPrefix(ref, "-") || strings.HasPrefix(ref, "/") || strings.HasSuffix(ref, "/") ||
		strings.Contains(ref, "..") || strings.Contains(ref, "//") {
		return false
	}
	for _, c := range ref {
		if c <= ' ' || c == 0x7f || strings.ContainsRune(`~^:?*[\`, c) {
			return false
		}
	}
	return true
}

// fetchedAction is the outcome of fetching one OWNER/REPO@REF for the job.
type fetchedAction struct {
	err error // nil: the repository is in its directory
}

// actionRoot is where OWNER/REPO@REF is fetched to:
// WorkDir/_actions/owner/repo/ref, as on GitHub's runners (the ref
// escaped, so that a ref with slashes stays one directory).
func (j *jobRun) actionRoot(a actionSpec) string {
	return filepath.Join(j.job.WorkDir, "_actions", strings.ToLower(a.owner), strings.ToLower(a.repo), url.PathEscape(a.ref))
}

// actionPath is the action's directory: the repository's root or PATH in it.
func (j *jobRun) actionPath(a actionSpec) string {
	return filepath.Join(j.actionRoot(a), filepath.FromSlash(a.path))
}

// fetch places the action's repository in its directory with Job.Actions.
func (j *jobRun) fetch(ctx context.Context, a actionSpec) error {
	dir := j.actionRoot(a)
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return j.job.Actions.Fetch(ctx, a.owner, a.repo, a.ref, dir)
}

// prepareActions is "Set up job"'s part for actions, as on GitHub: every
// repository action the job's steps use is fetched (once per
// OWNER/REPO@REF), and the JavaScript ones with a `pre:` script get their
// pre step, in the order of the steps. A failure is kept for the step,
// which fails with it when it runs (a step that does not run needs no
// action).
func (j *jobRun) prepareActions() {
	if j.job.Actions == nil {
		return // each step says so
	}
	for i, st := range j.spec.Steps {
		uses := strings.TrimSpace(st.Uses)
		if !isRemoteAction(uses) {
			continue
		}
		a, err := parseActionSpec(uses)
		if err != nil {
			continue
		}
		f := j.actions[a.key()]
		if f == nil {
			j.log.output(0, fmt.Sprintf("Download action repository '%s'", a.name()))
			err := j.fetch(j.jobCtx, a)
			if j.jobCtx.Err() != nil {
				return // cancelled: the steps fetch again, or are cancelled
			}
			f = &fetchedAction{err: err}
			j.actions[a.key()] = f
		}
		if f.err != nil {
			continue
		}
		dir := j.actionPath(a)
		m, err := loadAction(dir)
		if err != nil || !m.isNode() || m.pre == "" {
			continue
		}
		j.pres = append(j.pres, &actionPhase{stage: stagePre, sc: j.top, st: st, id: j.ids[i], uses: uses, dir: dir, m: m,
			state: j.stateOf(j.top, j.ids[i])})
	}
}

// runRemoteAction runs `uses: OWNER/REPO[/PATH]@REF`: the repository is
// fetched (or was, in "Set up job"), its action.yml read, and the action run.
func (j *jobRun) runRemoteAction(sr *stepRun, uses string) string {
	a, err := parseActionSpec(uses)
	if err != nil {
		j.log.errorf(sr.n, err.Error())
		return resultFailure
	}
	if status := j.resolveAction(sr, a); status != "" {
		return status
	}
	dir := j.actionPath(a)
	m, err := loadAction(dir)
	if err != nil {
		var nm *noManifestError
		switch {
		case errors.As(err, &nm) && nm.dockerfile:
			j.log.errorf(sr.n, dockerUnsupported(uses))
		case errors.As(err, &nm):
			where := "the root of " + a.name()
			if a.path != "" {
				where = fmt.Sprintf("'%s' in %s", a.path, a.name())
			}
			j.log.errorf(sr.n, fmt.Sprintf("Can't find 'action.yml' or 'action.yaml' for action '%s': there is none at %s.", uses, where))
		default:
			j.log.errorf(sr.n, fmt.Sprintf("The metadata of the action '%s' could not be read: %v", uses, err))
		}
		return resultFailure
	}
	return j.runAction(sr, uses, dir, m)
}

// resolveAction makes sure the action's repository is in place, fetching
// it now if "Set up job" did not. It returns "" when it is, else the
// step's result, with the reason logged.
func (j *jobRun) resolveAction(sr *stepRun, a actionSpec) string {
	f := j.actions[a.key()]
	if f == nil {
		if j.job.Actions == nil {
			j.log.errorf(sr.n, fmt.Sprintf("Unable to resolve action `%s`: this runner has no source for actions from repositories (only actions/checkout and local actions, uses: ./path).", a.name()))
			return resultFailure
		}
		var err error
		reason := j.awaitCall(sr, func(ctx context.Context) { err = j.fetch(ctx, a) })
		if reason != notStopped {
			return j.stoppedStatus(sr, reason)
		}
		f = &fetchedAction{err: err}
		j.actions[a.key()] = f
	}
	if f.err == nil {
		return ""
	}
	if errors.Is(f.err, ErrActionNotFound) {
		j.log.errorf(sr.n, fmt.Sprintf("Unable to resolve action `%s`: repository %s not found on this server, or ref %s not found", a.name(), a.repository(), a.ref))
		if detail := strings.TrimPrefix(f.err.Error(), ErrActionNotFound.Error()+": "); detail != ErrActionNotFound.Error() {
			j.log.output(sr.n, detail)
		}
	} else {
		j.log.errorf(sr.n, fmt.Sprintf("Unable to resolve action `%s`: %v", a.name(), f.err))
	}
	return resultFailure
}

// awaitCall runs f in its own goroutine so that a job cancellation or the
// step's timeout can stop it: its context is cancelled then, and it gets
// the time a process would get to stop.
func (j *jobRun) awaitCall(sr *stepRun, f func(ctx context.Context)) stopReason {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(ctx)
	}()
	reason := j.await(sr, done, cancel)
	if reason != notStopped {
		t := time.NewTimer(j.t.interruptGrace + j.t.terminateGrace)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
		}
	}
	return reason
}
