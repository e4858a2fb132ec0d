package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/dispatchd/dispatchd"
)

// HookStore is a store with hooks and the webhook outbox.
type HookStore interface {
	dispatchd.HookService
	Close() error
}

// testHooks runs the parts of the Hooks group on one store: each uses
// its own owners and leaves nothing pending behind it.
func testHooks(t *testing.T, s dispatchd.Store) {
	t.Run("CRUD", func(t *testing.T) { testHookCRUD(t, s) })
	t.Run("HooksFor", func(t *testing.T) { testHooksFor(t, s) })
	t.Run("Queue", func(t *testing.T) { testHookQueue(t, s) })
	t.Run("ClaimNext", func(t *testing.T) { testHookClaimNext(t, s) })
	t.Run("Leases", func(t *testing.T) { testHookLeases(t, s) })
	t.Run("Deliveries", func(t *testing.T) { testHookDeliveries(t, s) })
	t.Run("DeliveryFilters", func(t *testing.T) { testDeliveryFilters(t, s) })
}

func mustHook(t *testing.T, s HookStore, scope string, owner int64, url string, events ...string) *dispatchd.Hook {
	t.Helper()
	h := &dispatchd.Hook{Scope: scope, OwnerID: owner, URL: url, Events: events, Active: true}
	if err := s.CreateHook(ctx, h); err != nil {
		t.Fatalf("CreateHook(%s): %v", url, err)
	}
	return h
}

func testHookCRUD(t *testing.T, s HookStore) {
	h := &dispatchd.Hook{Scope: dispatchd.ScopeRepo, OwnerID: 1, URL: "https://example.com/hook",
		SealedSecret: []byte{9, 8, 7}, Active: true, Events: []string{"push", "push", "workflow_run"}}
	if err := s.CreateHook(ctx, h); err != nil {
		t.Fatal(err)
	}
	if h.ID == 0 || h.Name != "web" || h.ContentType != dispatchd.HookContentForm || h.InsecureSSL != "0" ||
		len(h.Events) != 2 || h.CreatedAt.IsZero() || h.LastResponse.Status != dispatchd.HookStatusUnused {
		t.Fatalf("CreateHook = %+v", h)
	}
	got, err := s.FindHook(ctx, dispatchd.ScopeRepo, 1, h.ID)
	if err != nil || string(got.SealedSecret) != "\x09\x08\x07" || got.URL != h.URL || !got.Active ||
		fmt.Sprint(got.Events) != "[push workflow_run]" || !got.CreatedAt.Equal(h.CreatedAt) ||
		got.LastResponse.Status != dispatchd.HookStatusUnused || got.LastResponse.Code != 0 || got.Failing {
		t.Fatalf("FindHook = %+v, %v", got, err)
	}
	_, err = s.FindHook(ctx, dispatchd.ScopeOrg, 1, h.ID)
	wantCode(t, err, dispatchd.ENOTFOUND)
	_, err = s.FindHook(ctx, dispatchd.ScopeRepo, 2, h.ID)
	wantCode(t, err, dispatchd.ENOTFOUND)

	wantCode(t, s.CreateHook(ctx, &dispatchd.Hook{Scope: dispatchd.ScopeRepo, OwnerID: 1, URL: h.URL}), dispatchd.ECONFLICT)
	for _, bad := range []*dispatchd.Hook{
		{Scope: "user", OwnerID: 1, URL: "https://example.com/a"},
		{Scope: dispatchd.ScopeRepo, OwnerID: 1},
		{Scope: dispatchd.ScopeRepo, OwnerID: 1, URL: "ftp://example.com/"},
		{Scope: dispatchd.ScopeRepo, OwnerID: 1, URL: "https://example.com/b", ContentType: "xml"},
		{Scope: dispatchd.ScopeRepo, OwnerID: 1, URL: "https://example.com/c", InsecureSSL: "2"},
	} {
		wantCode(t, s.CreateHook(ctx, bad), dispatchd.EINVALID)
	}
	other := mustHook(t, s, dispatchd.ScopeRepo, 1, "https://example.com/other")
	if fmt.Sprint(other.Events) != "[push]" {
		t.Fatalf("default events = %v", other.Events)
	}
	if list, err := s.ListHooks(ctx, dispatchd.ScopeRepo, 1); err != nil || len(list) != 2 || list[0].ID != h.ID {
		t.Fatalf("ListHooks = %+v, %v", list, err)
	}

	got.URL, got.ContentType, got.SealedSecret, got.Events, got.Active = "https://example.com/new", "json", nil, []string{"*"}, false
	if err := s.UpdateHook(ctx, got); err != nil || got.UpdatedAt.Before(got.CreatedAt) {
		t.Fatalf("UpdateHook = %v, %+v", err, got)
	}
	again, _ := s.FindHook(ctx, dispatchd.ScopeRepo, 1, h.ID)
	if again.URL != "https://example.com/new" || again.ContentType != "json" || again.SealedSecret != nil || again.Active ||
		fmt.Sprint(again.Events) != "[*]" {
		t.Fatalf("after UpdateHook = %+v", again)
	}
	again.URL = other.URL
	wantCode(t, s.UpdateHook(ctx, again), dispatchd.ECONFLICT)
	again.URL, again.OwnerID = "https://example.com/x", 2
	wantCode(t, s.UpdateHook(ctx, again), dispatchd.ENOTFOUND)

	wantCode(t, s.DeleteHook(ctx, dispatchd.ScopeRepo, 2, h.ID), dispatchd.ENOTFOUND)
	if err := s.DeleteHook(ctx, dispatchd.ScopeRepo, 1, h.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteHook(ctx, dispatchd.ScopeRepo, 1, h.ID), dispatchd.ENOTFOUND)
}

