package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// remoteRunner is a `dispatchd runner` process.
type remoteRunner struct {
	cmd *exec.Cmd
	out *syncBuffer
}

// startRunner registers a runner for repo with a fresh registration token
// and starts it; the test's end stops it.
func (s *server) startRunner(repo, name string, labels ...string) *remoteRunner {
	s.t.Helper()
	r := s.do("POST", "/api/v3/repos/"+repo+"/actions/runners/registration-token", s.Token, nil)
	if r.Status != 201 {
		s.t.Fatalf("registration token: %d %s", r.Status, r.Body)
	}
	dir := s.t.TempDir()
	args := []string{"runner", "--url", s.URL, "--token", r.JSON(s.t)["token"].(string), "--name", name,
		"--work", filepath.Join(dir, "work"), "--credentials", filepath.Join(dir, "credentials.json")}
	if len(labels) > 0 {
		args = append(args, "--labels", strings.Join(labels, ","))
	}
	rr := &remoteRunner{cmd: exec.Command(binary, args...), out: &syncBuffer{}}
	rr.cmd.Stdout, rr.cmd.Stderr = rr.out, rr.out
	if err := rr.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() {
		rr.cmd.Process.Signal(syscall.SIGTERM)
		rr.cmd.Wait()
	})
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(rr.out.String(), "listening for jobs") {
		if time.Now().After(deadline) || rr.cmd.ProcessState != nil {
			s.t.Fatalf("runner did not connect:\n%s", rr.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return rr
}

// dispatchRun sends a repository_dispatch and returns the id of the one run
// it created.
func (s *server) dispatchRun(repo, eventType string) float64 {
	s.t.Helper()
	r := s.do("POST", "/api/v3/repos/"+repo+"/dispatches", s.Token, `{"event_type":"`+eventType+`"}`)
	if r.Status != 204 {
		s.t.Fatalf("dispatch: %d %s", r.Status, r.Body)
	}
	ev := s.do("GET", "/api/v3/repos/"+repo+"/dispatches/"+r.Header.Get("X-Dispatch-Id"), s.Token, nil).JSON(s.t)
	runs := ev["workflow_runs"].([]any)
	if len(runs) != 1 {
		s.t.Fatalf("dispatch created %d runs", len(runs))
	}
	return runs[0].(map[string]any)["id"].(float64)
}

// jobsOf returns a run's jobs by name.
func (s *server) jobsOf(repo string, runID float64) map[string]map[string]any {
	s.t.Helper()
	jobs := s.do("GET", "/api/v3/repos/"+repo+"/actions/runs/"+strconv.FormatFloat(runID, 'f', 0, 64)+"/jobs", s.Token, nil).JSON(s.t)
	out := map[string]map[string]any{}
	for _, j := range jobs["jobs"].([]any) {
		job := j.(map[string]any)
		out[job["name"].(string)] = job
	}
	return out
}

// waitFor polls cond until it holds, within a bound.
func waitFor(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

const gpuWorkflow = `on: repository_dispatch
jobs:
  train:
    runs-on: [self-hosted, gpu]
    steps:
      - uses: actions/checkout@v4
      - run: test -f README.md && echo "checked out on the gpu runner"
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: echo "linted"
`

// A remote runner registered with a registration token takes the jobs
// whose runs-on labels it has, checks out over the server's git with the
// job's token, and is listed with its labels; the embedded runners take
// the others.
func TestRemoteRunnerTakesItsLabels(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--embedded-runners", "1")
	s.createRepo(s.Token, map[string]any{"name": "ml", "auto_init": true})
	s.pushFiles("admin/ml", s.Token, "main", map[string]string{".github/workflows/ml.yml": gpuWorkflow})
	s.startRunner("admin/ml", "gpu-box", "gpu")

	runID := s.dispatchRun("admin/ml", "train")
	if run := s.waitRun("admin/ml", runID, 60*time.Second); run["conclusion"] != "success" {
		t.Fatalf("run %v; logs %v", run["conclusion"], s.jobLogs("admin/ml", runID))
	}
	jobs := s.jobsOf("admin/ml", runID)
	if jobs["train"]["runner_name"] != "gpu-box" || !strings.HasPrefix(jobs["lint"]["runner_name"].(string), "dispatchd-embedded-") {
		t.Fatalf("runners: train on %v, lint on %v", jobs["train"]["runner_name"], jobs["lint"]["runner_name"])
	}
	if logs := s.jobLogs("admin/ml", runID); !strings.Contains(logs["train"], "checked out on the gpu runner") {
		t.Fatalf("train log:\n%s", logs["train"])
	}

	list := s.do("GET", "/api/v3/repos/admin/ml/actions/runners", s.Token, nil).JSON(t)
	found := false
	for _, r := range list["runners"].([]any) {
		run := r.(map[string]any)
		if run["name"] != "gpu-box" {
			continue
		}
		found = true
		var names []string
		for _, l := range run["labels"].([]any) {
			names = append(names, l.(map[string]any)["name"].(string))
		}
		if run["status"] != "online" || !strings.Contains(strings.Join(names, ","), "self-hosted,linux,x64,gpu") {
			t.Fatalf("runner listed as %v", run)
		}
	}
	if !found || list["total_count"].(float64) != 2 {
		t.Fatalf("runners: %v", list)
	}
	// Only administrators may list runners or create registration tokens.
	s.admin("user", "create", "reader")
	reader := strings.TrimSpace(s.admin("token", "create", "--user", "reader", "--scopes", "repo"))
	s.do("PUT", "/api/v3/repos/admin/ml/collaborators/reader", s.Token, map[string]any{"permission": "pull"})
	for _, path := range []string{"/runners/registration-token", "/runners"} {
		method := map[bool]string{true: "POST", false: "GET"}[strings.HasSuffix(path, "token")]
		if r := s.do(method, "/api/v3/repos/admin/ml/actions"+path, reader, nil); r.Status != 403 {
			t.Fatalf("a reader: %s %s = %d", method, path, r.Status)
		}
	}
}

// A runner killed while it runs a job: the job fails with the
// lost-communication error once the timeout passes, and the run concludes.
func TestLostRunnerFailsItsJob(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--embedded-runners", "0", "--runner-timeout", "2s")
	pidFile := filepath.Join(t.TempDir(), "step.pid")
	s.createRepo(s.Token, map[string]any{"name": "lost", "auto_init": true})
	s.pushFiles("admin/lost", s.Token, "main", map[string]string{".github/workflows/lost.yml": `on: repository_dispatch
jobs:
  long:
    runs-on: [self-hosted]
    steps:
      - run: |
          echo $$ > ` + pidFile + `
          echo started
          sleep 60
`})
	rr := s.startRunner("admin/lost", "doomed")
	runID := s.dispatchRun("admin/lost", "go")
	waitFor(t, "step start", 30*time.Second, func() bool { return strings.Contains(s.jobLogs("admin/lost", runID)["long"], " started\n") })
	rr.cmd.Process.Kill()
	t.Cleanup(func() { // the step's shell outlives its killed runner
		if b, err := os.ReadFile(pidFile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				syscall.Kill(-pid, syscall.SIGKILL)
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	run := s.waitRun("admin/lost", runID, 60*time.Second)
	job := s.jobsOf("admin/lost", runID)["long"]
	logs := s.jobLogs("admin/lost", runID)["long"]
	if run["conclusion"] != "failure" || job["conclusion"] != "failure" || !strings.Contains(logs, "The runner has lost communication with the server") {
		t.Fatalf("run %v, job %v, log:\n%s", run["conclusion"], job["conclusion"], logs)
	}
}

// The server killed while a job runs: after the restart the job that was
// running has failed as lost, the job that was queued runs, and no job runs
// twice.
func TestServerCrashRunsNoJobTwice(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	marks := filepath.Join(t.TempDir(), "marks")
	s := startServerIn(t, data, "--embedded-runners", "1")
	step := func(job string) string {
		return fmt.Sprintf("      - run: |\n          echo %s-start >> %s\n          sleep 4\n          echo %s-end >> %s\n", job, marks, job, marks)
	}
	s.createRepo(s.Token, map[string]any{"name": "crash", "auto_init": true})
	s.pushFiles("admin/crash", s.Token, "main", map[string]string{".github/workflows/c.yml": "on: repository_dispatch\njobs:\n" +
		"  one:\n    runs-on: ubuntu-latest\n    steps:\n" + step("one") + "  two:\n    runs-on: ubuntu-latest\n    steps:\n" + step("two")})
	runID := s.dispatchRun("admin/crash", "go")
	read := func() string { b, _ := os.ReadFile(marks); return string(b) }
	waitFor(t, "a job start", 30*time.Second, func() bool { return strings.Contains(read(), "-start") })
	s.cmd.Process.Kill()
	<-s.done

	s2 := startServerIn(t, data, "--embedded-runners", "1")
	run := s2.waitRun("admin/crash", runID, 60*time.Second)
	first := strings.TrimSuffix(strings.SplitN(read(), "\n", 2)[0], "-start")
	second := map[string]string{"one": "two", "two": "one"}[first]
	jobs := s2.jobsOf("admin/crash", runID)
	time.Sleep(5 * time.Second) // the killed server's step may still be finishing its sleep
	got := read()
	if strings.Count(got, first+"-start") != 1 || strings.Count(got, second+"-start") != 1 || !strings.Contains(got, second+"-end") {
		t.Fatalf("marks:\n%s", got)
	}
	if jobs[first]["conclusion"] != "failure" || jobs[second]["conclusion"] != "success" || run["conclusion"] != "failure" {
		t.Fatalf("after restart: %s %v, %s %v, run %v", first, jobs[first]["conclusion"], second, jobs[second]["conclusion"], run["conclusion"])
	}
	if logs := s2.jobLogs("admin/crash", runID)[first]; !strings.Contains(logs, "The runner has lost communication with the server") {
		t.Fatalf("%s log:\n%s", first, logs)
	}
}

// A cancelled step that forked background processes, one of them in a new
// session, leaves nothing behind.
func TestCancelLeavesNoProcess(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--embedded-runners", "1")
	marker := fmt.Sprintf("dispatchd-e2e-orphan-%d", time.Now().UnixNano())
	s.createRepo(s.Token, map[string]any{"name": "fork", "auto_init": true})
	s.pushFiles("admin/fork", s.Token, "main", map[string]string{".github/workflows/f.yml": `on: repository_dispatch
jobs:
  fork:
    runs-on: ubuntu-latest
    steps:
      - run: |
          bash -c 'exec -a ` + marker + ` sleep 300' &
          setsid bash -c 'exec -a ` + marker + ` sleep 300' &
          nohup bash -c 'exec -a ` + marker + ` sleep 300' >/dev/null 2>&1 &
          echo started
          wait
`})
	runID := s.dispatchRun("admin/fork", "go")
	alive := func() int {
		out, _ := exec.Command("pgrep", "-f", marker).Output()
		return len(strings.Fields(string(out)))
	}
	waitFor(t, "the background processes", 30*time.Second, func() bool { return alive() == 3 })
	if r := s.do("POST", "/api/v3/repos/admin/fork/actions/runs/"+strconv.FormatFloat(runID, 'f', 0, 64)+"/cancel", s.Token, nil); r.Status != 202 {
		t.Fatalf("cancel: %d", r.Status)
	}
	s.waitRun("admin/fork", runID, 60*time.Second)
	waitFor(t, "no process left", 30*time.Second, func() bool { return alive() == 0 })
}

// A thousand queued runs and two runners: every run completes.
func TestThousandQueuedRunsTwoRunners(t *testing.T) {
	t.Parallel()
	s := startServer(t, "--embedded-runners", "2")
	s.createRepo(s.Token, map[string]any{"name": "many", "auto_init": true})
	s.pushFiles("admin/many", s.Token, "main", map[string]string{".github/workflows/m.yml": "on: repository_dispatch\njobs:\n  one:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo one\n"})
	const n = 1000
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				if r := s.do("POST", "/api/v3/repos/admin/many/dispatches", s.Token, `{"event_type":"go"}`); r.Status != 204 {
					errs <- fmt.Sprintf("dispatch %d: %d %s", i, r.Status, r.Body)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	count := func(q string) float64 {
		return s.do("GET", "/api/v3/repos/admin/many/actions/runs?per_page=1&"+q, s.Token, nil).JSON(t)["total_count"].(float64)
	}
	waitFor(t, "1,000 runs completed", 5*time.Minute, func() bool { return count("status=completed") == n })
	if ok := count("status=success"); ok != n {
		t.Fatalf("%v of %d runs succeeded", ok, n)
	}
}
