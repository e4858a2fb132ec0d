package workflow

import (
	"slices"
	"strings"

	"github.com/dispatchd/dispatchd"
)

// MatchesRepositoryDispatch reports whether a repository_dispatch with
// eventType triggers a workflow with these triggers: the workflow must list
// the event, and its `types:`, when given, must contain eventType exactly.
// Matching is case-sensitive and without globs, as in the peer
// implementation (WORKFLOW_SEMANTICS §3.1: undocumented by GitHub).
func MatchesRepositoryDispatch(t *dispatchd.Triggers, eventType string) bool {
	if t == nil || !t.Has("repository_dispatch") {
		return false
	}
	if t.RepositoryDispatch == nil || len(t.RepositoryDispatch.Types) == 0 {
		return true
	}
	return slices.Contains(t.RepositoryDispatch.Types, eventType)
}

// MatchesPush reports whether a push event for ref triggers a workflow
// with these triggers: the workflow must list push, the ref must still
// exist (a deleted branch or tag has no commit to read the workflow from,
// so it runs nothing, though the event is recorded), and the push must pass
// the filters (MatchPush). changedFiles is what `paths` compare: for an
// existing branch the diff before..after, for a new branch the diff
// against the parent of the deepest commit pushed (empty when the push
// added no commit); nil when unknown.
func MatchesPush(t *dispatchd.Triggers, ref string, deleted bool, changedFiles []string) bool {
	if t == nil || deleted || !t.Has("push") {
		return false
	}
	return MatchPush(t.Push, ref, changedFiles)
}

// MatchPush reports whether a push of ref (full: refs/heads/main,
// refs/tags/v1) that changed changedFiles passes the filters of `on.push`.
// The caller has already checked that the workflow listens to push; a nil p
// means push without filters.
//
// GitHub's rules ("Using filters" in the workflow syntax docs):
//   - A branch push must pass branches/branches-ignore, a tag push
//     tags/tags-ignore. When only the other kind of filter is given, the push
//     does not match ("If you define only tags/tags-ignore or only
//     branches/branches-ignore, the workflow won't run for events affecting
//     the undefined Git ref"). Other refs match only when no ref filter is
//     given.
//   - In a pattern list, later patterns override earlier ones: a name is
//     selected when the last pattern that matches it is not negated with !.
//     For *-ignore lists the selected names are the ignored ones.
//   - paths: some changed file must be selected; paths-ignore: some changed
//     file must not be ignored. Path filters are not evaluated for tag pushes.
//     A nil changedFiles means "unknown" (GitHub runs the workflow when it
//     cannot compute the diff); an empty, non-nil one matches no path filter.
//
// GitHub rejects a workflow that gives both a filter and its -ignore form;
// here both then apply.
func MatchPush(p *dispatchd.PushTrigger, ref string, changedFiles []string) bool {
	if p == nil {
		return true
	}
	branchFilters := p.Branches != nil || p.BranchesIgnore != nil
	tagFilters := p.Tags != nil || p.TagsIgnore != nil
	switch {
	case strings.HasPrefix(ref, "refs/heads/"):
		name := strings.TrimPrefix(ref, "refs/heads/")
		if !branchFilters && tagFilters {
			return false
		}
		if !passes(p.Branches, p.BranchesIgnore, name) {
			return false
		}
	case strings.HasPrefix(ref, "refs/tags/"):
		name := strings.TrimPrefix(ref, "refs/tags/")
		if !tagFilters && branchFilters {
			return false
		}
		// Path filters do not apply to tags.
		return passes(p.Tags, p.TagsIgnore, name)
	default:
		if branchFilters || tagFilters {
			return false
		}
	}

	if changedFiles == nil {
		return true
	}
	if p.Paths != nil && !slices.ContainsFunc(changedFiles, func(f string) bool { return selected(p.Paths, f) }) {
		return false
	}
	if p.PathsIgnore != nil && !slices.ContainsFunc(changedFiles, func(f string) bool { return !selected(p.PathsIgnore, f) }) {
		return false
	}
	return true
}

// passes applies an include list (nil: everything) and an ignore list.
func passes(include, ignore []string, name string) bool {
	if include != nil && !selected(include, name) {
		return false
	}
	return ignore == nil || !selected(ignore, name)
}

// selected reports whether the last pattern of list that matches name is a
// positive one.
func selected(list []string, name string) bool {
	for i := len(list) - 1; i >= 0; i-- {
		pattern, negated := strings.CutPrefix(list[i], "!")
		if MatchGlob(pattern, name) {
			return !negated
		}
	}
	return false
}