func testHooksFor(t *testing.T, s HookStore) {
	const repo, org, otherRepo = 100, 200, 101
	push := mustHook(t, s, dispatchd.ScopeRepo, repo, "https://example.com/push", "push")
	run := mustHook(t, s, dispatchd.ScopeRepo, repo, "https://example.com/run", "workflow_run")
	all := mustHook(t, s, dispatchd.ScopeOrg, org, "https://example.com/all", "*")
	mustHook(t, s, dispatchd.ScopeRepo, otherRepo, "https://example.com/else", "push")
	off := mustHook(t, s, dispatchd.ScopeRepo, repo, "https://example.com/off", "push")
	off.Active = false
	if err := s.UpdateHook(ctx, off); err != nil {
		t.Fatal(err)
	}
	ids := func(hs []*dispatchd.Hook, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, h := range hs {
			out = append(out, h.ID)
		}
		return fmt.Sprint(out)
	}
	if got, want := ids(s.HooksFor(ctx, repo, org, "push")), fmt.Sprint([]int64{push.ID, all.ID}); got != want {
		t.Fatalf("HooksFor(push) = %s, want %s", got, want)
	}
	if got, want := ids(s.HooksFor(ctx, repo, 0, "workflow_run")), fmt.Sprint([]int64{run.ID}); got != want {
		t.Fatalf("HooksFor(workflow_run, no org) = %s, want %s", got, want)
	}
	if got := ids(s.HooksFor(ctx, repo, 0, "ping")); got != "[]" {
		t.Fatalf("HooksFor(ping) = %s", got)
	}
}

func enqueueHook(t *testing.T, s HookStore, h *dispatchd.Hook, n int) []*dispatchd.Delivery {
	t.Helper()
	var ds []*dispatchd.Delivery
	for i := range n {
		ds = append(ds, &dispatchd.Delivery{HookID: h.ID, Event: "repository_dispatch", Action: "go", RepoID: h.OwnerID,
			Payload: fmt.Appendf(nil, `{"seq":%d}`, i)})
	}
	if err := s.EnqueueDeliveries(ctx, ds); err != nil {
		t.Fatal(err)
	}
	return ds
}

// claimHooks claims at `at` and returns the delivery ids, checking each has its hook.
func claimHooks(t *testing.T, s HookStore, at time.Time, limit int) []int64 {
	t.Helper()
	ds, err := s.ClaimDueDeliveries(ctx, at, limit)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, d := range ds {
		if d.Hook == nil || d.Hook.ID != d.HookID || d.State != dispatchd.DeliveryPending || len(d.Payload) == 0 {
			t.Fatalf("claimed %+v", d)
		}
		ids = append(ids, d.ID)
	}
	return ids
}

