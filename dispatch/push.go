package dispatch

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/render"
	"github.com/dispatchd/dispatchd/workflow"
)

// GitHub's limits on push events ("Events that trigger workflows", push):
// "Events will not be created if more than 5,000 branches are pushed at
// once. Events will not be created for tags when more than three tags are
// pushed at once."
const (
	MaxPushBranches = 5000
	MaxPushTags     = 3
)

// maxCommitsJSON bounds the `commits` of one payload (a dispatchd limit:
// GitHub only documents the count, gitrepo.MaxPushCommits); beyond it the
// oldest commits are left out.
const maxCommitsJSON = 4 << 20

// EventRefs returns the ref updates of one push that make push events,
// applying GitHub's limits: no branch events when more than MaxPushBranches
// branches moved, no tag events when more than MaxPushTags tags did.
func EventRefs(updates []dispatchd.RefUpdate) []dispatchd.RefUpdate {
	branches, tags := 0, 0
	for _, u := range updates {
		switch {
		case strings.HasPrefix(u.Name, "refs/heads/"):
			branches++
		case strings.HasPrefix(u.Name, "refs/tags/"):
			tags++
		}
	}
	out := make([]dispatchd.RefUpdate, 0, len(updates))
	for _, u := range updates {
		switch {
		case strings.HasPrefix(u.Name, "refs/heads/") && branches <= MaxPushBranches,
			strings.HasPrefix(u.Name, "refs/tags/") && tags <= MaxPushTags:
			out = append(out, u)
		}
	}
	return out
}

// Push is one git push to a repository, as the push events see it.
type Push struct {
	Repo   *dispatchd.Repo // as it is after the push (pushed_at)
	Pusher *dispatchd.User
	// NoRuns records the events without starting runs: GitHub's rule for
	// pushes made with a job's GITHUB_TOKEN.
	NoRuns bool
	Cause  dispatchd.Cause // the run whose job pushed, if one did
	Refs   []dispatchd.PushedRef
}

// Push records one push event per ref and creates a run of every enabled,
// valid workflow of the pushed commit whose `on.push` filters the push
// passes (workflow.MatchPush). A deleted ref runs nothing: there is no
// commit to read workflows from. Neither does a head commit that asks to
// skip CI. Each event is stored with its runs in one transaction.
func (s *Service) Push(ctx context.Context, p *Push) ([]*Result, error) {
	var results []*Result
	for i := range p.Refs {
		r := &p.Refs[i]
		b, err := s.pushPayload(p.Repo, p.Pusher, r)
		if err != nil {
			return results, err
		}
		e := &dispatchd.Event{RepoID: p.Repo.ID, Name: "push", Ref: r.Name, SHA: r.NewSHA, ActorID: p.Pusher.ID,
			Payload: b.data, Parts: b.parts, Cause: p.Cause}
		var runs []dispatchd.NewRun
		if !p.NoRuns && !r.Deleted() && !skipCI(r.Head.Message) {
			if runs, err = s.pushRuns(ctx, p, r, b.obj); err != nil {
				return results, err
			}
		}
		if err := s.Store.CreateEvent(ctx, e, runs, nil); err != nil {
			return results, err
		}
		results = append(results, &Result{Event: e, Runs: runsOf(runs)})
	}
	return results, nil
}

