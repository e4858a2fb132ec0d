package runner

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cleanupOrphans kills what the job's steps left running, as the runner's
// "Cleaning up orphan processes" does: every process still in one of the
// steps' process groups, and every process carrying the job's
// RUNNER_TRACKING_ID (which finds those that left their group with setsid).
// Then it stops reading the steps' output pipes.
func (j *jobRun) cleanupOrphans(n int) {
	j.log.output(n, "Cleaning up orphan processes")
	groups := map[int]bool{}
	first := 0
	for _, p := range j.procs {
		groups[p.pgid()] = true
		if first == 0 || p.pgid() < first {
			first = p.pgid()
		}
	}
	for _, o := range findOrphans(groups, "RUNNER_TRACKING_ID="+j.tracking, scanFrom{since: j.since, pid: pidFloor(first)}) {
		j.log.output(n, fmt.Sprintf("Terminate orphan process: pid (%d) (%s)", o.pid, o.name))
		_ = syscall.Kill(o.pid, syscall.SIGKILL)
	}
	waitGone(groups, time.Second)
	for _, p := range j.procs {
		p.close()
	}
}

type orphan struct {
	pid  int
	name string
}

// findOrphans scans /proc for the processes with the marker in their
// environment (when marker is not empty) or in one of the groups. A group
// whose leader is alive without the marker is someone else's: its number
// was reused after the step's group died out.
//
// The scan runs at the end of every job, so it skips what cannot be the
// job's: processes with a PID below the job's first (unless PIDs wrapped
// around since), whose status it does not even read, and processes started
// before the job, whose environment it does not read.
func findOrphans(groups map[int]bool, marker string, from scanFrom) []orphan {
	entries, _ := os.ReadDir("/proc")
	self := os.Getpid()
	var out []orphan
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self || (pid < from.pid && !groups[pid]) {
			continue
		}
		name, pgrp, started, ok := procStat(pid)
		if !ok || (started < from.since && !groups[pgrp]) {
			continue
		}
		if (marker != "" && hasEnv(pid, marker)) || (groups[pgrp] && ownGroup(pgrp, marker)) {
			out = append(out, orphan{pid, name})
		}
	}
	return out
}

// scanFrom bounds an orphan scan: processes from PID pid on, started at
// since (clock ticks after boot) or later; zero values scan everything.
type scanFrom struct {
	pid   int
	since uint64
}

// pidFloor is the lowest PID the job's processes can have: the PID of its
// first step, unless the kernel's PIDs wrapped around since (the last PID
// handed out is then below it), in which case nothing is skipped.
func pidFloor(first int) int {
	data, err := os.ReadFile("/proc/sys/kernel/ns_last_pid")
	if err != nil {
		return 0
	}
	last, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || last < first {
		return 0
	}
	return first
}

// procStat reads a process's command name, process group and start time
// (clock ticks after boot); zombies (already dead, waiting for their
// parent) are not orphans to kill.
func procStat(pid int) (name string, pgrp int, started uint64, ok bool) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return "", 0, 0, false
	}
	// pid (comm) state ppid pgrp … starttime (field 22); comm may contain
	// spaces and parentheses.
	open, end := bytes.IndexByte(data, '('), bytes.LastIndexByte(data, ')')
	if open < 0 || end < open {
		return "", 0, 0, false
	}
	fields := strings.Fields(string(data[end+1:]))
	if len(fields) < 20 || fields[0] == "Z" {
		return "", 0, 0, false
	}
	pgrp, err = strconv.Atoi(fields[2])
	started, _ = strconv.ParseUint(fields[19], 10, 64)
	return string(data[open+1 : end]), pgrp, started, err == nil
}

// ticksSinceBoot is now in the unit of a process's start time, less a
// second of margin. It assumes 100 ticks a second (USER_HZ on Linux); were
// it more, start times would only look later, and fewer processes would be
// skipped.
func ticksSinceBoot() uint64 {
	data, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return 0
	}
	secs, err := strconv.ParseFloat(strings.Fields(string(data))[0], 64)
	if err != nil || secs < 1 {
		return 0
	}
	return uint64((secs - 1) * 100)
}

// ownGroup reports whether the group is still the job's: its leader (the
// step's shell) has exited, or carries the marker.
func ownGroup(pgrp int, marker string) bool {
	if _, _, _, alive := procStat(pgrp); !alive {
		return true
	}
	return marker == "" || hasEnv(pgrp, marker)
}

func hasEnv(pid int, marker string) bool {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "environ"))
	if err != nil {
		return false
	}
	for _, kv := range bytes.Split(data, []byte{0}) {
		if string(kv) == marker {
			return true
		}
	}
	return false
}

// waitGone waits, briefly, until no live process is left in the groups,
// so that the job's end means its processes are gone.
func waitGone(groups map[int]bool, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if groupsEmpty(groups) || len(findOrphans(groups, "", scanFrom{})) == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// groupsEmpty reports whether no process at all is in any of the groups:
// one signal-0 per group instead of a scan of /proc, in the common case.
func groupsEmpty(groups map[int]bool) bool {
	for g := range groups {
		if g > 0 && syscall.Kill(-g, 0) != syscall.ESRCH {
			return false
		}
	}
	return true
}
