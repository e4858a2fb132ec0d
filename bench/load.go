// Package bench holds load generators and benchmarks (not tests): they
// report figures as ratios against a baseline measured in the same run.
package bench

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Result is what one load run measured.
type Result struct {
	Requests  int
	Errors    int64
	Elapsed   time.Duration
	P50, P99  time.Duration
	Latencies []time.Duration // of the acknowledged requests, sorted
}

// PerSecond is the throughput of acknowledged requests.
func (r Result) PerSecond() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// Load sends n POSTs of body to url over conns keep-alive connections, each
// connection sending its next request when the previous answer arrived, and
// counts a non-2xx answer as an error.
func Load(url, token string, body []byte, n, conns int) Result {
	return LoadMethod("POST", url, token, body, n, conns)
}

// LoadMethod is Load with another method; a nil body sends none.
func LoadMethod(method, url, token string, body []byte, n, conns int) Result {
	var next atomic.Int64
	var errs atomic.Int64
	lat := make([][]time.Duration, conns)
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < conns; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			tr := &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1, DisableCompression: true}
			// Closed when done: a round's connections and their goroutines
			// would otherwise stay for the rest of the benchmark, on both
			// sides, and every later round would pay for them.
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			for next.Add(1) <= int64(n) {
				t := time.Now()
				req, _ := http.NewRequest(method, url, bytes.NewReader(body))
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					errs.Add(1)
				}
				lat[c] = append(lat[c], time.Since(t))
			}
		}(c)
	}
	wg.Wait()
	r := Result{Requests: n, Errors: errs.Load(), Elapsed: time.Since(start)}
	r.Latencies = slices.Concat(lat...)
	slices.Sort(r.Latencies)
	r.P50, r.P99 = Percentile(r.Latencies, 50), Percentile(r.Latencies, 99)
	return r
}

// Percentile is the p-th percentile of sorted latencies (0 when empty).
func Percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[len(sorted)*p/100]
}
