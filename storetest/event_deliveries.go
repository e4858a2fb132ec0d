package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/dispatchd/dispatchd"
)

// testEventDeliveries: CreateEvent writes the webhook deliveries of a
// dispatch in its own transaction, to the active hooks of the repository
// and of its organization that subscribe to the event, with the whole
// payload; hook writes take effect on the next event.
func testEventDeliveries(t *testing.T, s dispatchd.Store) {
	user := mustUser(t, s, "octocat", dispatchd.UserTypeUser)
	org := mustUser(t, s, "acme", dispatchd.UserTypeOrg)
	app := mustRepo(t, s, org, "app", false)
	solo := mustRepo(t, s, user, "solo", false)

	all := mustHook(t, s, dispatchd.ScopeRepo, app.ID, "https://example.com/all", "*")
	rd := mustHook(t, s, dispatchd.ScopeRepo, app.ID, "https://example.com/rd", "repository_dispatch")
	mustHook(t, s, dispatchd.ScopeRepo, app.ID, "https://example.com/push", "push")
	off := mustHook(t, s, dispatchd.ScopeRepo, app.ID, "https://example.com/off", "*")
	off.Active = false
	if err := s.UpdateHook(ctx, off); err != nil {
		t.Fatal(err)
	}
	orgWD := mustHook(t, s, dispatchd.ScopeOrg, org.ID, "https://example.com/org", "workflow_dispatch")
	soloHook := mustHook(t, s, dispatchd.ScopeRepo, solo.ID, "https://example.com/solo", "*")

	// The payload repeats parts the store may keep once; deliveries carry it whole.
	repoJSON := `{"id":1,"name":"app"}`
	event := func(repo *dispatchd.Repo, name, action string) *dispatchd.Event {
		t.Helper()
		head := `{"action":"` + action + `","repository":`
		p := head + repoJSON + `}`
		e := &dispatchd.Event{RepoID: repo.ID, Name: name, Action: action, Ref: "refs/heads/main", SHA: "x", ActorID: user.ID,
			Payload: []byte(p), Parts: []dispatchd.PayloadPart{{Offset: len(head), Len: len(repoJSON), Hash: "app1"}}}
		if err := s.CreateEvent(ctx, e, nil, nil); err != nil {
			t.Fatal(err)
		}
		return e
	}
	// deliveries returns the events and actions delivered to h, oldest first.
	deliveries := func(h *dispatchd.Hook) []string {
		t.Helper()
		var list []*dispatchd.Delivery
		for cursor := ""; ; {
			page, next, err := s.ListDeliveries(ctx, dispatchd.DeliveryFilter{HookID: h.ID, Cursor: cursor, PerPage: 100})
			if err != nil {
				t.Fatal(err)
			}
			list = append(list, page...)
			if cursor = next; next == "" {
				break
			}
		}
		var out []string
		for _, d := range slices.Backward(list) {
			full, err := s.FindDelivery(ctx, h.ID, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if full.State != dispatchd.DeliveryPending || full.RepoID == 0 || full.GUID == "" ||
				string(full.Payload) != `{"action":"`+full.Action+`","repository":`+repoJSON+`}` {
				t.Fatalf("delivery %+v (payload %s)", full, full.Payload)
			}
			out = append(out, d.Event+":"+d.Action)
		}
		return out
	}
	want := func(h *dispatchd.Hook, events ...string) {
		t.Helper()
		if got := deliveries(h); fmt.Sprint(got) != fmt.Sprint(events) {
			t.Fatalf("hook %s: deliveries %v, want %v", h.URL, got, events)
		}
	}

	event(app, "repository_dispatch", "deploy")
	event(app, "workflow_dispatch", "")
	event(solo, "repository_dispatch", "solo")
	want(all, "repository_dispatch:deploy", "workflow_dispatch:")
	want(rd, "repository_dispatch:deploy")
	want(off)
	want(orgWD, "workflow_dispatch:")
	want(soloHook, "repository_dispatch:solo")

	// Hook writes apply to the next event at once, whatever was read before.
	if err := s.DeleteHook(ctx, dispatchd.ScopeRepo, app.ID, rd.ID); err != nil {
		t.Fatal(err)
	}
	all.Active = false
	if err := s.UpdateHook(ctx, all); err != nil {
		t.Fatal(err)
	}
	late := mustHook(t, s, dispatchd.ScopeRepo, app.ID, "https://example.com/late", "repository_dispatch")
	event(app, "repository_dispatch", "again")
	want(all, "repository_dispatch:deploy", "workflow_dispatch:")
	want(late, "repository_dispatch:again")

	// A rejected event enqueues nothing.
	idem := &dispatchd.Idempotency{RepoID: app.ID, ActorID: user.ID, Key: "k", RequestHash: "h", Status: 204, Body: []byte{}}
	e := &dispatchd.Event{RepoID: app.ID, Name: "repository_dispatch", Action: "once", Ref: "refs/heads/main", SHA: "x",
		ActorID: user.ID, Payload: []byte(`{"action":"once","repository":` + repoJSON + `}`)}
	if err := s.CreateEvent(ctx, e, nil, idem); err != nil {
		t.Fatal(err)
	}
	again := *e
	idem2 := *idem
	wantCode(t, s.CreateEvent(ctx, &again, nil, &idem2), dispatchd.ECONFLICT)
	want(late, "repository_dispatch:again", "repository_dispatch:once")

	// Hooks created and deleted while events are dispatched: every event
	// commits, and each delivery goes to a hook that existed.
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	wg.Go(func() {
		for i := range 20 {
			h := &dispatchd.Hook{Scope: dispatchd.ScopeRepo, OwnerID: app.ID, URL: fmt.Sprintf("https://example.com/churn%d", i),
				Events: []string{"*"}, Active: true}
			if err := s.CreateHook(ctx, h); err != nil {
				errs <- err
				return
			}
			if err := s.DeleteHook(ctx, dispatchd.ScopeRepo, app.ID, h.ID); err != nil {
				errs <- err
				return
			}
		}
	})
	for range 4 {
		wg.Go(func() {
			for range 25 {
				e := &dispatchd.Event{RepoID: app.ID, Name: "repository_dispatch", Action: "churn", Ref: "refs/heads/main",
					SHA: "x", ActorID: user.ID, Payload: []byte(`{"action":"churn","repository":` + repoJSON + `}`)}
				if err := s.CreateEvent(ctx, e, nil, nil); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("while hooks change: %v", err)
	}
	if got := deliveries(late); len(got) != 2+100 {
		t.Fatalf("hook late has %d deliveries, want %d", len(got), 2+100)
	}

	// Deleting the repository deletes its hooks, and the deliveries its
	// organization's hooks still had to send.
	pending, _, err := s.ListDeliveries(ctx, dispatchd.DeliveryFilter{HookID: orgWD.ID, PerPage: 10})
	if err != nil || len(pending) != 1 {
		t.Fatalf("org hook deliveries = %v, %v", pending, err)
	}
	if err := s.DeleteRepo(ctx, app.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.FindHook(ctx, dispatchd.ScopeRepo, app.ID, late.ID)
	wantCode(t, err, dispatchd.ENOTFOUND)
	_, err = s.FindDelivery(ctx, orgWD.ID, pending[0].ID)
	wantCode(t, err, dispatchd.ENOTFOUND)
	want(soloHook, "repository_dispatch:solo")
}
