package dispatch

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/expr"
	"github.com/dispatchd/dispatchd/render"
)

func TestEventRefs(t *testing.T) {
	refs := func(names ...string) []dispatchd.RefUpdate {
		var out []dispatchd.RefUpdate
		for _, n := range names {
			out = append(out, dispatchd.RefUpdate{Name: n, NewSHA: "x"})
		}
		return out
	}
	names := func(us []dispatchd.RefUpdate) string {
		var out []string
		for _, u := range us {
			out = append(out, u.Name)
		}
		return strings.Join(out, " ")
	}
	three := refs("refs/heads/main", "refs/tags/a", "refs/tags/b", "refs/tags/c")
	if got := names(EventRefs(three)); got != "refs/heads/main refs/tags/a refs/tags/b refs/tags/c" {
		t.Errorf("three tags: %s", got)
	}
	four := refs("refs/heads/main", "refs/tags/a", "refs/tags/b", "refs/tags/c", "refs/tags/d")
	if got := names(EventRefs(four)); got != "refs/heads/main" {
		t.Errorf("four tags: %s", got)
	}
	many := make([]dispatchd.RefUpdate, MaxPushBranches+1)
	for i := range many {
		many[i] = dispatchd.RefUpdate{Name: "refs/heads/b" + string(rune('a'+i%26)), NewSHA: "x"}
	}
	if got := EventRefs(append(many, refs("refs/tags/v1")...)); names(got) != "refs/tags/v1" {
		t.Errorf("too many branches: %d refs", len(got))
	}
}

func TestSkipCI(t *testing.T) {
	for msg, want := range map[string]bool{
		"Fix it":                         false,
		"Fix it [skip ci]":               true,
		"[ci skip] docs":                 true,
		"x [no ci]":                      true,
		"x [skip actions]":               true,
		"x [actions skip]":               true,
		"x\n\nbody\n\nskip-checks: true": true,
		"x\n\nskip-checks:true":          true,
		"x\n\nSigned-off-by: a\nskip-checks: true": true,
		"skip-checks: true":                        false, // a trailer needs a paragraph before it
		"x\n\nskip-checks: false":                  false,
		"x\n\nskip-checks: true\n\nmore":           false,
	} {
		if got := skipCI(msg); got != want {
			t.Errorf("skipCI(%q) = %v", msg, got)
		}
	}
}

