package webhook_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dispatchd/dispatchd"
)

// BenchmarkDeliverer measures deliveries per second from a backlog in
// SQLite to a fast receiver on loopback, every attempt recorded. With one
// hook the deliveries go one at a time, in order; with many, in parallel.
func BenchmarkDeliverer(b *testing.B) {
	for _, hooks := range []int{1, 64} {
		b.Run(fmt.Sprintf("hooks=%d", hooks), func(b *testing.B) { benchmarkDeliverer(b, hooks) })
	}
}

func benchmarkDeliverer(b *testing.B, nhooks int) {
	var got atomic.Int64
	all := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if got.Add(1) == int64(b.N) {
			close(all)
		}
	}))
	defer srv.Close()
	db := openStore(b)
	var hooks []*dispatchd.Hook
	for i := range nhooks {
		hooks = append(hooks, newHook(b, db, dispatchd.ScopeRepo, fmt.Sprintf("%s/%d", srv.URL, i), "json", "s3cret"))
	}
	payload := []byte(`{"action":"deploy","branch":"main","client_payload":{"n":1},"repository":{"id":42},"sender":{"id":1}}`)
	var batch []*dispatchd.Delivery
	for i := range b.N {
		batch = append(batch, &dispatchd.Delivery{HookID: hooks[i%nhooks].ID, Event: "repository_dispatch", Payload: payload})
		if len(batch) == 1000 || i == b.N-1 {
			enqueue(b, db, batch...)
			batch = nil
		}
	}
	b.ResetTimer()
	start(b, db, true)
	<-all
	// Done when every attempt is recorded, not just received.
	for {
		if next, err := db.NextDeliveryDue(ctx); err != nil {
			b.Fatal(err)
		} else if next.IsZero() {
			break
		}
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}
