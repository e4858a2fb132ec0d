package sqlite

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/dispatchd/dispatchd"
)

func TestOutboxEncodingRoundTrip(t *testing.T) {
	shared := []byte("\x00spec\n{\"action\":\"deploy\"}")
	ds := []*dispatchd.Delivery{
		{HookID: 7, RepoID: 3, Event: "repository_dispatch", Action: "deploy", Payload: shared},
		{HookID: 9, RepoID: 3, Event: "repository_dispatch", Action: "deploy", Payload: shared},
		{HookID: 7, RepoID: 3, Event: "workflow_run", Action: "requested", Payload: []byte("\x01{\"run_id\":1}")},
		{HookID: 1 << 40, RepoID: 1 << 33, Event: "ping", Payload: []byte{}},
	}
	b := encodeOutbox(ds)
	copied := slices.Clone(ds)
	copied[1] = &dispatchd.Delivery{HookID: 9, RepoID: 3, Event: "repository_dispatch", Action: "deploy", Payload: slices.Clone(shared)}
	if n, m := len(b), len(encodeOutbox(copied)); n > m-len(shared) {
		t.Errorf("encoded %d bytes, %d with a copy of the payload: the shared payload was not stored once", n, m)
	}
	got, err := decodeOutbox(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ds) {
		t.Fatalf("%d deliveries decoded, want %d", len(got), len(ds))
	}
	for i, d := range ds {
		g := got[i]
		if g.HookID != d.HookID || g.RepoID != d.RepoID || g.Event != d.Event || g.Action != d.Action || string(g.Payload) != string(d.Payload) {
			t.Errorf("delivery %d = %+v, want %+v", i, g, d)
		}
	}
}

func TestOutboxDecodeRefusesDamage(t *testing.T) {
	good := encodeOutbox([]*dispatchd.Delivery{{HookID: 1, RepoID: 2, Event: "push", Action: "", Payload: []byte("{}")}})
	for name, b := range map[string][]byte{
		"empty":            nil,
		"version":          append([]byte{9}, good[1:]...),
		"truncated":        good[:len(good)-1],
		"as before, first": {outboxVersion, 1, 2, 4, 'p', 'u', 's', 'h', 0, 1},
		"bad flag":         {outboxVersion, 1, 2, 0, 0, 7},
		"huge length":      {outboxVersion, 1, 2, 0xff, 0xff, 0xff, 0xff, 0x0f},
	} {
		if _, err := decodeOutbox(b); err == nil {
			t.Errorf("%s: decoded without an error", name)
		}
	}
}

func FuzzDecodeOutbox(f *testing.F) {
	f.Add(encodeOutbox([]*dispatchd.Delivery{{HookID: 1, RepoID: 2, Event: "push", Payload: []byte("{}")},
		{HookID: 3, RepoID: 2, Event: "push", Payload: []byte("{}")}}))
	f.Add([]byte{outboxVersion})
	f.Fuzz(func(t *testing.T, b []byte) {
		ds, err := decodeOutbox(b)
		if err != nil {
			return
		}
		// What decodes encodes back to something that decodes the same.
		again, err := decodeOutbox(encodeOutbox(ds))
		if err != nil || len(again) != len(ds) {
			t.Fatalf("re-encoded: %d deliveries, %v; want %d", len(again), err, len(ds))
		}
		for i := range ds {
			if again[i].HookID != ds[i].HookID || again[i].Event != ds[i].Event || string(again[i].Payload) != string(ds[i].Payload) {
				t.Fatalf("delivery %d changed: %+v vs %+v", i, again[i], ds[i])
			}
		}
	})
}

