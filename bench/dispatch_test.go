package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkDispatch drives POST /repos/{owner}/{repo}/dispatches on the real
// binary (SQLite default, every acknowledged dispatch committed) with one
// matching workflow, at 1, 16 and 64 connections, and in the same run a bare
// Go handler answering 204 (the HTTP floor). The two alternate in five
// rounds of b.N/5 requests each, so that a machine whose speed drifts
// (shared, this one moves by a third within minutes) moves both alike.
// Metrics: dispatches/s and the floor (medians of the rounds), p99 in ms
// over the dispatches of all rounds (one slow round sets it) and the
// median of the rounds' own p99s, and the ratio to the floor (the median
// of the rounds' ratios).
//
//	go test ./bench -run '^$' -bench 'Dispatch$' -benchtime 20000x
func BenchmarkDispatch(b *testing.B) {
	const rounds = 5
	env := setup(b)
	body := []byte(`{"event_type":"bench","client_payload":{"image_tag":"sha-1234567","environment":"production"}}`)
	for _, conns := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			n := max(b.N/rounds, conns)
			var got, floor, ratio, roundP99 []float64
			var p99 []time.Duration
			var all []time.Duration
			b.ResetTimer()
			for range rounds {
				f := Load(env.bare, "", body, n, conns)
				d := Load(env.dispatchURL, env.token, body, n, conns)
				if d.Errors > 0 || f.Errors > 0 {
					b.Fatalf("errors: dispatch %d, bare %d", d.Errors, f.Errors)
				}
				got, floor = append(got, d.PerSecond()), append(floor, f.PerSecond())
				ratio = append(ratio, d.PerSecond()/f.PerSecond())
				p99 = append(p99, d.P99)
				roundP99 = append(roundP99, float64(d.P99.Microseconds())/1000)
				all = append(all, d.Latencies...)
			}
			slices.Sort(all)
			b.StopTimer()
			b.ReportMetric(median(got), "dispatches/s")
			b.ReportMetric(float64(Percentile(all, 99).Microseconds())/1000, "p99_ms")
			b.ReportMetric(median(roundP99), "p99_round_median_ms")
			b.ReportMetric(median(floor), "floor_req/s")
			b.ReportMetric(median(ratio), "ratio_to_floor")
			b.ReportMetric(0, "ns/op")
			b.Logf("conns %d: dispatches/s %s; floor %s; p99 ms %v", conns, rates(got), rates(floor), p99)
		})
	}
}

type benchEnv struct {
	dispatchURL, bare, token string
	url, dir                 string
	procs                    []*os.Process // the server and the bare handler
}

// stop kills the processes and removes the directory, for a benchmark
// that starts its own server.
func (e benchEnv) stop() {
	for _, p := range e.procs {
		p.Kill()
		p.Wait() // an error when stopped already: stop may run twice
	}
	os.RemoveAll(e.dir)
}

var (
	envOnce sync.Once
	env     benchEnv
	envErr  error
)

func setup(b *testing.B) benchEnv {
	envOnce.Do(func() { env, envErr = start() })
	if envErr != nil {
		b.Fatal(envErr)
	}
	return env
}

// start builds and starts both servers and prepares a repository whose one
// workflow matches the benchmark's event. The processes live as long as the
// benchmark binary.
func start() (benchEnv, error) {
	return startServer(benchWorkflow, "--embedded-runners", "0") // the endpoint alone: runs stay queued
}

