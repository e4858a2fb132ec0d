package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readPID reads a pid a script wrote.
func readPID(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("pid file: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatalf("pid file: %q", data)
	}
	return pid
}

// waitGoneProcess waits (bounded) until pid is no longer a live process.
func waitGoneProcess(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, _, _, alive := procStat(pid); !alive {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("process %d is still running", pid)
}

// cancelOn returns a recorder that cancels ctx when a step prints line.
func cancelOn(line string) (*recorder, context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	rec := newRecorder()
	rec.onLog = func(_ int, l string) {
		if l == line {
			cancel()
		}
	}
	return rec, ctx, cancel
}

func TestCancelKillsTheProcessGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "bg.pid")
	job := simpleJob(t, fmt.Sprintf(`
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - name: Long
        run: |
          sleep 1000 &
          echo $! > %s
          echo started
          sleep 1000
      - name: Always
        if: always()
        run: echo "always ran status=${{ job.status }}"
      - name: Default condition
        run: echo never
      - name: On cancel
        if: cancelled()
        run: echo "cancelled() holds"
`, pidFile), "j")
	rec, ctx, cancel := cancelOn("started")
	defer cancel()
	res, rec := runJobWith(t, ctx, job, rec)
	if res.Result != resultCancelled {
		t.Errorf("job result %s", res.Result)
	}
	wantStep(t, res, 0, resultCancelled, resultCancelled)
	wantStep(t, res, 1, resultSuccess, resultSuccess)
	wantStep(t, res, 2, resultSkipped, resultSkipped)
	wantStep(t, res, 3, resultSuccess, resultSuccess)
	wantOutput(t, rec, 1, "started", "##[error]The operation was canceled.")
	wantOutput(t, rec, 2, "always ran status=cancelled")
	wantOutput(t, rec, 4, "cancelled() holds")
	waitGoneProcess(t, readPID(t, pidFile)) // the background child went with its group
}

func TestCancelEscalatesSignals(t *testing.T) {
	job := simpleJob(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - run: |
          trap 'echo got INT' INT
          trap 'echo got TERM' TERM
          echo ready
          while true; do sleep 0.05 || true; done
`, "j")
	rec, ctx, cancel := cancelOn("ready")
	defer cancel()
	res, rec := runJobWith(t, ctx, job, rec)
	wantStep(t, res, 0, resultCancelled, resultCancelled)
	// SIGINT first, SIGTERM after the grace, then SIGKILL ends it.
	wantOutput(t, rec, 1, "ready", "got INT", "got TERM", "##[error]The operation was canceled.")
}

func TestCancelWaitsForAlwaysSteps(t *testing.T) {
	job := simpleJob(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - if: always()
        run: |
          echo ready
          sleep 0.5
          echo "finished anyway"
`, "j")
	rec, ctx, cancel := cancelOn("ready")
	defer cancel()
	res, rec := runJobWith(t, ctx, job, rec)
	// The step's if: still holds under cancellation: it runs to its end.
	wantStep(t, res, 0, resultSuccess, resultSuccess)
	wantOutput(t, rec, 1, "ready", "finished anyway")
	if res.Result != resultCancelled {
		t.Errorf("job result %s", res.Result)
	}
}

func TestCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, rec := runJob(t, ctx, simpleJob(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - run: echo never
      - if: always()
        run: echo "always"
`, "j"))
	if res.Result != resultCancelled {
		t.Errorf("result %s", res.Result)
	}
	wantStep(t, res, 0, resultSkipped, resultSkipped)
	wantOutput(t, rec, 2, "always")
}

func TestStepTimeoutTruncatesMinutes(t *testing.T) {
	// One test minute is a second: 1.9 minutes is 1 (1 s), so a 1.5 s step
	// times out; 0.05 is 0, which means no timeout at all.
	res, rec := runInline(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - name: Truncated to one minute
        timeout-minutes: 1.9
        run: sleep 1.5; echo "not reached"
      - name: Zero means none
        if: always()
        timeout-minutes: ${{ 0.05 }}
        run: sleep 0.2; echo "finished"
      - name: Bad timeout
        if: always()
        timeout-minutes: ${{ 'soon' }}
        run: echo "runs without timeout"
      - name: Timed out but continues
        if: always()
        timeout-minutes: 1
        continue-on-error: true
        run: sleep 5
`, "j")
	wantStep(t, res, 0, resultFailure, resultFailure)
	wantOutput(t, rec, 1, "##[error]The action 'Truncated to one minute' has timed out after 1 minutes.")
	if strings.Contains(strings.Join(rec.step(t, 1).output(), "\n"), "not reached") {
		t.Error("the timed out step kept running")
	}
	wantStep(t, res, 1, resultSuccess, resultSuccess)
	wantOutput(t, rec, 2, "finished")
	wantStep(t, res, 2, resultSuccess, resultSuccess)
	wantOutput(t, rec, 3, "##[error]An error occurred when attempting to determine the step timeout.",
		"##[error]Unexpected value 'soon'", "runs without timeout")
	wantStep(t, res, 3, resultFailure, resultSuccess)
}

func TestJobTimeout(t *testing.T) {
	res, rec := runInline(t, `
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    timeout-minutes: 1
    steps:
      - run: sleep 30
      - if: always()
        run: echo "cleanup"
`, "j")
	if res.Result != resultCancelled {
		t.Errorf("result %s", res.Result)
	}
	wantStep(t, res, 0, resultCancelled, resultCancelled)
	wantOutput(t, rec, 1, "##[error]The job running on runner dispatchd has exceeded the maximum execution time of 1 minutes.",
		"##[error]The operation was canceled.")
	wantOutput(t, rec, 2, "cleanup")
}

func TestOrphanProcessesCleanedUp(t *testing.T) {
	dir := t.TempDir()
	res, rec := runInline(t, fmt.Sprintf(`
on: workflow_dispatch
jobs:
  j:
    runs-on: x
    steps:
      - name: Background, output redirected
        run: |
          sleep 1000 > /dev/null 2>&1 &
          echo $! > %[1]s/a.pid
      - name: Background holding the output pipe
        run: |
          sleep 1000 &
          echo $! > %[1]s/b.pid
          echo "step ends"
      - name: Escaped its group
        run: |
          setsid sh -c 'echo $$ > %[1]s/c.pid; exec sleep 1000' > /dev/null 2>&1 < /dev/null &
          while [ ! -s %[1]s/c.pid ]; do sleep 0.01; done
      - name: Still alive between steps
        run: kill -0 $(cat %[1]s/a.pid) && echo "a alive"
`, dir), "j")
	if res.Result != resultSuccess {
		t.Fatalf("result %s", res.Result)
	}
	wantOutput(t, rec, 2, "step ends")
	wantOutput(t, rec, 4, "a alive")
	post := rec.step(t, 5).all()
	for _, f := range []string{"a.pid", "b.pid", "c.pid"} {
		pid := readPID(t, filepath.Join(dir, f))
		if !strings.Contains(post, fmt.Sprintf("Terminate orphan process: pid (%d) (sleep)", pid)) {
			t.Errorf("%s: no termination logged:\n%s", f, post)
		}
		waitGoneProcess(t, pid)
	}
}
