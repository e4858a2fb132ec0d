package storetest

import (
	"testing"

	"github.com/dispatchd/dispatchd"
)

func testUsers(t *testing.T, s dispatchd.Store) {
	u := mustUser(t, s, "Octocat", dispatchd.UserTypeUser)
	if u.ID == 0 || u.CreatedAt.IsZero() {
		t.Fatalf("CreateUser did not set ID/CreatedAt: %+v", u)
	}
	wantCode(t, s.CreateUser(ctx, &dispatchd.User{Login: "octocat"}), dispatchd.ECONFLICT)
	wantCode(t, s.CreateUser(ctx, &dispatchd.User{Login: "-bad-"}), dispatchd.EINVALID)

	got, err := s.FindUserByLogin(ctx, "OCTOCAT")
	if err != nil || got.ID != u.ID || got.Login != "Octocat" || got.Type != dispatchd.UserTypeUser {
		t.Fatalf("FindUserByLogin = %+v, %v", got, err)
	}
	if got, err := s.FindUserByID(ctx, u.ID); err != nil || got.Login != "Octocat" {
		t.Fatalf("FindUserByID = %+v, %v", got, err)
	}
	_, err = s.FindUserByLogin(ctx, "nobody")
	wantCode(t, err, dispatchd.ENOTFOUND)
	_, err = s.FindUserByID(ctx, 9999)
	wantCode(t, err, dispatchd.ENOTFOUND)

	mustUser(t, s, "acme", dispatchd.UserTypeOrg)
	all, err := s.ListUsers(ctx)
	if err != nil || len(all) != 2 || all[0].Login != "Octocat" || all[1].Login != "acme" {
		t.Fatalf("ListUsers = %v, %v", all, err)
	}
	if n, err := s.CountUsers(ctx); err != nil || n != 1 {
		t.Fatalf("CountUsers = %d, %v; organizations do not count", n, err)
	}
}

func testOrgMembers(t *testing.T, s dispatchd.Store) {
	org := mustUser(t, s, "acme", dispatchd.UserTypeOrg)
	alice := mustUser(t, s, "alice", dispatchd.UserTypeUser)
	bob := mustUser(t, s, "bob", dispatchd.UserTypeUser)

	if err := s.SetOrgMember(ctx, org.ID, alice.ID, dispatchd.OrgRoleAdmin); err != nil {
		t.Fatal(err)
	}
	if err := s.SetOrgMember(ctx, org.ID, bob.ID, dispatchd.OrgRoleMember); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.SetOrgMember(ctx, org.ID, bob.ID, "owner"), dispatchd.EINVALID)
	wantCode(t, s.SetOrgMember(ctx, alice.ID, bob.ID, dispatchd.OrgRoleMember), dispatchd.EINVALID)
	wantCode(t, s.SetOrgMember(ctx, org.ID, 9999, dispatchd.OrgRoleMember), dispatchd.ENOTFOUND)

	if r, err := s.OrgRole(ctx, org.ID, alice.ID); err != nil || r != dispatchd.OrgRoleAdmin {
		t.Fatalf("OrgRole(alice) = %q, %v", r, err)
	}
	members, err := s.ListOrgMembers(ctx, org.ID)
	if err != nil || len(members) != 2 {
		t.Fatalf("ListOrgMembers = %v, %v", members, err)
	}
	// Changing a role replaces it.
	if err := s.SetOrgMember(ctx, org.ID, bob.ID, dispatchd.OrgRoleAdmin); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.OrgRole(ctx, org.ID, bob.ID); r != dispatchd.OrgRoleAdmin {
		t.Fatalf("OrgRole(bob) after change = %q", r)
	}
	if err := s.RemoveOrgMember(ctx, org.ID, bob.ID); err != nil {
		t.Fatal(err)
	}
	if r, err := s.OrgRole(ctx, org.ID, bob.ID); err != nil || r != "" {
		t.Fatalf("OrgRole after removal = %q, %v", r, err)
	}
}
