package main

import (
	"io"
	"sync"
	"sync/atomic"
)

// lineWriter coalesces the server's log lines into few writes: a write
// only queues the line and wakes a flusher, which writes all that queued
// in one call. Idle, a line goes out microseconds after it was logged;
// under load one write(2) carries many lines instead of one syscall per
// request. Lines stay whole and in order: slog writes one line per call.
type lineWriter struct {
	out io.Writer
	mu  sync.Mutex // guards buf
	buf []byte
	// wmu orders flushes and owns spare, the buffer being written.
	wmu    sync.Mutex
	spare  []byte
	busy   atomic.Bool // a flush is writing
	closed bool        // under mu: Close was called; writes go straight out
	kick   chan struct{}
	stop   chan struct{}
	done   chan struct{}
}

// maxPending is how much may wait for the flusher; past it a writer
// flushes itself, so a stuck output slows logging instead of growing
// memory without bound.
const maxPending = 1 << 20

func newLineWriter(out io.Writer) *lineWriter {
	w := &lineWriter{out: out, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go w.loop()
	return w
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.buf = append(w.buf, p...)
	full := len(w.buf) >= maxPending || w.closed
	w.mu.Unlock()
	if full {
		w.flush()
		return len(p), nil
	}
	select {
	case w.kick <- struct{}{}:
	default: // a flush is due already and will take this line
	}
	return len(p), nil
}

func (w *lineWriter) loop() {
	defer close(w.done)
	for {
		select {
		case <-w.kick:
			w.flush()
		case <-w.stop:
			return
		}
	}
}

// flush writes what is queued. Writers go on queueing meanwhile; wmu
// keeps two flushes from reordering lines.
func (w *lineWriter) flush() {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	w.mu.Lock()
	b := w.buf
	w.buf = w.spare[:0]
	w.mu.Unlock()
	if len(b) > 0 {
		w.busy.Store(true)
		w.out.Write(b) // a log line that cannot be written has nowhere to go
		w.busy.Store(false)
	}
	w.spare = b
}

// flushing reports whether a flush is writing (for tests).
func (w *lineWriter) flushing() bool { return w.busy.Load() }

// Close writes what is queued and stops the flusher; a line logged after
// it (a goroutine that outlived the server) is written at once.
func (w *lineWriter) Close() error {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	close(w.stop)
	<-w.done
	w.flush()
	return nil
}