func recordHook(t *testing.T, s HookStore, id int64, code int, o dispatchd.DeliveryOutcome) *dispatchd.DeliveryAttempt {
	t.Helper()
	a := &dispatchd.DeliveryAttempt{At: time.Now(), Duration: 0.01, StatusCode: code, Status: fmt.Sprint("status ", code),
		RequestHeaders: map[string]string{"X-GitHub-Event": "repository_dispatch"}, ResponseHeaders: map[string]string{"A": "b"},
		ResponseBody: "body"}
	if err := s.RecordAttempt(ctx, id, a, o); err != nil {
		t.Fatalf("RecordAttempt(%d): %v", id, err)
	}
	return a
}

func mustNextDeliveryDue(t *testing.T, s HookStore) time.Time {
	t.Helper()
	next, err := s.NextDeliveryDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return next
}

var hookDelivered = dispatchd.DeliveryOutcome{State: dispatchd.DeliveryDelivered}

func testHookQueue(t *testing.T, s HookStore) {
	a := mustHook(t, s, dispatchd.ScopeRepo, 300, "https://example.com/a")
	b := mustHook(t, s, dispatchd.ScopeRepo, 300, "https://example.com/b")
	as, bs := enqueueHook(t, s, a, 3), enqueueHook(t, s, b, 2)
	if as[0].ID == 0 || as[0].GUID == "" || as[0].GUID == as[1].GUID || as[0].State != dispatchd.DeliveryPending {
		t.Fatalf("enqueued %+v", as[0])
	}
	now := time.Now()
	// One delivery per hook, the oldest, and nothing more while they are leased.
	if got, want := fmt.Sprint(claimHooks(t, s, now, 10)), fmt.Sprint([]int64{as[0].ID, bs[0].ID}); got != want {
		t.Fatalf("claimed %s, want %s", got, want)
	}
	if got := claimHooks(t, s, now, 10); len(got) != 0 {
		t.Fatalf("claimed %v while leased", got)
	}
	if next := mustNextDeliveryDue(t, s); next.Before(now.Add(dispatchd.DeliveryLease - time.Second)) {
		t.Fatalf("NextDeliveryDue = %v while leased", next)
	}

	first := recordHook(t, s, as[0].ID, 200, hookDelivered)
	if first.Number != 1 {
		t.Fatalf("attempt number %d", first.Number)
	}
	wantCode(t, s.RecordAttempt(ctx, as[0].ID, &dispatchd.DeliveryAttempt{}, hookDelivered), dispatchd.ENOTFOUND)
	wantCode(t, s.RecordAttempt(ctx, as[1].ID, &dispatchd.DeliveryAttempt{}, dispatchd.DeliveryOutcome{State: "bogus"}), dispatchd.EINVALID)
	retry := now.Add(time.Hour)
	recordHook(t, s, bs[0].ID, 500, dispatchd.DeliveryOutcome{State: dispatchd.DeliveryPending, NextAttemptAt: retry})
	// b's head waits for its retry, and b's next delivery waits behind it.
	if got, want := fmt.Sprint(claimHooks(t, s, now, 10)), fmt.Sprint([]int64{as[1].ID}); got != want {
		t.Fatalf("claimed %s, want %s", got, want)
	}
	// Next due: a's head comes back when its lease ends, before b's retry.
	if next, want := mustNextDeliveryDue(t, s), now.Add(dispatchd.DeliveryLease).UTC().Truncate(time.Microsecond); !next.Equal(want) {
		t.Fatalf("NextDeliveryDue = %v, want %v", next, want)
	}
	recordHook(t, s, as[1].ID, 0, dispatchd.DeliveryOutcome{State: dispatchd.DeliveryDropped})
	// Due first, offered first: a's head was due at its creation, b's at the retry.
	if got, want := fmt.Sprint(claimHooks(t, s, retry, 10)), fmt.Sprint([]int64{as[2].ID, bs[0].ID}); got != want {
		t.Fatalf("claimed at retry %s, want %s", got, want)
	}
	recordHook(t, s, bs[0].ID, 0, dispatchd.DeliveryOutcome{State: dispatchd.DeliveryFailed})
	if got, want := fmt.Sprint(claimHooks(t, s, retry, 10)), fmt.Sprint([]int64{bs[1].ID}); got != want {
		t.Fatalf("claimed %s, want %s", got, want)
	}

	d, err := s.FindDelivery(ctx, b.ID, bs[0].ID)
	if err != nil || d.State != dispatchd.DeliveryFailed || d.Attempts != 2 || d.StatusCode != 0 || d.Status != "status 0" ||
		d.ResponseHeaders["A"] != "b" || d.RequestHeaders["X-GitHub-Event"] != "repository_dispatch" || d.ResponseBody != "body" ||
		string(d.Payload) != `{"seq":0}` || d.Action != "go" || d.RepoID != 300 || d.DeliveredAt.IsZero() {
		t.Fatalf("FindDelivery = %+v, %v", d, err)
	}
	attempts, err := s.ListDeliveryAttempts(ctx, bs[0].ID)
	if err != nil || len(attempts) != 2 || attempts[0].Number != 1 || attempts[0].StatusCode != 500 || attempts[1].Number != 2 ||
		attempts[0].ResponseHeaders["A"] != "b" || attempts[0].At.IsZero() {
		t.Fatalf("ListDeliveryAttempts = %+v, %v", attempts, err)
	}
	hb, _ := s.FindHook(ctx, dispatchd.ScopeRepo, 300, b.ID)
	if hb.LastResponse.Status != dispatchd.HookStatusFailed || hb.Failing {
		t.Fatalf("hook b after failures = %+v", hb.LastResponse)
	}
	ha, _ := s.FindHook(ctx, dispatchd.ScopeRepo, 300, a.ID)
	if ha.LastResponse != (dispatchd.HookResponse{Code: 200, Status: dispatchd.HookStatusActive, Message: "status 200"}) {
		t.Fatalf("hook a LastResponse = %+v (a dropped delivery must not change it)", ha.LastResponse)
	}

	recordHook(t, s, bs[1].ID, 200, hookDelivered)
	recordHook(t, s, as[2].ID, 200, hookDelivered)
	if next := mustNextDeliveryDue(t, s); !next.IsZero() {
		t.Fatalf("NextDeliveryDue = %v with nothing pending", next)
	}

	// Failing after HookFailingAfter failed attempts in a row, cleared by a success.
	c := mustHook(t, s, dispatchd.ScopeRepo, 301, "https://example.com/c")
	cs := enqueueHook(t, s, c, dispatchd.HookFailingAfter+1)
	for i, d := range cs {
		code, o := 500, dispatchd.DeliveryOutcome{State: dispatchd.DeliveryFailed}
		if i == len(cs)-1 {
			code, o = 204, hookDelivered
		}
		recordHook(t, s, d.ID, code, o)
		hc, _ := s.FindHook(ctx, dispatchd.ScopeRepo, 301, c.ID)
		if want := i == dispatchd.HookFailingAfter-1; hc.Failing != want {
			t.Fatalf("after %d attempts Failing = %v", i+1, hc.Failing)
		}
	}
}

