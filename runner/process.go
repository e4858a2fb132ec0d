package runner

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// maxLineBytes bounds one line of output; a longer run of bytes without a
// newline is logged in pieces instead of growing without limit.
const maxLineBytes = 1 << 20

// proc is a step's process. It runs in its own process group, so that the
// whole tree a script starts can be signalled, with stdout and stderr on one
// pipe so that their lines keep their order.
type proc struct {
	cmd      *exec.Cmd
	pipe     *os.File
	exited   chan struct{} // closed once the process has been waited for
	readDone chan struct{} // closed when the pipe reached EOF or was closed
	exitCode int
	stopOnce sync.Once
}

// startProc starts path with argv in dir. Every line the process writes
// goes to onLine, from the reading goroutine.
func startProc(path string, argv []string, dir string, env []string, onLine func(string)) (*proc, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := &exec.Cmd{
		Path:        path,
		Args:        append([]string{path}, argv...),
		Dir:         dir,
		Env:         env,
		Stdout:      w,
		Stderr:      w,
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true},
	}
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	w.Close() // the child has its copy; EOF comes when the last holder closes it
	p := &proc{cmd: cmd, pipe: r, exited: make(chan struct{}), readDone: make(chan struct{})}
	go func() {
		readLines(r, onLine)
		close(p.readDone)
	}()
	go func() {
		_ = cmd.Wait()
		p.exitCode = exitCode(cmd.ProcessState)
		close(p.exited)
	}()
	return p, nil
}

// exitCode is the code .NET reports, which the runner logs: a process
// killed by a signal has 128+signal (137 for SIGKILL).
func exitCode(st *os.ProcessState) int {
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return st.ExitCode()
}

// pgid is the process group: the leader's pid, thanks to Setpgid.
func (p *proc) pgid() int { return p.cmd.Process.Pid }

// stop cancels the process as the runner does: SIGINT, then SIGTERM after
// interruptGrace, then SIGKILL after terminateGrace, each to the whole
// process group, stopping as soon as the process has exited.
func (p *proc) stop(t timings) {
	p.stopOnce.Do(func() {
		go func() {
			for _, s := range []struct {
				sig  syscall.Signal
				wait time.Duration
			}{{syscall.SIGINT, t.interruptGrace}, {syscall.SIGTERM, t.terminateGrace}, {syscall.SIGKILL, 0}} {
				_ = syscall.Kill(-p.pgid(), s.sig)
				if s.wait == 0 || p.waitExit(s.wait) {
					return
				}
			}
		}()
	})
}

// waitExit waits up to d for the process to exit.
func (p *proc) waitExit(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.exited:
		return true
	case <-t.C:
		return false
	}
}

// killGroup kills what is left of the process group (background children
// of a cancelled step).
func (p *proc) killGroup() { _ = syscall.Kill(-p.pgid(), syscall.SIGKILL) }

// drain waits up to grace for the pipe to close after the process exited.
// Background processes may keep it open; like the runner, the step does
// not wait for them longer than that (they keep running until the job
// ends), and their later output is no longer the step's.
func (p *proc) drain(grace time.Duration) {
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.readDone:
	case <-t.C:
	}
}

// close stops reading the pipe (at the end of the job).
func (p *proc) close() {
	_ = p.pipe.Close()
	<-p.readDone
}

// readLines splits output into lines as .NET's ReadLine does: a line ends
// at "\n", "\r\n" or a lone "\r". Invalid UTF-8 becomes U+FFFD.
func readLines(r io.Reader, emit func(string)) {
	br := bufio.NewReaderSize(r, 64<<10)
	var line []byte
	afterCR := false
	flush := func() {
		emit(strings.ToValidUTF8(string(line), "\uFFFD"))
		line = line[:0]
	}
	for {
		c, err := br.ReadByte()
		if err != nil { // EOF, or the pipe closed at the end of the job
			if len(line) > 0 {
				flush()
			}
			return
		}
		switch {
		case c == '\n' && afterCR: // the second half of "\r\n"
			afterCR = false
		case c == '\n' || c == '\r':
			afterCR = c == '\r'
			flush()
		default:
			afterCR = false
			line = append(line, c)
			if len(line) >= maxLineBytes {
				flush()
			}
		}
	}
}
