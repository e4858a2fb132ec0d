package bench

import (
	"encoding/json"
	"os/exec"
	"sync"
	"testing"
	"time"
)

const oneStepWorkflow = `on:
  repository_dispatch:
    types: [bench]
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - run: "true"
`

// BenchmarkRunsPerSecond measures the end-to-end throughput of one-step
// runs on the embedded default: b.N dispatches, until every run has
// completed. The baseline, in the same run, is starting the step's shell
// b.N times directly with as many at once as there are embedded runners.
//
//	go test ./bench -run '^$' -bench RunsPerSecond -benchtime 500x
func BenchmarkRunsPerSecond(b *testing.B) {
	env, err := startServer(oneStepWorkflow)
	if err != nil {
		b.Fatal(err)
	}
	const parallel = 2 // the embedded runners on this machine's 2 cores
	floor := timeParallel(b.N, parallel, func() error { return exec.Command("bash", "-e", "-c", "true").Run() })
	b.ResetTimer()
	start := time.Now()
	if r := Load(env.url+"/api/v3/repos/admin/bench/dispatches", env.token, []byte(`{"event_type":"bench"}`), b.N, 8); r.Errors > 0 {
		b.Fatalf("%d dispatches failed", r.Errors)
	}
	deadline := time.Now().Add(10 * time.Minute)
	for completedRuns(env) < b.N+1 { // +1: the run prepareRepo dispatched
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d runs completed", completedRuns(env), b.N)
		}
		time.Sleep(20 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "runs/s")
	b.ReportMetric(float64(b.N)/floor.Seconds(), "floor_processes/s")
	b.ReportMetric(0, "ns/op")
}

func completedRuns(env benchEnv) int {
	var page struct {
		TotalCount int `json:"total_count"`
	}
	json.Unmarshal([]byte(get(env, "/api/v3/repos/admin/bench/actions/runs?status=completed&per_page=1")), &page)
	return page.TotalCount
}

// timeParallel runs fn n times, at most k at once, and returns the time taken.
func timeParallel(n, k int, fn func() error) time.Duration {
	start := time.Now()
	var wg sync.WaitGroup
	slots := make(chan struct{}, k)
	for i := 0; i < n; i++ {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			fn()
			<-slots
		}()
	}
	wg.Wait()
	return time.Since(start)
}