// A dispatch with a run and a job, to a repository with a hook that
// wants everything, writes one outbox row and no delivery; the next claim
// turns it into the three deliveries, in order, and a hook deleted in
// between gets none.
func TestOutboxOneRowPerDispatch(t *testing.T) {
	f := newOutboxFixture(t)
	db, count, dispatch, hooks := f.db, f.count, f.dispatch, f.hooks
	dispatch()
	dispatch()
	if o, d := count("hook_outbox"), count("hook_deliveries"); o != 2 || d != 0 {
		t.Fatalf("after two dispatches: %d outbox rows, %d deliveries; want 2 and 0", o, d)
	}
	if err := db.DeleteHook(ctx, dispatchd.ScopeRepo, f.repo.ID, hooks[1].ID); err != nil {
		t.Fatal(err)
	}

	var got []string
	for range 10 {
		claimed, err := db.ClaimDueDeliveries(ctx, time.Now(), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(claimed) == 0 {
			break
		}
		for _, d := range claimed {
			if d.HookID != hooks[0].ID || d.GUID == "" {
				t.Fatalf("claimed %+v: want hook %d's, with a GUID", d, hooks[0].ID)
			}
			got = append(got, d.Event+":"+d.Action)
			if err := db.RecordAttempt(ctx, d.ID, &dispatchd.DeliveryAttempt{StatusCode: 204, Status: "OK"},
				dispatchd.DeliveryOutcome{State: dispatchd.DeliveryDelivered}); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := []string{"repository_dispatch:deploy", "workflow_run:requested", "workflow_job:queued",
		"repository_dispatch:deploy", "workflow_run:requested", "workflow_job:queued"}
	if !slices.Equal(got, want) {
		t.Fatalf("delivered %v, want %v", got, want)
	}
	if o := count("hook_outbox"); o != 0 {
		t.Fatalf("%d outbox rows left after the claims", o)
	}
}

// Claims move only what hooks need: a hook with refillBelow deliveries
// pending leaves the rest in the outbox, one with fewer is filled up to
// readyAhead, and does not hold back a hook
// that needs more; a listing of deliveries moves everything, and each
// hook gets its deliveries in order.
func TestOutboxMovesWhatHooksNeed(t *testing.T) {
	f := newOutboxFixture(t)
	db, count := f.db, f.count
	if err := db.DeleteHook(ctx, dispatchd.ScopeRepo, f.repo.ID, f.hooks[1].ID); err != nil {
		t.Fatal(err)
	}
	for range 30 {
		f.dispatch() // 3 deliveries each, to hook 0
	}
	pending := func(h *dispatchd.Hook) int {
		var n int
		db.r.QueryRow(`SELECT count(*) FROM hook_deliveries WHERE state = 'pending' AND hook_id = ?`, h.ID).Scan(&n)
		return n
	}
	// A claim looks 16 rows ahead: the first moves 16 rows; the second
	// none, the hook has refillBelow or more pending.
	for range 2 {
		if _, err := db.ClaimDueDeliveries(ctx, time.Now(), 1); err != nil {
			t.Fatal(err)
		}
	}
	if p, o := pending(f.hooks[0]), count("hook_outbox"); p != 48 || o != 14 {
		t.Fatalf("after two claims: %d pending, %d outbox rows; want 48 and 14", p, o)
	}
	// 17 delivered leave 31, below refillBelow: the next claim fills up to
	// readyAhead, 11 rows of 3.
	if _, err := db.w.Exec(`UPDATE hook_deliveries SET state = 'delivered' WHERE id IN (SELECT id FROM hook_deliveries
		WHERE hook_id = ? AND state = 'pending' ORDER BY id LIMIT 17)`, f.hooks[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClaimDueDeliveries(ctx, time.Now(), 1); err != nil {
		t.Fatal(err)
	}
	if p, o := pending(f.hooks[0]), count("hook_outbox"); p != readyAhead || o != 3 {
		t.Fatalf("after a refill: %d pending, %d outbox rows; want 64 and 3", p, o)
	}
	// A new hook: hook 0 needs nothing, the new one does.
	late := &dispatchd.Hook{Scope: dispatchd.ScopeRepo, OwnerID: f.repo.ID, URL: "https://example.com/late", Events: []string{"*"}, Active: true}
	if err := db.CreateHook(ctx, late); err != nil {
		t.Fatal(err)
	}
	f.dispatch()
	if _, err := db.ClaimDueDeliveries(ctx, time.Now(), 1); err != nil {
		t.Fatal(err)
	}
	if p := pending(late); p != 3 {
		t.Fatalf("the new hook has %d deliveries pending, want 3: the busy hook held it back", p)
	}
	if _, _, err := db.ListDeliveries(ctx, dispatchd.DeliveryFilter{HookID: late.ID, PerPage: 10}); err != nil {
		t.Fatal(err)
	}
	if o, p := count("hook_outbox"), pending(f.hooks[0]); o != 0 || p != 93-17 {
		t.Fatalf("after a listing: %d outbox rows, hook 0 has %d pending; want 0 and 76", o, p)
	}
	var seq []string
	rows, err := db.r.Query(`SELECT event || ':' || action FROM hook_deliveries WHERE hook_id = ? ORDER BY id`, f.hooks[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var e string
		rows.Scan(&e)
		seq = append(seq, e)
	}
	rows.Close()
	for i, e := range seq {
		if want := []string{"repository_dispatch:deploy", "workflow_run:requested", "workflow_job:queued"}[i%3]; e != want {
			t.Fatalf("hook 0's delivery %d is %s, want %s: out of order", i, e, want)
		}
	}
}

type outboxFixture struct {
	db         *DB
	user       *dispatchd.User
	repo       *dispatchd.Repo
	sha        string
	workflowID int64
	hooks      []*dispatchd.Hook
	count      func(table string) int
	dispatch   func()
}

var ctx = context.Background()

// newOutboxFixture opens a store with a repository, a workflow and two
// hooks that want every event; dispatch creates an event with a run of one
// job.
func newOutboxFixture(t *testing.T) outboxFixture {
	f := newOutboxFixtureAt(t, filepath.Join(t.TempDir(), "dispatchd.db"))
	t.Cleanup(func() { f.db.Close() })
	return f
}

// newOutboxFixtureAt is newOutboxFixture with the database at path, left
// open.
func newOutboxFixtureAt(t *testing.T, path string) outboxFixture {
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetNoticeRenderer(func(ctx context.Context, event, action string, n dispatchd.Notice) ([]byte, error) {
		return []byte(`{"action":"` + action + `"}`), nil
	})
	u, repo := userRepo(t, db, "app")
	sha := "1111111111111111111111111111111111111111"
	wf := &dispatchd.WorkflowFile{Path: ".github/workflows/a.yml", BlobSHA: "a", Source: []byte("name: A\n"),
		Summary: dispatchd.WorkflowSummary{Name: "A", Valid: true}}
	if err := db.ApplyPush(ctx, &dispatchd.PushIndex{RepoID: repo.ID, Refs: []dispatchd.RefUpdate{{Name: "refs/heads/main", NewSHA: sha}},
		Commits: []dispatchd.IndexedCommit{{SHA: sha, Files: []*dispatchd.WorkflowFile{wf}, Commit: dispatchd.Commit{SHA: sha}}}}); err != nil {
		t.Fatal(err)
	}
	hooks := make([]*dispatchd.Hook, 2)
	for i := range hooks {
		hooks[i] = &dispatchd.Hook{Scope: dispatchd.ScopeRepo, OwnerID: repo.ID, URL: "https://example.com/" + string(rune('a'+i)),
			Events: []string{"*"}, Active: true}
		if err := db.CreateHook(ctx, hooks[i]); err != nil {
			t.Fatal(err)
		}
	}
	count := func(table string) int {
		var n int
		if err := db.r.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	dispatch := func() {
		e := &dispatchd.Event{RepoID: repo.ID, Name: "repository_dispatch", Action: "deploy", Ref: "refs/heads/main", SHA: sha,
			ActorID: u.ID, Payload: []byte(`{"action":"deploy"}`)}
		nr := dispatchd.NewRun{Run: &dispatchd.Run{WorkflowID: wf.WorkflowID, Name: "A", DisplayTitle: "A", Path: wf.Path,
			Event: "repository_dispatch", HeadBranch: "main", HeadSHA: sha, ActorID: u.ID, TriggeringActorID: u.ID},
			Jobs: []*dispatchd.Job{{Key: "build", Name: "build", Labels: []string{"ubuntu-latest"}}}}
		if err := db.CreateEvent(ctx, e, []dispatchd.NewRun{nr}, nil); err != nil {
			t.Fatal(err)
		}
	}
	return outboxFixture{db: db, user: u, repo: repo, sha: sha, workflowID: wf.WorkflowID, hooks: hooks, count: count, dispatch: dispatch}
}

// appendNotice writes what json.Marshal writes, which the renderer reads.
func TestAppendNoticeIsJSONMarshal(t *testing.T) {
	for _, n := range []dispatchd.Notice{
		{RepoID: 1, RunID: 2, Attempt: 1, Status: "queued"},
		{RepoID: 1 << 40, RunID: 3, JobID: 9, Attempt: 2, Status: "completed", Conclusion: "success"},
		{RepoID: -1, RunID: 0, Status: ""},
		{RepoID: 5, RunID: 6, Status: `we"ird<&>`, Conclusion: "é\n"},
	} {
		want, _ := json.Marshal(n)
		if got := appendNotice(nil, n); string(got) != string(want) {
			t.Errorf("appendNotice = %s, json.Marshal = %s", got, want)
		}
	}
}