// startServer builds and starts both servers, dispatchd with extra flags,
// and pushes the workflow to admin/bench.
func startServer(wf string, extra ...string) (benchEnv, error) {
	dir, err := os.MkdirTemp("", "dispatchd-bench")
	if err != nil {
		return benchEnv{}, err
	}
	for _, p := range []string{"../cmd/dispatchd", "./bare"} {
		out, err := exec.Command("go", "build", "-o", dir, p).CombinedOutput()
		if err != nil {
			return benchEnv{}, fmt.Errorf("build %s: %v\n%s", p, err, out)
		}
	}
	bare := exec.Command(filepath.Join(dir, "bare"))
	stdout, _ := bare.StdoutPipe()
	if err := bare.Start(); err != nil {
		return benchEnv{}, err
	}
	bareURL, _ := bufio.NewReader(stdout).ReadString('\n')

	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data"),
		"--rate-limit", "0", "--log-format", "json"}, extra...)
	srv := exec.Command(filepath.Join(dir, "dispatchd"), args...)
	// The log goes to a file, as a server's would: read through a pipe by
	// this process, it took CPU from the load generator.
	logPath := filepath.Join(dir, "serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return benchEnv{}, err
	}
	defer logFile.Close() // the server has its own descriptor
	srv.Stderr = logFile
	if err := srv.Start(); err != nil {
		return benchEnv{}, err
	}
	url, err := listenURL(logPath)
	if err != nil {
		srv.Process.Kill()
		return benchEnv{}, err
	}
	tok, err := exec.Command(filepath.Join(dir, "dispatchd"), "admin", "token", "create", "--user", "admin", "--scopes", "repo",
		"--data", filepath.Join(dir, "data")).Output()
	if err != nil {
		return benchEnv{}, err
	}
	token := strings.TrimSpace(string(tok))
	if err := prepareRepo(url, token, dir, wf); err != nil {
		return benchEnv{}, err
	}
	return track(benchEnv{dispatchURL: url + "/api/v3/repos/admin/bench/dispatches", bare: strings.TrimSpace(bareURL), token: token,
		url: url, dir: dir, procs: []*os.Process{srv.Process, bare.Process}}), nil
}

var listenRE = regexp.MustCompile(`"msg":"dispatchd listening".*?"url":"([^"]+)"`)

// listenURL waits for the server's log to say where it listens.
func listenURL(logPath string) (string, error) {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(logPath)
		if m := listenRE.FindSubmatch(b); m != nil {
			return string(m[1]), nil
		}
	}
	return "", fmt.Errorf("dispatchd did not start; its log is in %s", logPath)
}

const benchWorkflow = `name: Deploy
run-name: Deploy ${{ github.event.client_payload.image_tag }}
on:
  repository_dispatch:
    types: [bench]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: echo deploying
`

func prepareRepo(url, token, dir, wf string) error {
	req, _ := http.NewRequest("POST", url+"/api/v3/user/repos", strings.NewReader(`{"name":"bench","auto_init":true}`))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	work := filepath.Join(dir, "work")
	clone := strings.Replace(url, "http://", "http://admin:"+token+"@", 1) + "/admin/bench.git"
	steps := [][]string{{"clone", "-q", clone, work}}
	if err := gitRun("", steps[0]...); err != nil {
		return err
	}
	os.MkdirAll(filepath.Join(work, ".github/workflows"), 0o755)
	os.WriteFile(filepath.Join(work, ".github/workflows/deploy.yml"), []byte(wf), 0o644)
	for _, s := range [][]string{{"add", "-A"}, {"-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "wf"}, {"push", "-q"}} {
		if err := gitRun(work, s...); err != nil {
			return err
		}
	}
	// One dispatch to check the workflow matches: it must start one run.
	req, _ = http.NewRequest("POST", url+"/api/v3/repos/admin/bench/dispatches", strings.NewReader(`{"event_type":"bench"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err = http.DefaultClient.Do(req); err != nil {
		return err
	}
	resp.Body.Close()
	req, _ = http.NewRequest("GET", url+"/api/v3/repos/admin/bench/dispatches/"+resp.Header.Get("X-Dispatch-Id"), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err = http.DefaultClient.Do(req); err != nil {
		return err
	}
	defer resp.Body.Close()
	var ev struct {
		WorkflowRuns []any `json:"workflow_runs"`
	}
	json.NewDecoder(resp.Body).Decode(&ev)
	if len(ev.WorkflowRuns) != 1 {
		return fmt.Errorf("the benchmark's dispatch started %d runs, want 1", len(ev.WorkflowRuns))
	}
	return nil
}

func gitRun(dir string, args ...string) error {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git %v: %v\n%s", args, err, out)
	}
	return nil
}
