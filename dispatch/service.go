// Package dispatch turns an event into runs: it resolves the ref, finds the
// workflows at that commit that listen to the event (from the index, never
// from git), builds GitHub's event payload, evaluates run-name and
// concurrency, and stores the event, its runs and their jobs in one
// transaction.
package dispatch

import (
	"context"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/render"
)

// Service creates events and their runs.
type Service struct {
	Store dispatchd.Store
	URLs  render.URLs

	files  cache[commitKey, []*dispatchd.WorkflowFile]
	models cache[blobKey, *model]
	parts  cache[partKey, part]
	// The URLs of the github context, made once.
	apiURL, graphqlURL string
}

// Result is what a dispatch created.
type Result struct {
	Event *dispatchd.Event
	Runs  []*dispatchd.Run
}

// New returns a service over the store.
func New(store dispatchd.Store, urls render.URLs) *Service {
	return &Service{Store: store, URLs: urls, files: newCache[commitKey, []*dispatchd.WorkflowFile](1024),
		models: newCache[blobKey, *model](4096), parts: newCache[partKey, part](4096),
		apiURL: urls.Base + "/api/v3", graphqlURL: urls.Base + "/api/graphql"}
}

type commitKey struct {
	repo int64
	sha  string
}

type blobKey struct {
	repo int64
	sha  string
}

// filesAt returns the workflow files of an indexed commit. A commit's files
// never change, so the cache needs no invalidation.
func (s *Service) filesAt(ctx context.Context, repoID int64, sha string) ([]*dispatchd.WorkflowFile, error) {
	key := commitKey{repoID, sha}
	if f, ok := s.files.get(key); ok {
		return f, nil
	}
	f, err := s.Store.WorkflowFilesAt(ctx, repoID, sha)
	if err != nil {
		return nil, err
	}
	s.files.put(key, f)
	return f, nil
}

// Options are what a dispatch carries besides its content.
type Options struct {
	Idempotency *dispatchd.Idempotency // nil without an Idempotency-Key
	Cause       dispatchd.Cause        // the run whose job dispatched, if one did
}