func TestPushPayload(t *testing.T) {
	s := New(nil, render.URLs{Base: "http://h"})
	org := &dispatchd.User{ID: 7, Login: "acme", Type: dispatchd.UserTypeOrg}
	repo := &dispatchd.Repo{ID: 3, Owner: org, Name: "app", DefaultBranch: "main",
		CreatedAt: time.Unix(1700000000, 0), PushedAt: time.Unix(1700000100, 0)}
	pusher := &dispatchd.User{ID: 9, Login: "ann", Type: dispatchd.UserTypeUser, Email: "ann@example.com"}
	before, after := strings.Repeat("a", 40), strings.Repeat("b", 40)
	commit := dispatchd.PushCommit{SHA: after, TreeSHA: "t", Message: "Add x\n\nbody", AuthorName: "Ann",
		AuthorEmail: "ann@example.com", CommitterName: "Bot", CommitterEmail: "bot@example.com",
		Timestamp: "2024-05-01T10:00:00+02:00", Distinct: true, Added: []string{"x"}}
	update := dispatchd.PushedRef{RefUpdate: dispatchd.RefUpdate{Name: "refs/heads/main", OldSHA: before, NewSHA: after},
		After: after, Head: &commit, Commits: []dispatchd.PushCommit{commit}, Total: 1}
	b, err := s.pushPayload(repo, pusher, &update)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	dec := json.NewDecoder(strings.NewReader(string(b.data)))
	dec.Token()
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		dec.Decode(&skip)
	}
	if got := strings.Join(keys, ","); got != "ref,before,after,repository,pusher,organization,sender,created,deleted,forced,base_ref,compare,commits,head_commit" {
		t.Errorf("keys = %s", got)
	}
	var p map[string]any
	if err := json.Unmarshal(b.data, &p); err != nil {
		t.Fatal(err)
	}
	check := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", what, got, want)
		}
	}
	check("ref", p["ref"], "refs/heads/main")
	check("before", p["before"], before)
	check("created/deleted/forced", []any{p["created"], p["deleted"], p["forced"]}, []any{false, false, false})
	check("base_ref", p["base_ref"], nil)
	check("compare", p["compare"], "http://h/acme/app/compare/aaaaaaaaaaaa...bbbbbbbbbbbb")
	check("pusher", p["pusher"], map[string]any{"name": "ann", "email": "ann@example.com"})
	rp := p["repository"].(map[string]any)
	check("repository.created_at", rp["created_at"], float64(1700000000))
	check("repository.pushed_at", rp["pushed_at"], float64(1700000100))
	check("repository.organization", rp["organization"], "acme")
	check("repository.master_branch", rp["master_branch"], "main")
	check("repository.owner.name", rp["owner"].(map[string]any)["name"], "acme")
	check("organization", p["organization"].(map[string]any)["login"], "acme")
	check("sender", p["sender"].(map[string]any)["login"], "ann")
	c := p["commits"].([]any)[0].(map[string]any)
	check("commit", c, map[string]any{"id": after, "tree_id": "t", "distinct": true, "message": "Add x\n\nbody",
		"timestamp": "2024-05-01T10:00:00+02:00", "url": "http://h/acme/app/commit/" + after,
		"author":    map[string]any{"name": "Ann", "email": "ann@example.com", "username": "ann"},
		"committer": map[string]any{"name": "Bot", "email": "bot@example.com"},
		"added":     []any{"x"}, "removed": []any{}, "modified": []any{}})
	check("head_commit", p["head_commit"], c)
	// github.event is the same document.
	hv, _ := b.obj.Get("head_commit")
	if v, _ := hv.(*expr.Object); v == nil {
		t.Errorf("event object head_commit = %v", hv)
	} else if m, _ := v.Get("message"); m != "Add x\n\nbody" {
		t.Errorf("event head_commit.message = %v", m)
	}
	if len(b.parts) != 3 {
		t.Errorf("parts = %d", len(b.parts))
	}

	// A created branch based on the default branch, and a deletion.
	created := dispatchd.PushedRef{RefUpdate: dispatchd.RefUpdate{Name: "refs/heads/topic", NewSHA: after}, After: after,
		Head: &commit, CompareBase: "main", BaseRef: "refs/heads/main"}
	b, _ = s.pushPayload(repo, pusher, &created)
	json.Unmarshal(b.data, &p)
	check("created before", p["before"], dispatchd.ZeroSHA)
	check("created", p["created"], true)
	check("created compare", p["compare"], "http://h/acme/app/compare/main...bbbbbbbbbbbb")
	check("created commits", p["commits"], []any{})
	check("created base_ref", p["base_ref"], "refs/heads/main")
	tag := dispatchd.PushedRef{RefUpdate: dispatchd.RefUpdate{Name: "refs/tags/v1", NewSHA: after}, After: "c", Head: &commit}
	b, _ = s.pushPayload(repo, pusher, &tag)
	json.Unmarshal(b.data, &p)
	check("tag compare", p["compare"], "http://h/acme/app/compare/v1")
	check("tag after", p["after"], "c")
	gone := dispatchd.PushedRef{RefUpdate: dispatchd.RefUpdate{Name: "refs/heads/topic", OldSHA: before}}
	b, _ = s.pushPayload(repo, pusher, &gone)
	json.Unmarshal(b.data, &p)
	check("deleted after", p["after"], dispatchd.ZeroSHA)
	check("deleted", p["deleted"], true)
	check("deleted head_commit", p["head_commit"], nil)
	check("deleted compare", p["compare"], "http://h/acme/app/compare/aaaaaaaaaaaa...000000000000")
}

func TestBudgetKeepsNewest(t *testing.T) {
	cs := []pushCommit{{ID: "old", Message: strings.Repeat("x", 100)}, {ID: "new", Message: strings.Repeat("y", 100)}}
	raw, _ := marshal(cs[1])
	got, err := budget(cs, len(raw)+10)
	if err != nil || len(got) != 1 || got[0].ID != "new" {
		t.Fatalf("budget = %+v %v", got, err)
	}
	if got, _ := budget(cs, 1<<20); len(got) != 2 {
		t.Fatalf("budget kept %d", len(got))
	}
}
