package storetest

import (
	"testing"

	"github.com/dispatchd/dispatchd"
)

func testRepos(t *testing.T, s dispatchd.Store) {
	u := mustUser(t, s, "octocat", dispatchd.UserTypeUser)
	r := mustRepo(t, s, u, "Hello-World", true)
	if r.ID == 0 || r.DefaultBranch != "main" || r.OwnerID != u.ID {
		t.Fatalf("CreateRepo = %+v", r)
	}
	err := s.CreateRepo(ctx, &dispatchd.Repo{Owner: u, Name: "hello-world"})
	wantCode(t, err, dispatchd.EINVALID)
	if e := err.(*dispatchd.Error); len(e.Errors) != 1 || e.Errors[0].Field != "name" {
		t.Fatalf("duplicate name error = %+v", e)
	}
	wantCode(t, s.CreateRepo(ctx, &dispatchd.Repo{Owner: u, Name: ".."}), dispatchd.EINVALID)

	got, err := s.FindRepo(ctx, "OCTOCAT", "hello-world")
	if err != nil || got.ID != r.ID || got.Owner.Login != "octocat" || !got.Private || got.FullName() != "octocat/Hello-World" {
		t.Fatalf("FindRepo = %+v, %v", got, err)
	}
	_, err = s.FindRepo(ctx, "octocat", "nope")
	wantCode(t, err, dispatchd.ENOTFOUND)

	name, desc, priv, branch := "renamed", "a description", false, "trunk"
	upd, err := s.UpdateRepo(ctx, r.ID, dispatchd.RepoUpdate{Name: &name, Description: &desc, Private: &priv, DefaultBranch: &branch})
	if err != nil || upd.Name != "renamed" || upd.Description != desc || upd.Private || upd.DefaultBranch != "trunk" {
		t.Fatalf("UpdateRepo = %+v, %v", upd, err)
	}
	if _, err := s.FindRepoByID(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	other := mustRepo(t, s, u, "other", false)
	taken := "RENAMED"
	_, err = s.UpdateRepo(ctx, other.ID, dispatchd.RepoUpdate{Name: &taken})
	wantCode(t, err, dispatchd.EINVALID)
	bad := "a..b"
	_, err = s.UpdateRepo(ctx, other.ID, dispatchd.RepoUpdate{DefaultBranch: &bad})
	wantCode(t, err, dispatchd.EINVALID)
	_, err = s.UpdateRepo(ctx, 9999, dispatchd.RepoUpdate{Description: &desc})
	wantCode(t, err, dispatchd.ENOTFOUND)

	if err := s.DeleteRepo(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.FindRepoByID(ctx, r.ID)
	wantCode(t, err, dispatchd.ENOTFOUND)
	wantCode(t, s.DeleteRepo(ctx, r.ID), dispatchd.ENOTFOUND)
}

func testRepoList(t *testing.T, s dispatchd.Store) {
	alice := mustUser(t, s, "alice", dispatchd.UserTypeUser)
	bob := mustUser(t, s, "bob", dispatchd.UserTypeUser)
	org := mustUser(t, s, "acme", dispatchd.UserTypeOrg)
	mustRepo(t, s, alice, "a-public", false)
	mustRepo(t, s, alice, "a-private", true)
	bobPriv := mustRepo(t, s, bob, "b-private", true)
	mustRepo(t, s, org, "o-private", true)

	ids := func(rs []*dispatchd.Repo) (names []string) {
		for _, r := range rs {
			names = append(names, r.Name)
		}
		return names
	}
	check := func(f dispatchd.RepoFilter, want ...string) {
		t.Helper()
		got, total, err := s.ListRepos(ctx, f)
		if err != nil || len(got) != len(want) {
			t.Fatalf("ListRepos(%+v) = %v (total %d), %v; want %v", f, ids(got), total, err, want)
		}
		for i := range want {
			if got[i].Name != want[i] {
				t.Fatalf("ListRepos(%+v) = %v, want %v", f, ids(got), want)
			}
		}
	}
	check(dispatchd.RepoFilter{}, "a-public")
	check(dispatchd.RepoFilter{All: true}, "a-public", "a-private", "b-private", "o-private")
	check(dispatchd.RepoFilter{VisibleTo: alice.ID}, "a-public", "a-private")
	check(dispatchd.RepoFilter{OwnerID: alice.ID, All: true}, "a-public", "a-private")
	check(dispatchd.RepoFilter{OwnerID: alice.ID}, "a-public")

	if err := s.SetCollaborator(ctx, bobPriv.ID, alice.ID, dispatchd.RoleRead); err != nil {
		t.Fatal(err)
	}
	if err := s.SetOrgMember(ctx, org.ID, alice.ID, dispatchd.OrgRoleMember); err != nil {
		t.Fatal(err)
	}
	check(dispatchd.RepoFilter{VisibleTo: alice.ID}, "a-public", "a-private", "b-private", "o-private")
	check(dispatchd.RepoFilter{Affiliated: bob.ID}, "b-private")
	check(dispatchd.RepoFilter{VisibleTo: alice.ID, Offset: 1, Limit: 2}, "a-private", "b-private")
	if _, total, _ := s.ListRepos(ctx, dispatchd.RepoFilter{VisibleTo: alice.ID, Limit: 1}); total != 4 {
		t.Fatalf("total = %d, want 4 regardless of the page", total)
	}
}

func testCollaborators(t *testing.T, s dispatchd.Store) {
	owner := mustUser(t, s, "owner", dispatchd.UserTypeUser)
	c := mustUser(t, s, "collab", dispatchd.UserTypeUser)
	r := mustRepo(t, s, owner, "repo", true)
	if role, err := s.CollaboratorRole(ctx, r.ID, c.ID); err != nil || role != dispatchd.RoleNone {
		t.Fatalf("CollaboratorRole before = %q, %v", role, err)
	}
	wantCode(t, s.SetCollaborator(ctx, r.ID, c.ID, dispatchd.RoleNone), dispatchd.EINVALID)
	for _, role := range []dispatchd.Role{dispatchd.RoleWrite, dispatchd.RoleAdmin} {
		if err := s.SetCollaborator(ctx, r.ID, c.ID, role); err != nil {
			t.Fatal(err)
		}
		if got, err := s.CollaboratorRole(ctx, r.ID, c.ID); err != nil || got != role {
			t.Fatalf("CollaboratorRole = %q, %v; want %q", got, err, role)
		}
	}
	if err := s.RemoveCollaborator(ctx, r.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.CollaboratorRole(ctx, r.ID, c.ID); got != dispatchd.RoleNone {
		t.Fatalf("role after removal = %q", got)
	}
}
