// Package storetest is the conformance suite of dispatchd.Store: every store
// implementation (sqlite/ now, postgres/ later) runs the same tests.
package storetest

import (
	"context"
	"testing"

	"github.com/dispatchd/dispatchd"
)

// Opener returns a fresh, empty store; the suite closes it.
type Opener func(t *testing.T) dispatchd.Store

// Run runs every conformance test against stores from open.
func Run(t *testing.T, open Opener) {
	tests := map[string]func(*testing.T, dispatchd.Store){
		"Users":              testUsers,
		"OrgMembers":         testOrgMembers,
		"Repos":              testRepos,
		"RepoList":           testRepoList,
		"Collaborators":      testCollaborators,
		"Tokens":             testTokens,
		"PushIndex":          testPushIndex,
		"Workflows":          testWorkflows,
		"Runs":               testRuns,
		"IDsNeverGivenTwice": testIDsNeverGivenTwice,
		"Idempotency":        testIdempotency,
		"PayloadParts":       testPayloadParts,
		"Runners":            testRunners,
		"ConcurrentEvents":   testConcurrentEvents,
		"CancelAndRerun":     testCancelAndRerun,
		"Execution":          testExecution,
		"Secrets":            testSecrets,
		"Concurrency":        testConcurrencyGroups,
		"Hooks":              testHooks,
		"EventDeliveries":    testEventDeliveries,
		"Environments":       testEnvironments,
		"PendingDeployments": testPendingDeployments,
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			})
			fn(t, s)
		})
	}
}

var ctx = context.Background()

func mustUser(t *testing.T, s dispatchd.Store, login, typ string) *dispatchd.User {
	t.Helper()
	u := &dispatchd.User{Login: login, Type: typ}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser(%s): %v", login, err)
	}
	return u
}

func mustRepo(t *testing.T, s dispatchd.Store, owner *dispatchd.User, name string, private bool) *dispatchd.Repo {
	t.Helper()
	r := &dispatchd.Repo{Owner: owner, Name: name, Private: private}
	if err := s.CreateRepo(ctx, r); err != nil {
		t.Fatalf("CreateRepo(%s): %v", name, err)
	}
	return r
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := dispatchd.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}
