package webhook_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/webhook"
)

// The guard is called as the dialer would, with the address string: no
// test connects anywhere but loopback.
func TestGuardRefusesPrivateAddresses(t *testing.T) {
	refuse, allow := webhook.Control(false), webhook.Control(true)
	for _, ip := range []string{"127.0.0.1", "::1", "169.254.1.1", "fe80::1", "10.0.0.1", "172.16.0.1", "192.168.1.1",
		"fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "0.0.0.0", "100.64.0.1", "::", "224.0.0.1", "ff02::1",
		"64:ff9b::a00:1", "2002:c0a8:101::1", "fe80::1%lo"} {
		addr := net.JoinHostPort(ip, "443")
		err := refuse("tcp", addr, nil)
		if err == nil || !strings.Contains(err.Error(), " is private; start the server with --allow-private-webhooks") {
			t.Errorf("guard(%s) = %v, want refused", addr, err)
		}
		if err := allow("tcp", addr, nil); err != nil {
			t.Errorf("guard allowing private(%s) = %v", addr, err)
		}
	}
	if err := refuse("tcp", "127.0.0.1:80", nil); err.Error() !=
		"webhook address 127.0.0.1 is private; start the server with --allow-private-webhooks to allow it" {
		t.Errorf("message = %q", err)
	}
	for _, addr := range []string{"93.184.216.34:443", "[2606:4700:4700::1111]:443", "[2002:5db8:d822::1]:80", "8.8.8.8:80"} {
		if err := refuse("tcp", addr, nil); err != nil {
			t.Errorf("guard(%s) = %v, want allowed", addr, err)
		}
	}
	if err := refuse("tcp", "not-an-address", nil); err == nil {
		t.Error("an unparsable address passed the guard")
	}
}

// A hostname is checked once resolved: localhost is refused with the
// guard's message recorded, and the receiver never sees a request.
func TestGuardRefusesLocalhostDelivery(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	db := openStore(t)
	h := newHook(t, db, dispatchd.ScopeRepo, "http://localhost:"+port+"/hook", "json", "")
	d := &dispatchd.Delivery{HookID: h.ID, Event: "ping", Payload: []byte(`{"zen":"x"}`)}
	enqueue(t, db, d)
	start(t, db, false)
	got := finished(t, db, h.ID, d.ID)
	if got.State != dispatchd.DeliveryFailed || got.Attempts != 1 || got.StatusCode != 0 ||
		!strings.Contains(got.Error, "is private; start the server with --allow-private-webhooks to allow it") {
		t.Fatalf("delivery = %s after %d attempts: %q", got.State, got.Attempts, got.Error)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the receiver got %d requests", n)
	}
	hook, _ := db.FindHook(ctx, h.Scope, h.OwnerID, h.ID)
	if hook.LastResponse.Status != dispatchd.HookStatusFailed || !strings.Contains(hook.LastResponse.Message, "is private") {
		t.Fatalf("hook last response = %+v", hook.LastResponse)
	}
}
