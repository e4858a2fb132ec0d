// Package index keeps the workflow index in step with the hosted
// repositories: after every push it compares refs, reads the workflow files
// at each new head with git, summarises them, and stores the result, so that
// dispatch asks the store and never git.
package index

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/gitrepo"
	"github.com/dispatchd/dispatchd/workflow"
)

// MaxFileSize is the largest workflow file read; a larger one is recorded
// with a problem instead of being parsed.
const MaxFileSize = 512 << 10

// Indexer syncs a repository's refs and workflow index.
type Indexer struct {
	Store dispatchd.Store
	Git   *gitrepo.Hub
}

// Sync compares the repository's refs on disk with the store's, indexes the
// heads it has not seen, and records the change in one transaction. It
// returns the refs that moved. Callers hold the repository's lock.
func (ix *Indexer) Sync(ctx context.Context, repoID int64) ([]dispatchd.RefUpdate, error) {
	before, err := ix.Store.Refs(ctx, repoID)
	if err != nil {
		return nil, err
	}
	after, err := ix.Git.Refs(ctx, repoID)
	if err != nil {
		return nil, err
	}
	updates := diffRefs(before, after)
	if len(updates) == 0 {
		return nil, nil
	}
	commits, err := ix.indexHeads(ctx, repoID, updates)
	if err != nil {
		return nil, err
	}
	err = ix.Store.ApplyPush(ctx, &dispatchd.PushIndex{RepoID: repoID, Refs: updates, Commits: commits, PushedAt: time.Now().UTC()})
	return updates, err
}

// diffRefs lists created, moved and deleted refs, sorted by name.
func diffRefs(before, after map[string]string) []dispatchd.RefUpdate {
	var out []dispatchd.RefUpdate
	for name, sha := range after {
		if before[name] != sha {
			out = append(out, dispatchd.RefUpdate{Name: name, OldSHA: before[name], NewSHA: sha})
		}
	}
	for name, sha := range before {
		if _, ok := after[name]; !ok {
			out = append(out, dispatchd.RefUpdate{Name: name, OldSHA: sha})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (ix *Indexer) indexHeads(ctx context.Context, repoID int64, updates []dispatchd.RefUpdate) ([]dispatchd.IndexedCommit, error) {
	var heads []string
	seen := map[string]bool{}
	for _, u := range updates {
		if u.NewSHA != "" && !seen[u.NewSHA] {
			seen[u.NewSHA] = true
			heads = append(heads, u.NewSHA)
		}
	}
	known, err := ix.Store.IndexedCommits(ctx, repoID, heads)
	if err != nil {
		return nil, err
	}
	var out []dispatchd.IndexedCommit
	for _, sha := range heads {
		if known[sha] {
			continue
		}
		files, err := ix.commitFiles(ctx, repoID, sha)
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", sha, err)
		}
		commit, err := ix.Git.Commit(ctx, repoID, sha)
		if err != nil {
			return nil, err
		}
		out = append(out, dispatchd.IndexedCommit{SHA: sha, Commit: commit, Files: files})
	}
	return out, nil
}

// commitFiles reads and summarises the workflow files of one commit.
func (ix *Indexer) commitFiles(ctx context.Context, repoID int64, sha string) ([]*dispatchd.WorkflowFile, error) {
	entries, err := ix.Git.WorkflowEntries(ctx, repoID, sha)
	if err != nil {
		return nil, err
	}
	var want []string
	for _, e := range entries {
		if e.Size <= MaxFileSize {
			want = append(want, e.SHA)
		}
	}
	blobs, err := ix.Git.ReadBlobs(ctx, repoID, want)
	if err != nil {
		return nil, err
	}
	files := make([]*dispatchd.WorkflowFile, 0, len(entries))
	for _, e := range entries {
		f := &dispatchd.WorkflowFile{RepoID: repoID, CommitSHA: sha, Path: e.Path, BlobSHA: e.SHA}
		if e.Size > MaxFileSize {
			f.Summary = tooLarge(e.Size)
		} else {
			f.Source = blobs[e.SHA]
			f.Summary = workflow.Summarize(e.Path, f.Source)
		}
		if f.Source == nil {
			f.Source = []byte{}
		}
		files = append(files, f)
	}
	return files, nil
}

func tooLarge(size int64) dispatchd.WorkflowSummary {
	return dispatchd.WorkflowSummary{Valid: false, Problems: []dispatchd.Problem{{
		Line: 1, Column: 1, Kind: "size", Severity: "error",
		Message: fmt.Sprintf("workflow file is %d bytes; dispatchd reads workflow files up to %d bytes", size, MaxFileSize),
	}}}
}
