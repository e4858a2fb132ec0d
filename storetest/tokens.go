package storetest

import (
	"testing"
	"time"

	"github.com/dispatchd/dispatchd"
)

func testTokens(t *testing.T, s dispatchd.Store) {
	u := mustUser(t, s, "octocat", dispatchd.UserTypeUser)
	other := mustUser(t, s, "other", dispatchd.UserTypeUser)
	r := mustRepo(t, s, u, "repo", true)

	secret := dispatchd.NewTokenSecret(dispatchd.TokenClassic)
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	classic := &dispatchd.Token{UserID: u.ID, Kind: dispatchd.TokenClassic, Name: "ci", Hash: dispatchd.HashToken(secret),
		Hint: secret[len(secret)-4:], Scopes: []string{"repo", "workflow"}, ExpiresAt: exp}
	if err := s.CreateToken(ctx, classic); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindTokenByHash(ctx, dispatchd.HashToken(secret))
	if err != nil || got.ID != classic.ID || got.User.Login != "octocat" || !got.HasScope("workflow") ||
		!got.ExpiresAt.Equal(exp) || !got.RevokedAt.IsZero() || got.Name != "ci" {
		t.Fatalf("FindTokenByHash = %+v, %v", got, err)
	}
	_, err = s.FindTokenByHash(ctx, dispatchd.HashToken("dsp_nope"))
	wantCode(t, err, dispatchd.ENOTFOUND)
	wantCode(t, s.CreateToken(ctx, &dispatchd.Token{UserID: u.ID, Kind: "bogus", Hash: classic.Hash}), dispatchd.EINVALID)
	wantCode(t, s.CreateToken(ctx, &dispatchd.Token{UserID: u.ID, Kind: dispatchd.TokenClassic, Hash: secret}), dispatchd.EINVALID)

	fgSecret := dispatchd.NewTokenSecret(dispatchd.TokenFineGrained)
	perms := dispatchd.Permissions{dispatchd.AreaMetadata: dispatchd.Read, dispatchd.AreaContents: dispatchd.Write}
	fg := &dispatchd.Token{UserID: other.ID, Kind: dispatchd.TokenFineGrained, Hash: dispatchd.HashToken(fgSecret),
		Hint: "abcd", Repos: []dispatchd.RepoGrant{{RepoID: r.ID, Permissions: perms}}}
	if err := s.CreateToken(ctx, fg); err != nil {
		t.Fatal(err)
	}
	got, err = s.FindTokenByHash(ctx, fg.Hash)
	if err != nil || len(got.Repos) != 1 || got.Repos[0].RepoID != r.ID ||
		got.Repos[0].Permissions.Get(dispatchd.AreaContents) != dispatchd.Write || got.Repos[0].Permissions.Get(dispatchd.AreaActions) != dispatchd.None {
		t.Fatalf("fine-grained token = %+v, %v", got, err)
	}

	if list, err := s.ListTokens(ctx, u.ID); err != nil || len(list) != 1 || list[0].ID != classic.ID {
		t.Fatalf("ListTokens(u) = %v, %v", list, err)
	}
	if list, err := s.ListTokens(ctx, 0); err != nil || len(list) != 2 || len(list[1].Repos) != 1 {
		t.Fatalf("ListTokens(all) = %v, %v", list, err)
	}

	if err := s.RevokeToken(ctx, classic.ID); err != nil {
		t.Fatal(err)
	}
	got, _ = s.FindTokenByHash(ctx, classic.Hash)
	if got.RevokedAt.IsZero() || got.Usable(time.Now()) {
		t.Fatalf("revoked token still usable: %+v", got)
	}
	wantCode(t, s.RevokeToken(ctx, 9999), dispatchd.ENOTFOUND)

	// Deleting a repository drops the grants on it.
	if err := s.DeleteRepo(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FindTokenByHash(ctx, fg.Hash); len(got.Repos) != 0 {
		t.Fatalf("grant survived repository deletion: %+v", got.Repos)
	}
}
