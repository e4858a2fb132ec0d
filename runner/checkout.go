package runner

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// runCheckout is the built-in actions/checkout: the Checkouter fills the
// workspace (or `path:` inside it) with the repository at a commit.
func (j *jobRun) runCheckout(sr *stepRun, uses string) string {
	with, err := j.evalWith(sr)
	if err != nil {
		j.log.errorf(sr.n, err.Error())
		return resultFailure
	}
	j.printActionHeader(sr, uses, j.checkoutDisplay(with))
	dir, opts, err := j.checkoutOptions(with)
	if err == nil && j.job.Checkout == nil {
		err = errors.New("actions/checkout: this runner has no repository source (Job.Checkout is nil)")
	}
	if err != nil {
		j.log.errorf(sr.n, err.Error())
		return resultFailure
	}
	return j.awaitCheckout(sr, dir, opts)
}

// checkoutDisplay is the header's `with:` block: like GitHub's, it shows
// the inputs' effective values, defaults included.
func (j *jobRun) checkoutDisplay(with *envList) *envList {
	d := newEnvList()
	d.set("repository", getString(j.github, "repository"))
	with.each(d.set)
	if _, ok := with.getFold("fetch-depth"); !ok {
		d.set("fetch-depth", "1")
	}
	return d
}

// awaitCheckout runs the Checkouter so that a job cancellation or the
// step's timeout can stop it.
func (j *jobRun) awaitCheckout(sr *stepRun, dir string, opts CheckoutOptions) string {
	var err error
	if reason := j.awaitCall(sr, func(ctx context.Context) { err = j.job.Checkout.Checkout(ctx, dir, opts) }); reason != notStopped {
		return j.stoppedStatus(sr, reason)
	}
	if err != nil {
		j.log.errorf(sr.n, err.Error())
		return resultFailure
	}
	return resultSuccess
}

// checkoutOptions reads the inputs the built-in supports: repository, ref,
// fetch-depth (1 by default, 0 for all history) and path, which must stay
// inside the workspace as actions/checkout requires.
func (j *jobRun) checkoutOptions(with *envList) (string, CheckoutOptions, error) {
	opts := CheckoutOptions{FetchDepth: 1}
	opts.Repository, _ = with.getFold("repository")
	opts.Ref, _ = with.getFold("ref")
	if v, ok := with.getFold("fetch-depth"); ok && strings.TrimSpace(v) != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return "", opts, fmt.Errorf("The value '%s' is not a valid number for the input 'fetch-depth'", v)
		}
		opts.FetchDepth = n
	}
	path, _ := with.getFold("path")
	dir := filepath.Join(j.dirs.workspace, path)
	if filepath.IsAbs(path) {
		dir = filepath.Clean(path)
	}
	if rel, err := filepath.Rel(j.dirs.workspace, dir); err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", opts, fmt.Errorf("Repository path '%s' is not under '%s'", dir, j.dirs.workspace)
	}
	return dir, opts, nil
}