func (s *Service) pushRuns(ctx context.Context, p *Push, r *dispatchd.PushedRef, event *expr.Object) ([]dispatchd.NewRun, error) {
	files, err := s.filesAt(ctx, p.Repo.ID, r.NewSHA)
	if dispatchd.ErrorCode(err) == dispatchd.ENOTFOUND {
		return nil, nil // not indexed: nothing can match
	} else if err != nil {
		return nil, err
	}
	var runs []dispatchd.NewRun
	var disabled []int64
	checked := false
	for _, f := range files {
		if !f.Summary.Valid || !workflow.MatchesPush(&f.Summary.Triggers, r.Name, r.Deleted(), r.ChangedFiles) {
			continue
		}
		m := s.modelOf(f)
		if ok, _ := m.runnable(); !ok {
			continue
		}
		if !checked {
			if disabled, err = s.Store.DisabledWorkflows(ctx, p.Repo.ID); err != nil {
				return nil, err
			}
			checked = true
		}
		if slices.Contains(disabled, f.WorkflowID) {
			continue
		}
		tr := &trigger{repo: p.Repo, actor: p.Pusher, eventName: "push", event: event, ref: r.Name, sha: r.NewSHA,
			file: f, name: workflowName(f), title: headline(r.Head.Message)}
		runs = append(runs, s.newRun(tr, m))
	}
	return runs, nil
}

// skipCI reports whether a head commit message skips push workflows
// ("Skipping workflow runs"): it contains [skip ci], [ci skip], [no ci],
// [skip actions] or [actions skip], or ends with a skip-checks: true trailer.
func skipCI(message string) bool {
	for _, s := range []string{"[skip ci]", "[ci skip]", "[no ci]", "[skip actions]", "[actions skip]"} {
		if strings.Contains(message, s) {
			return true
		}
	}
	paragraphs := strings.Split(strings.TrimSpace(message), "\n\n")
	if len(paragraphs) < 2 {
		return false
	}
	for _, line := range strings.Split(paragraphs[len(paragraphs)-1], "\n") {
		if skipChecks.MatchString(line) {
			return true
		}
	}
	return false
}

var skipChecks = regexp.MustCompile(`^skip-checks:\s*true\s*$`)

// headline is a commit message's first line: a push run's display title.
func headline(message string) string {
	line, _, _ := strings.Cut(message, "\n")
	return strings.TrimSpace(line)
}

// pushPayload is GitHub's push payload: {ref, before, after, repository,
// pusher, organization?, sender, created, deleted, forced, base_ref,
// compare, commits, head_commit}.
func (s *Service) pushPayload(repo *dispatchd.Repo, pusher *dispatchd.User, r *dispatchd.PushedRef) (built, error) {
	b := newPayload()
	b.str("ref", r.Name)
	b.str("before", orZero(r.OldSHA))
	b.str("after", orZero(r.After))
	rp, err := s.part(partKey{"push_repository", repo.ID, repo.UpdatedAt.UnixMicro(), repo.PushedAt.UnixMicro(), repo.Owner.UpdatedAt.UnixMicro()},
		func() any { return s.URLs.PushRepository(repo) })
	if err != nil {
		return built{}, err
	}
	b.part("repository", rp)
	email := pusher.Email
	if email == "" {
		email = render.NoReplyEmail(pusher.Login)
	}
	if err := b.value("pusher", gitUser{Name: pusher.Login, Email: email}); err != nil {
		return built{}, err
	}
	if repo.Owner.IsOrg() {
		op, err := s.organizationPart(repo.Owner)
		if err != nil {
			return built{}, err
		}
		b.part("organization", op)
	}
	sp, err := s.userPart(pusher)
	if err != nil {
		return built{}, err
	}
	b.part("sender", sp)

	var baseRef *string
	if r.BaseRef != "" {
		baseRef = &r.BaseRef
	}
	commits := make([]pushCommit, 0, len(r.Commits))
	for _, c := range r.Commits {
		commits = append(commits, s.pushCommit(repo, pusher, c))
	}
	commits, err = budget(commits, maxCommitsJSON)
	if err != nil {
		return built{}, err
	}
	var head *pushCommit
	if r.Head != nil {
		c := s.pushCommit(repo, pusher, *r.Head)
		head = &c
	}
	for _, m := range []struct {
		name  string
		value any
	}{
		{"created", r.Created()}, {"deleted", r.Deleted()}, {"forced", r.Forced}, {"base_ref", baseRef},
		{"compare", s.compareURL(repo, r)}, {"commits", commits}, {"head_commit", head},
	} {
		if err := b.value(m.name, m.value); err != nil {
			return built{}, err
		}
	}
	return b.done(), nil
}

