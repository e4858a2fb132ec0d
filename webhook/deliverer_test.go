package webhook_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/dispatchd/dispatchd"
)

// A receiver that refuses connections for a while, then answers 500, then
// 200 gets every delivery of each hook once, in creation order, and every
// attempt is recorded.
func TestDelivererKeepsPerHookOrderThroughFailures(t *testing.T) {
	// A closed listener: its address refuses connections until it serves again.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	db := openStore(t)
	const perHook = 12
	hooks := []*dispatchd.Hook{
		newHook(t, db, dispatchd.ScopeRepo, "http://"+addr+"/a", "json", "s3cret"),
		newHook(t, db, dispatchd.ScopeOrg, "http://"+addr+"/b", "form", ""),
	}
	var all []*dispatchd.Delivery
	for seq := range perHook {
		for _, h := range hooks { // interleaved, as events arrive
			d := &dispatchd.Delivery{HookID: h.ID, Event: "repository_dispatch", Action: "go",
				Payload: fmt.Appendf(nil, `{"action":"go","client_payload":{"seq":%d}}`, seq)}
			enqueue(t, db, d)
			all = append(all, d)
		}
	}
	start(t, db, true)
	waitFor(t, "refused connections to be recorded", func() bool {
		for _, d := range all[:len(hooks)] { // the first delivery of each hook
			if got, err := db.FindDelivery(ctx, d.HookID, d.ID); err != nil || got.Attempts < 2 {
				return false
			}
		}
		return true
	})

	var mu sync.Mutex
	accepted := map[string][]int{}
	var fails atomic.Int32
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fails.Add(1) <= 5 {
			http.Error(w, "try later", http.StatusInternalServerError)
			return
		}
		body, _ := io.ReadAll(r.Body)
		payload := body
		if r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" {
			r.Body = io.NopCloser(strings.NewReader(string(body)))
			r.ParseForm()
			payload = []byte(r.PostForm.Get("payload"))
		}
		var p struct {
			ClientPayload struct{ Seq int } `json:"client_payload"`
		}
		if err := json.Unmarshal(payload, &p); err != nil {
			t.Errorf("payload %q: %v", payload, err)
		}
		mu.Lock()
		accepted[r.URL.Path] = append(accepted[r.URL.Path], p.ClientPayload.Seq)
		mu.Unlock()
	})
	srv := &http.Server{Handler: handler}
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("the port was taken in between: %v", err)
	}
	go srv.Serve(ln)
	defer srv.Close()

	for _, d := range all {
		if got := finished(t, db, d.HookID, d.ID); got.State != dispatchd.DeliveryDelivered {
			t.Fatalf("delivery %d ended %s: %s", d.ID, got.State, got.Status)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	var want []int
	for seq := range perHook {
		want = append(want, seq)
	}
	for _, path := range []string{"/a", "/b"} {
		if fmt.Sprint(accepted[path]) != fmt.Sprint(want) {
			t.Errorf("hook %s accepted %v, want each once in order %v", path, accepted[path], want)
		}
	}

	// The first delivery of each hook: refused, then (maybe) 500s, then 200.
	saw500 := false
	for _, d := range all {
		attempts, err := db.ListDeliveryAttempts(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, a := range attempts {
			saw500 = saw500 || a.StatusCode == 500
			if a.Number != i+1 || (a.StatusCode == 500) != (a.Status == "Invalid HTTP Response: 500") {
				t.Errorf("delivery %d attempt %d = %+v", d.ID, i+1, a)
			}
		}
		if last := attempts[len(attempts)-1]; last.StatusCode != 200 {
			t.Errorf("delivery %d ended with %+v", d.ID, last)
		}
		if d.ID <= all[len(hooks)-1].ID && (len(attempts) < 3 || attempts[0].Error != "connection refused") {
			t.Errorf("first delivery %d attempts %+v, want refused ones first", d.ID, attempts)
		}
	}
	if !saw500 {
		t.Error("no attempt recorded the 500s")
	}
}

// A payload over 25 MB is never sent, and the delivery says why.
func TestDelivererDropsOversizedPayload(t *testing.T) {
	var hits atomic.Int32
	srv := &http.Server{Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) })}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	db := openStore(t)
	h := newHook(t, db, dispatchd.ScopeRepo, "http://"+ln.Addr().String()+"/", "json", "")
	big := append(append([]byte(`{"x":"`), bytes.Repeat([]byte("a"), 26<<20)...), `"}`...)
	d := &dispatchd.Delivery{HookID: h.ID, Event: "push", Payload: big}
	small := &dispatchd.Delivery{HookID: h.ID, Event: "push", Payload: []byte(`{}`)}
	enqueue(t, db, d, small)
	start(t, db, true)
	got := finished(t, db, h.ID, d.ID)
	if got.State != dispatchd.DeliveryDropped || got.Attempts != 1 || !strings.Contains(got.Error, "over the 25 MB limit: not sent") {
		t.Fatalf("oversized delivery = %s, %d attempts, %q", got.State, got.Attempts, got.Error)
	}
	// The next delivery of the hook is not held up by the dropped one.
	if got := finished(t, db, h.ID, small.ID); got.State != dispatchd.DeliveryDelivered {
		t.Fatalf("next delivery = %s", got.State)
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("receiver got %d requests, want only the small one", n)
	}
}

// A redelivery goes out with the original GUID; a Wake sends it at once.
func TestDelivererRedelivers(t *testing.T) {
	guids := make(chan string, 4)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		guids <- r.Header.Get("X-GitHub-Delivery")
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	db := openStore(t)
	h := newHook(t, db, dispatchd.ScopeRepo, "http://"+ln.Addr().String()+"/", "form", "x")
	d := &dispatchd.Delivery{HookID: h.ID, Event: "push", Payload: []byte(`{}`)}
	enqueue(t, db, d)
	dl := start(t, db, true)
	first := <-guids
	finished(t, db, h.ID, d.ID)
	again, err := db.Redeliver(ctx, h.ID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	dl.Wake()
	if second := <-guids; first != d.GUID || second != d.GUID {
		t.Fatalf("GUIDs %s then %s, want %s twice", first, second, d.GUID)
	}
	if got := finished(t, db, h.ID, again.ID); got.State != dispatchd.DeliveryDelivered || !got.Redelivery {
		t.Fatalf("redelivery = %+v", got)
	}
}

// A hook deactivated after its deliveries were queued gets none of them.
func TestDelivererDropsForInactiveHook(t *testing.T) {
	db := openStore(t)
	h := newHook(t, db, dispatchd.ScopeRepo, "http://127.0.0.1:1/", "json", "")
	d := &dispatchd.Delivery{HookID: h.ID, Event: "push", Payload: []byte(`{}`)}
	enqueue(t, db, d)
	h.Active = false
	if err := db.UpdateHook(ctx, h); err != nil {
		t.Fatal(err)
	}
	start(t, db, true)
	if got := finished(t, db, h.ID, d.ID); got.State != dispatchd.DeliveryDropped || !strings.Contains(got.Error, "inactive") {
		t.Fatalf("delivery = %s: %q", got.State, got.Error)
	}
}
