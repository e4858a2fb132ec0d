package storetest

import (
	"testing"

	"github.com/dispatchd/dispatchd"
)

func testSecrets(t *testing.T, s dispatchd.Store) {
	x := &dispatchd.Secret{Scope: dispatchd.ScopeRepo, OwnerID: 7, Name: "pat_token", Sealed: []byte{1, 2, 3}}
	if created, err := s.PutSecret(ctx, x); err != nil || !created || x.Name != "PAT_TOKEN" || x.CreatedAt.IsZero() {
		t.Fatalf("PutSecret = %v, %v, %+v", created, err, x)
	}
	first := x.CreatedAt
	x.Sealed = []byte{4}
	if created, err := s.PutSecret(ctx, x); err != nil || created || !x.CreatedAt.Equal(first) {
		t.Fatalf("second PutSecret = %v, %v, %+v", created, err, x)
	}
	got, err := s.FindSecret(ctx, dispatchd.ScopeRepo, 7, "Pat_Token")
	if err != nil || string(got.Sealed) != "\x04" || got.Name != "PAT_TOKEN" {
		t.Fatalf("FindSecret = %+v, %v", got, err)
	}
	_, err = s.FindSecret(ctx, dispatchd.ScopeOrg, 7, "PAT_TOKEN")
	wantCode(t, err, dispatchd.ENOTFOUND)
	for _, bad := range []string{"1X", "GITHUB_TOKEN", "A-B", ""} {
		_, err := s.PutSecret(ctx, &dispatchd.Secret{Scope: dispatchd.ScopeRepo, OwnerID: 7, Name: bad, Sealed: []byte{1}})
		wantCode(t, err, dispatchd.EINVALID)
	}
	s.PutSecret(ctx, &dispatchd.Secret{Scope: dispatchd.ScopeRepo, OwnerID: 7, Name: "A", Sealed: []byte{1}})
	if list, err := s.ListSecrets(ctx, dispatchd.ScopeRepo, 7); err != nil || len(list) != 2 || list[0].Name != "A" {
		t.Fatalf("ListSecrets = %+v, %v", list, err)
	}
	if err := s.DeleteSecret(ctx, dispatchd.ScopeRepo, 7, "a"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteSecret(ctx, dispatchd.ScopeRepo, 7, "a"), dispatchd.ENOTFOUND)

	v := &dispatchd.Variable{Scope: dispatchd.ScopeOrg, OwnerID: 3, Name: "region", Value: "eu"}
	if created, err := s.PutVariable(ctx, v); err != nil || !created {
		t.Fatalf("PutVariable = %v, %v", created, err)
	}
	v.Value = "us"
	if created, _ := s.PutVariable(ctx, v); created {
		t.Fatal("replacing a variable created it")
	}
	if got, err := s.FindVariable(ctx, dispatchd.ScopeOrg, 3, "REGION"); err != nil || got.Value != "us" {
		t.Fatalf("FindVariable = %+v, %v", got, err)
	}
	if list, _ := s.ListVariables(ctx, dispatchd.ScopeOrg, 3); len(list) != 1 {
		t.Fatalf("ListVariables = %+v", list)
	}
	if err := s.DeleteVariable(ctx, dispatchd.ScopeOrg, 3, "region"); err != nil {
		t.Fatal(err)
	}
	_, err = s.FindVariable(ctx, dispatchd.ScopeOrg, 3, "region")
	wantCode(t, err, dispatchd.ENOTFOUND)
}