func testHookLeases(t *testing.T, s HookStore) {
	h := mustHook(t, s, dispatchd.ScopeRepo, 400, "https://example.com/lease")
	ds := enqueueHook(t, s, h, 2)
	now := time.Now()
	if got := claimHooks(t, s, now, 1); len(got) != 1 || got[0] != ds[0].ID {
		t.Fatalf("claimed %v", got)
	}
	// A crashed deliverer's claim comes back once its lease expires...
	if got := claimHooks(t, s, now.Add(dispatchd.DeliveryLease+time.Second), 5); len(got) != 1 || got[0] != ds[0].ID {
		t.Fatalf("after the lease claimed %v", got)
	}
	// ...or at once after a restart.
	if err := s.ResetDeliveryLeases(ctx); err != nil {
		t.Fatal(err)
	}
	if got := claimHooks(t, s, now, 5); len(got) != 1 || got[0] != ds[0].ID {
		t.Fatalf("after ResetDeliveryLeases claimed %v", got)
	}
	if err := s.DeleteHook(ctx, dispatchd.ScopeRepo, 400, h.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.RecordAttempt(ctx, ds[0].ID, &dispatchd.DeliveryAttempt{}, hookDelivered), dispatchd.ENOTFOUND)
	_, err := s.FindDelivery(ctx, h.ID, ds[1].ID)
	wantCode(t, err, dispatchd.ENOTFOUND)
	for _, id := range claimHooks(t, s, now.Add(time.Hour), 100) {
		if id == ds[0].ID || id == ds[1].ID {
			t.Fatalf("claimed %d of a deleted hook", id)
		}
	}
}

