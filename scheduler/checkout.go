package scheduler

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/runner"
)

// hostedCheckout is actions/checkout on the server: a clone of the hosted
// repository, sharing its objects, at the run's commit.
type hostedCheckout struct {
	s    *Scheduler
	repo *dispatchd.Repo
	sha  string // the run's commit, checked out when no ref is given
}

func (c hostedCheckout) Checkout(ctx context.Context, dir string, o runner.CheckoutOptions) error {
	if o.Repository != "" && !strings.EqualFold(o.Repository, c.repo.FullName()) {
		return fmt.Errorf("checking out %s: the built-in actions/checkout checks out the run's own repository (%s) for now",
			o.Repository, c.repo.FullName())
	}
	ref := o.Ref
	if ref == "" {
		ref = c.sha
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	src := c.s.Git.Dir(c.repo.ID)
	if out, err := exec.CommandContext(ctx, "git", "clone", "--quiet", "--shared", "--no-checkout", src, dir).CombinedOutput(); err != nil {
		return fmt.Errorf("git clone: %v: %s", err, out)
	}
	if out, err := exec.CommandContext(ctx, "git", "-C", dir, "checkout", "--quiet", "--detach", ref).CombinedOutput(); err != nil {
		return fmt.Errorf("git checkout %s: %v: %s", ref, err, out)
	}
	return nil
}
