package api

import (
	"context"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/dispatch"
)

// pushEvents records the push events of a git push that moved refs and
// starts the runs they trigger. It runs after the index sync, under the
// repository's lock, so that git's refs are still the pushed ones. A push
// made with a job's GITHUB_TOKEN records its events but starts no run
// (GitHub's rule against recursive runs).
func (s *Server) pushEvents(ctx context.Context, actor *dispatchd.Actor, repoID int64, updates []dispatchd.RefUpdate) error {
	updates = dispatch.EventRefs(updates)
	if len(updates) == 0 || actor.Anonymous() {
		return nil
	}
	// The repository again: the sync moved its pushed_at.
	repo, err := s.Store.FindRepoByID(ctx, repoID)
	if err != nil {
		return err
	}
	refs, err := s.Git.PushedRefs(ctx, repo.ID, updates, repo.DefaultBranch)
	if err != nil {
		return err
	}
	// A push by a run's job (with a token among its secrets) is part of
	// the run's chain; past the chain's limit it starts nothing.
	noRuns := actor.Token.IsJobToken()
	cause, err := s.causeOf(ctx, actor)
	if dispatchd.ErrorCode(err) == dispatchd.EINVALID {
		s.Logger.Warn("push starts no run: dispatch chain too long", "repo", repo.FullName(), "err", err)
		noRuns = true
	} else if err != nil {
		return err
	}
	results, err := s.Dispatch.Push(ctx, &dispatch.Push{Repo: repo, Pusher: actor.User, NoRuns: noRuns, Cause: cause, Refs: refs})
	for _, r := range results {
		if len(r.Runs) > 0 {
			s.wakeRuns()
			break
		}
	}
	return err
}
