package storetest

import (
	"testing"
	"time"

	"github.com/dispatchd/dispatchd"
)

func testRunners(t *testing.T, s dispatchd.Store) {
	u := mustUser(t, s, "octocat", dispatchd.UserTypeUser)
	r := mustRepo(t, s, u, "repo", false)
	live, expired := dispatchd.HashToken("live"), dispatchd.HashToken("expired")
	if err := s.CreateRegistrationToken(ctx, dispatchd.RunnerScopeRepo, r.ID, live, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateRegistrationToken(ctx, dispatchd.RunnerScopeRepo, r.ID, expired, time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	run := &dispatchd.Runner{Name: "r1", Labels: []string{"self-hosted", "gpu"}, TokenHash: dispatchd.HashToken("runner-secret")}
	wantCode(t, s.RegisterRunner(ctx, expired, run), dispatchd.EUNAUTHORIZED)
	wantCode(t, s.RegisterRunner(ctx, dispatchd.HashToken("unknown"), run), dispatchd.EUNAUTHORIZED)
	if err := s.RegisterRunner(ctx, live, run); err != nil || run.ID == 0 || run.Scope != dispatchd.RunnerScopeRepo || run.OwnerID != r.ID {
		t.Fatalf("RegisterRunner = %+v, %v", run, err)
	}
	got, err := s.FindRunnerByTokenHash(ctx, run.TokenHash)
	if err != nil || got.Name != "r1" || len(got.Labels) != 2 || got.Labels[1] != "gpu" || !got.HasLabels([]string{"GPU"}) || got.HasLabels([]string{"arm64"}) {
		t.Fatalf("FindRunnerByTokenHash = %+v, %v", got, err)
	}
	if !got.Serves(r) || got.Serves(&dispatchd.Repo{ID: r.ID + 1, Owner: u}) {
		t.Fatal("a repository runner serves its repository only")
	}
	list, err := s.ListRunners(ctx, dispatchd.RunnerScopeRepo, r.ID)
	if err != nil || len(list) != 1 || list[0].ID != run.ID {
		t.Fatalf("ListRunners = %v, %v", list, err)
	}
	if err := s.DeleteRunner(ctx, run.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.FindRunnerByTokenHash(ctx, run.TokenHash)
	wantCode(t, err, dispatchd.ENOTFOUND)
	wantCode(t, s.DeleteRunner(ctx, run.ID), dispatchd.ENOTFOUND)
}
