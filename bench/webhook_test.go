package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkWebhookDispatch measures dispatch throughput at 64 connections
// without a webhook and with one subscribed to "*" whose receiver (on
// loopback, answering 204 at once) gets every dispatch. Rounds come in
// pairs, one of each, in alternating order; after a hooked round the
// outbox is drained before the next round starts, so that each round pays
// for its own deliveries only.
// Metrics: dispatches/s without and with the hook (medians of the
// rounds), their ratio (the median of the rounds' ratios), the server's
// CPU time per dispatch in both (steadier than throughput on a shared
// machine) and its ratio, and the deliveries/s the outbox drained at once
// the round's dispatches were answered.
//
//	go test ./bench -run '^$' -bench WebhookDispatch -benchtime 5000x
func BenchmarkWebhookDispatch(b *testing.B) {
	const conns, rounds = 64, 5
	env, err := startServer(benchWorkflow, "--embedded-runners", "0", "--allow-private-webhooks")
	if err != nil {
		b.Fatal(err)
	}
	defer env.stop()
	var received, all atomic.Int64
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		all.Add(1)
		if r.Header.Get("X-GitHub-Event") == "repository_dispatch" {
			received.Add(1)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()
	hookPath := createBenchHook(b, env, rcv.URL)
	body := []byte(`{"event_type":"bench","client_payload":{"image_tag":"sha-1234567","environment":"production"}}`)

	var off, on, offCPU, onCPU, drained []float64
	var sent int64
	pid := env.procs[0].Pid
	// load runs one round and returns its throughput and the server's CPU
	// time per dispatch in µs, which other processes on the machine do not
	// move the way they move throughput.
	load := func(what string) (float64, float64) {
		cpu0 := processCPU(pid)
		r := Load(env.dispatchURL, env.token, body, b.N, conns)
		if r.Errors > 0 {
			b.Fatalf("%d dispatches failed %s", r.Errors, what)
		}
		return r.PerSecond(), float64((processCPU(pid) - cpu0).Microseconds()) / float64(b.N)
	}
	// hooked runs a round with the hook, then waits for its deliveries.
	hooked := func() {
		setHookActive(b, env, hookPath, true)
		base := all.Load()
		rate, cpu := load("with the hook")
		on, onCPU = append(on, rate), append(onCPU, cpu)
		// The deliverer yields to dispatches: most deliveries go out
		// after the round, and their rate is the deliverer's own. Each
		// dispatch makes three: the event's, its run's and its job's.
		start, all0 := time.Now(), all.Load()
		sent += int64(b.N)
		deadline := time.Now().Add(10 * time.Minute)
		for all.Load() < base+3*int64(b.N) || received.Load() < sent {
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d deliveries arrived (%d of %d repository_dispatch)", all.Load()-base, 3*b.N, received.Load(), sent)
			}
			time.Sleep(10 * time.Millisecond)
		}
		drained = append(drained, float64(all.Load()-all0)/time.Since(start).Seconds())
	}
	bare := func() {
		setHookActive(b, env, hookPath, false)
		rate, cpu := load("without the hook")
		off, offCPU = append(off, rate), append(offCPU, cpu)
	}
	b.ResetTimer()
	// The order alternates, so that neither kind of round always comes
	// first in its pair, or always right after the drain of deliveries.
	for i := range rounds {
		if i%2 == 0 {
			bare()
			hooked()
		} else {
			hooked()
			bare()
		}
	}
	b.StopTimer()
	b.ReportMetric(median(off), "dispatches/s")
	b.ReportMetric(median(on), "hooked_dispatches/s")
	// Each round's ratio to the other of its pair, so that a machine
	// busier in one pair than in another moves both.
	b.ReportMetric(median(ratios(on, off)), "ratio_hooked")
	b.ReportMetric(median(drained), "deliveries/s")
	if median(offCPU) > 0 {
		b.ReportMetric(median(offCPU), "server_cpu_us/dispatch")
		b.ReportMetric(median(onCPU), "hooked_server_cpu_us/dispatch")
		b.ReportMetric(median(ratios(offCPU, onCPU)), "cpu_ratio_hooked")
	}
	b.ReportMetric(0, "ns/op")
	b.Logf("dispatches/s without the hook %.0f, with it %.0f (rounds %s / %s); server CPU µs per dispatch %s / %s; deliveries/s %.0f",
		median(off), median(on), rates(off), rates(on), rates(offCPU), rates(onCPU), median(drained))
}

// processCPU is the user and system time pid has used, from /proc (zero
// where there is none).
func processCPU(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses: utime
	// and stime are the 12th and 13th of them, in clock ticks (100 Hz).
	f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func ratios(num, den []float64) []float64 {
	out := make([]float64, len(num))
	for i := range num {
		out[i] = num[i] / den[i]
	}
	return out
}

func rates(xs []float64) string {
	var parts []string
	for _, x := range xs {
		parts = append(parts, fmt.Sprintf("%.0f", x))
	}
	return strings.Join(parts, ",")
}

// createBenchHook subscribes a JSON hook at url to every event of admin/bench.
func createBenchHook(b *testing.B, env benchEnv, url string) string {
	b.Helper()
	resp := apiJSON(b, env, "POST", "/api/v3/repos/admin/bench/hooks",
		fmt.Sprintf(`{"config":{"url":%q,"content_type":"json"},"events":["*"]}`, url), http.StatusCreated)
	var h struct {
		URL string `json:"url"`
	}
	json.Unmarshal(resp, &h)
	return strings.TrimPrefix(h.URL, env.url)
}

func setHookActive(b *testing.B, env benchEnv, hookPath string, active bool) {
	b.Helper()
	apiJSON(b, env, "PATCH", hookPath, fmt.Sprintf(`{"active":%v}`, active), http.StatusOK)
}

func apiJSON(b *testing.B, env benchEnv, method, path, body string, want int) []byte {
	b.Helper()
	req, _ := http.NewRequest(method, env.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+env.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var out json.RawMessage
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != want {
		b.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, out)
	}
	return out
}