func testHookDeliveries(t *testing.T, s HookStore) {
	h := mustHook(t, s, dispatchd.ScopeOrg, 500, "https://example.com/list")
	ds := enqueueHook(t, s, h, 5)
	var seen []int64
	cursor := ""
	for page := 0; ; page++ {
		list, next, err := s.ListDeliveries(ctx, dispatchd.DeliveryFilter{HookID: h.ID, Cursor: cursor, PerPage: 2})
		if err != nil || page > 3 {
			t.Fatalf("ListDeliveries page %d: %v", page, err)
		}
		for _, d := range list {
			if d.GUID == "" || d.Event == "" || d.HookID != h.ID {
				t.Fatalf("listed %+v", d)
			}
			seen = append(seen, d.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	want := []int64{ds[4].ID, ds[3].ID, ds[2].ID, ds[1].ID, ds[0].ID}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Fatalf("listed %v, want newest first %v", seen, want)
	}
	_, _, err := s.ListDeliveries(ctx, dispatchd.DeliveryFilter{HookID: h.ID, Cursor: "garbage", PerPage: 2})
	wantCode(t, err, dispatchd.EINVALID)

	_, err = s.FindDelivery(ctx, h.ID+1000, ds[0].ID)
	wantCode(t, err, dispatchd.ENOTFOUND)
	redo, err := s.Redeliver(ctx, h.ID, ds[0].ID)
	if err != nil || redo.ID <= ds[4].ID || redo.GUID != ds[0].GUID || !redo.Redelivery || redo.State != dispatchd.DeliveryPending ||
		string(redo.Payload) != string(ds[0].Payload) {
		t.Fatalf("Redeliver = %+v, %v", redo, err)
	}
	got, _ := s.FindDelivery(ctx, h.ID, redo.ID)
	if !got.Redelivery || got.GUID != ds[0].GUID || got.Event != ds[0].Event {
		t.Fatalf("redelivery stored as %+v", got)
	}
	_, err = s.Redeliver(ctx, h.ID, 1<<40)
	wantCode(t, err, dispatchd.ENOTFOUND)

	// Pruning keeps pending deliveries, whatever their age.
	recordHook(t, s, ds[0].ID, 200, hookDelivered)
	if n, err := s.PruneDeliveries(ctx, time.Now().Add(time.Minute)); err != nil || n == 0 {
		t.Fatalf("PruneDeliveries = %d, %v", n, err)
	}
	_, err = s.FindDelivery(ctx, h.ID, ds[0].ID)
	wantCode(t, err, dispatchd.ENOTFOUND)
	if _, err := s.FindDelivery(ctx, h.ID, ds[1].ID); err != nil {
		t.Fatal(err)
	}
}

// GitHub's redelivery and status filters of the list of deliveries.
func testDeliveryFilters(t *testing.T, s HookStore) {
	h := mustHook(t, s, dispatchd.ScopeOrg, 501, "https://example.com/filters")
	ds := enqueueHook(t, s, h, 4)
	redo, err := s.Redeliver(ctx, h.ID, ds[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	recordHook(t, s, ds[1].ID, 200, hookDelivered)
	recordHook(t, s, ds[2].ID, 404, dispatchd.DeliveryOutcome{State: dispatchd.DeliveryFailed})
	recordHook(t, s, ds[3].ID, 503, dispatchd.DeliveryOutcome{State: dispatchd.DeliveryPending, NextAttemptAt: time.Now().Add(time.Hour)})
	yes, no := true, false
	for _, c := range []struct {
		f    dispatchd.DeliveryFilter
		want []int64
	}{
		{dispatchd.DeliveryFilter{Redelivery: &yes}, []int64{redo.ID}},
		{dispatchd.DeliveryFilter{Redelivery: &no}, []int64{ds[3].ID, ds[2].ID, ds[1].ID, ds[0].ID}},
		{dispatchd.DeliveryFilter{Status: "success"}, []int64{ds[1].ID}},
		{dispatchd.DeliveryFilter{Status: "failure"}, []int64{ds[3].ID, ds[2].ID}},
		{dispatchd.DeliveryFilter{Status: "failure", Redelivery: &yes}, nil},
		{dispatchd.DeliveryFilter{Redelivery: &no, PerPage: 3}, []int64{ds[3].ID, ds[2].ID, ds[1].ID}},
	} {
		c.f.HookID = h.ID
		list, _, err := s.ListDeliveries(ctx, c.f)
		var got []int64
		for _, d := range list {
			got = append(got, d.ID)
		}
		if err != nil || fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("ListDeliveries(redelivery %v, status %q) = %v, %v; want %v", c.f.Redelivery != nil && *c.f.Redelivery, c.f.Status, got, err, c.want)
		}
	}
	// The cursor of a filtered page continues the filtered list.
	page, next, err := s.ListDeliveries(ctx, dispatchd.DeliveryFilter{HookID: h.ID, Redelivery: &no, PerPage: 3})
	if err != nil || len(page) != 3 || next == "" {
		t.Fatalf("first page: %d deliveries, next %q, %v", len(page), next, err)
	}
	rest, next, err := s.ListDeliveries(ctx, dispatchd.DeliveryFilter{HookID: h.ID, Redelivery: &no, PerPage: 3, Cursor: next})
	if err != nil || len(rest) != 1 || rest[0].ID != ds[0].ID || next != "" {
		t.Fatalf("second page: %v, next %q, %v", rest, next, err)
	}
	_, _, err = s.ListDeliveries(ctx, dispatchd.DeliveryFilter{HookID: h.ID, Status: "maybe"})
	wantCode(t, err, dispatchd.EINVALID)
}

// Recording an attempt that ended a delivery claims the hook's next one
// when it is due, leased as a claim would lease it; a retry claims none.
func testHookClaimNext(t *testing.T, s HookStore) {
	a := mustHook(t, s, dispatchd.ScopeRepo, 310, "https://example.com/next-a")
	b := mustHook(t, s, dispatchd.ScopeRepo, 310, "https://example.com/next-b")
	as, bs := enqueueHook(t, s, a, 3), enqueueHook(t, s, b, 1)
	now := time.Now()
	if got, want := fmt.Sprint(claimHooks(t, s, now, 10)), fmt.Sprint([]int64{as[0].ID, bs[0].ID}); got != want {
		t.Fatalf("claimed %s, want %s", got, want)
	}
	next, err := s.RecordAttemptClaimNext(ctx, as[0].ID, &dispatchd.DeliveryAttempt{StatusCode: 200}, hookDelivered, now)
	if err != nil || next == nil || next.ID != as[1].ID || next.Hook == nil || next.Hook.ID != a.ID ||
		string(next.Payload) != string(as[1].Payload) {
		t.Fatalf("RecordAttemptClaimNext = %+v, %v; want delivery %d with its hook", next, err, as[1].ID)
	}
	if got := claimHooks(t, s, now, 10); len(got) != 0 {
		t.Fatalf("claimed %v while the next one is leased", got)
	}
	// A retry leaves the head where it is: nothing further is claimed.
	retry := dispatchd.DeliveryOutcome{State: dispatchd.DeliveryPending, NextAttemptAt: now.Add(time.Hour)}
	if next, err := s.RecordAttemptClaimNext(ctx, as[1].ID, &dispatchd.DeliveryAttempt{StatusCode: 500}, retry, now); err != nil || next != nil {
		t.Fatalf("after a retry: %+v, %v", next, err)
	}
	// The last of a hook: nothing to claim.
	if next, err := s.RecordAttemptClaimNext(ctx, bs[0].ID, &dispatchd.DeliveryAttempt{StatusCode: 200}, hookDelivered, now); err != nil || next != nil {
		t.Fatalf("after b's last: %+v, %v", next, err)
	}
	_, err = s.RecordAttemptClaimNext(ctx, bs[0].ID, &dispatchd.DeliveryAttempt{}, hookDelivered, now)
	wantCode(t, err, dispatchd.ENOTFOUND)
	// At the retry, a's head comes back to an ordinary claim, then its last.
	if got, want := fmt.Sprint(claimHooks(t, s, now.Add(time.Hour), 10)), fmt.Sprint([]int64{as[1].ID}); got != want {
		t.Fatalf("claimed at the retry %s, want %s", got, want)
	}
	next, err = s.RecordAttemptClaimNext(ctx, as[1].ID, &dispatchd.DeliveryAttempt{StatusCode: 200}, hookDelivered, now.Add(time.Hour))
	if err != nil || next == nil || next.ID != as[2].ID {
		t.Fatalf("after the retry succeeded: %+v, %v; want %d", next, err, as[2].ID)
	}
	// The tests after this one see no deliveries of these hooks.
	for _, h := range []*dispatchd.Hook{a, b} {
		if err := s.DeleteHook(ctx, dispatchd.ScopeRepo, 310, h.ID); err != nil {
			t.Fatal(err)
		}
	}
}