// value appends a member rendered from a Go value.
func (b *payloadBuilder) value(name string, v any) error {
	raw, err := marshal(v)
	if err != nil {
		return err
	}
	ev, err := expr.FromJSON(raw)
	if err != nil {
		return err
	}
	b.member(name, raw, ev)
	return nil
}

func orZero(sha string) string {
	if sha == "" {
		return dispatchd.ZeroSHA
	}
	return sha
}

// compareURL is the payload's `compare`: before...after for an update or
// a deletion (12-character SHAs, as GitHub shows them); for a created ref,
// the default branch...after when the ref is a branch based on it, and
// otherwise the ref's name (every commit up to it).
func (s *Service) compareURL(repo *dispatchd.Repo, r *dispatchd.PushedRef) string {
	base := s.URLs.HTML("/%s/compare/", repo.FullName())
	switch {
	case r.Created() && r.CompareBase != "":
		return base + r.CompareBase + "..." + short(r.After)
	case r.Created():
		name, _ := shortRef(r.Name)
		return base + name
	}
	return base + short(orZero(r.OldSHA)) + "..." + short(orZero(r.After))
}

func short(sha string) string { return sha[:min(len(sha), 12)] }

// gitUser is a commit's author or committer, or the pusher.
type gitUser struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Username string `json:"username,omitempty"`
}

// pushCommit is one of a push payload's commits (and its head_commit).
type pushCommit struct {
	ID        string   `json:"id"`
	TreeID    string   `json:"tree_id"`
	Distinct  bool     `json:"distinct"`
	Message   string   `json:"message"`
	Timestamp string   `json:"timestamp"`
	URL       string   `json:"url"`
	Author    gitUser  `json:"author"`
	Committer gitUser  `json:"committer"`
	Added     []string `json:"added"`
	Removed   []string `json:"removed"`
	Modified  []string `json:"modified"`
}

func (s *Service) pushCommit(repo *dispatchd.Repo, pusher *dispatchd.User, c dispatchd.PushCommit) pushCommit {
	nonNil := func(l []string) []string {
		if l == nil {
			return []string{}
		}
		return l
	}
	return pushCommit{
		ID: c.SHA, TreeID: c.TreeSHA, Distinct: c.Distinct, Message: c.Message, Timestamp: c.Timestamp,
		URL:       s.URLs.HTML("/%s/commit/%s", repo.FullName(), c.SHA),
		Author:    gitUser{Name: c.AuthorName, Email: c.AuthorEmail, Username: username(pusher, c.AuthorEmail)},
		Committer: gitUser{Name: c.CommitterName, Email: c.CommitterEmail, Username: username(pusher, c.CommitterEmail)},
		Added:     nonNil(c.Added), Removed: nonNil(c.Removed), Modified: nonNil(c.Modified),
	}
}

// username is the login GitHub shows for a commit email it can tie to an
// account; dispatchd ties the pusher's own addresses (their email and
// their no-reply address) and no others.
func username(pusher *dispatchd.User, email string) string {
	if email != "" && (strings.EqualFold(email, pusher.Email) || strings.EqualFold(email, render.NoReplyEmail(pusher.Login))) {
		return pusher.Login
	}
	return ""
}

// budget keeps the newest commits whose JSON fits in max bytes (commits
// are oldest first).
func budget(commits []pushCommit, max int) ([]pushCommit, error) {
	total := 0
	for i := len(commits) - 1; i >= 0; i-- {
		raw, err := marshal(commits[i])
		if err != nil {
			return nil, err
		}
		total += len(raw) + 1
		if total > max {
			return commits[i+1:], nil
		}
	}
	return commits, nil
}
