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
	for _, p := range j.procs {
		groups[p.pgid()] = true
	}
	for _, o := range findOrphans(groups, "RUNNER_TRACKING_ID="+j.tracking) {
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
func findOrphans(groups map[int]bool, marker string) []orphan {
	entries, _ := os.ReadDir("/proc")
	self := os.Getpid()
	var out []orphan
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		name, pgrp, ok := procStat(pid)
		if !ok {
			continue
		}
		if (marker != "" && hasEnv(pid, marker)) || (groups[pgrp] && ownGroup(pgrp, marker)) {
			out = append(out, orphan{pid, name})
		}
	}
	return out
}

// procStat reads a process's command name and process group; zombies
// (already dead, waiting for their parent) are not orphans to kill.
func procStat(pid int) (name string, pgrp int, ok bool) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return "", 0, false
	}
	// pid (comm) state ppid pgrp …; comm may contain spaces and parentheses.
	open, end := bytes.IndexByte(data, '('), bytes.LastIndexByte(data, ')')
	if open < 0 || end < open {
		return "", 0, false
	}
	fields := strings.Fields(string(data[end+1:]))
	if len(fields) < 3 || fields[0] == "Z" {
		return "", 0, false
	}
	pgrp, err = strconv.Atoi(fields[2])
	return string(data[open+1 : end]), pgrp, err == nil
}

// ownGroup reports whether the group is still the job's: its leader (the
// step's shell) has exited, or carries the marker.
func ownGroup(pgrp int, marker string) bool {
	if _, _, alive := procStat(pgrp); !alive {
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
		if len(findOrphans(groups, "")) == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
