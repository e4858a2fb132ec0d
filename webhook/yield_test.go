package webhook_test

import (
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/internal/yield"
)

// countingReceiver answers 204 on loopback and counts the requests.
func countingReceiver(t *testing.T) (url string, hits *atomic.Int64) {
	t.Helper()
	hits = new(atomic.Int64)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/", hits
}

// While dispatches are in flight the deliverer claims nothing (here it
// would wait an hour); the moment none is, it delivers.
func TestDelivererYieldsToDispatches(t *testing.T) {
	url, hits := countingReceiver(t)
	db := openStore(t)
	h := newHook(t, db, dispatchd.ScopeRepo, url, "json", "")
	d := &dispatchd.Delivery{HookID: h.ID, Event: "push", Payload: []byte(`{}`)}
	enqueue(t, db, d)
	busy := yield.New(time.Millisecond)
	busy.Enter()
	dl := newDeliverer(db, true)
	dl.Foreground, dl.YieldMost = busy, time.Hour
	run(t, dl)
	// No timing is asserted: with an hour to wait, nothing may arrive
	// in this tenth of a second however slow the machine.
	time.Sleep(100 * time.Millisecond)
	if n := hits.Load(); n != 0 {
		t.Fatalf("%d deliveries sent while a dispatch was in flight", n)
	}
	busy.Leave()
	if got := finished(t, db, h.ID, d.ID); got.State != dispatchd.DeliveryDelivered || hits.Load() != 1 {
		t.Fatalf("after the dispatch left: %s, %d requests", got.State, hits.Load())
	}
}

// Dispatches that never stop delay deliveries by YieldMost each, never
// for ever.
func TestDelivererYieldsAtMostYieldMost(t *testing.T) {
	url, hits := countingReceiver(t)
	db := openStore(t)
	h := newHook(t, db, dispatchd.ScopeRepo, url, "json", "")
	var ds []*dispatchd.Delivery
	for range 5 {
		ds = append(ds, &dispatchd.Delivery{HookID: h.ID, Event: "push", Payload: []byte(`{}`)})
	}
	enqueue(t, db, ds...)
	busy := yield.New(time.Millisecond)
	busy.Enter()
	defer busy.Leave()
	dl := newDeliverer(db, true)
	dl.Foreground, dl.YieldMost = busy, 5*time.Millisecond
	run(t, dl)
	for _, d := range ds {
		if got := finished(t, db, h.ID, d.ID); got.State != dispatchd.DeliveryDelivered {
			t.Fatalf("delivery %d: %s", d.ID, got.State)
		}
	}
	if n := hits.Load(); n != 5 {
		t.Fatalf("receiver got %d requests, want 5", n)
	}
}
