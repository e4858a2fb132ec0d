package bench

import (
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The step prints the moment its process started.
const latencyWorkflow = `on:
  repository_dispatch:
    types: [bench]
jobs:
  first:
    runs-on: ubuntu-latest
    steps:
      - run: date +%s%N
`

// BenchmarkDispatchToStep measures, on the embedded default, the time from
// a dispatch's response to the first step's process start (what date
// +%s%N prints), with dispatches spaced so that runs do not queue. The
// baseline, in the same run, is starting that same command directly:
// the process-start floor of this machine.
//
//	go test ./bench -run '^$' -bench DispatchToStep -benchtime 200x
func BenchmarkDispatchToStep(b *testing.B) {
	env, err := startServer(latencyWorkflow)
	if err != nil {
		b.Fatal(err)
	}
	floor := make([]time.Duration, 0, b.N)
	for i := 0; i < b.N; i++ {
		t := time.Now()
		out, err := exec.Command("bash", "-e", "-c", "date +%s%N").Output()
		if err != nil {
			b.Fatal(err)
		}
		floor = append(floor, since(t, out))
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := dispatchAndWait(env, i)
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, d)
	}
	b.StopTimer()
	slices.Sort(lat)
	slices.Sort(floor)
	p := func(s []time.Duration, q float64) float64 {
		return float64(s[int(float64(len(s)-1)*q)].Microseconds()) / 1000
	}
	b.ReportMetric(p(lat, 0.5), "p50_ms")
	b.ReportMetric(p(lat, 0.99), "p99_ms")
	b.ReportMetric(p(floor, 0.5), "floor_p50_ms")
	b.ReportMetric(p(floor, 0.99), "floor_p99_ms")
	b.ReportMetric(0, "ns/op")
}

// since is the time from t to the nanosecond timestamp a process printed.
func since(t time.Time, out []byte) time.Duration {
	ns, _ := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	return time.Unix(0, ns).Sub(t)
}

// dispatchAndWait sends one dispatch and returns the time from its
// response to the moment its step's process started.
func dispatchAndWait(env benchEnv, i int) (time.Duration, error) {
	req, _ := http.NewRequest("POST", env.url+"/api/v3/repos/admin/bench/dispatches", strings.NewReader(`{"event_type":"bench"}`))
	req.Header.Set("Authorization", "Bearer "+env.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	answered := time.Now()
	id := resp.Header.Get("X-Dispatch-Id")
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if ns, ok := stepStart(env, id); ok {
			return time.Unix(0, ns).Sub(answered), nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return 0, fmt.Errorf("dispatch %d: the step did not run within 30 s", i)
}

// stepStart reads the timestamp the run's step printed, once it has.
func stepStart(env benchEnv, dispatchID string) (int64, bool) {
	body := get(env, "/api/v3/repos/admin/bench/actions/runs?dispatch_id="+dispatchID)
	i := strings.Index(body, `"jobs_url":"`)
	if i < 0 {
		return 0, false
	}
	jobsURL := body[i+len(`"jobs_url":"`):]
	jobsURL = jobsURL[:strings.Index(jobsURL, `"`)]
	jobs := get(env, strings.TrimPrefix(jobsURL, env.url))
	j := strings.Index(jobs, `"id":`)
	if j < 0 || !strings.Contains(jobs, `"status":"completed"`) {
		return 0, false
	}
	rest := jobs[j+len(`"id":`):]
	jobID := rest[:strings.IndexAny(rest, ",}")]
	log := get(env, "/api/v3/repos/admin/bench/actions/jobs/"+jobID+"/logs")
	for _, line := range strings.Split(log, "\n") {
		// Lines are "<timestamp> <text>"; the step's output is the number.
		if _, text, ok := strings.Cut(line, " "); ok {
			if ns, err := strconv.ParseInt(text, 10, 64); err == nil && ns > 1e18 {
				return ns, true
			}
		}
	}
	return 0, false
}

func get(env benchEnv, path string) string {
	req, _ := http.NewRequest("GET", env.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+env.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return string(data)
}
