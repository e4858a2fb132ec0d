package main

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is an output that counts its writes; while gate is open (not
// nil), the first write waits for it to close.
type recorder struct {
	mu    sync.Mutex
	b     bytes.Buffer
	calls int
	gate  chan struct{}
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.gate != nil {
		<-r.gate
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	return r.b.Write(p)
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.b.String()
}

func TestLineWriterKeepsEveryLineWholeAndInOrder(t *testing.T) {
	out := &recorder{}
	w := newLineWriter(out)
	var wg sync.WaitGroup
	const writers, lines = 8, 2000
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lines {
				fmt.Fprintf(w, "%d %d %s\n", g, i, strings.Repeat("x", i%200))
			}
		}()
	}
	wg.Wait()
	w.Close()
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(got) != writers*lines {
		t.Fatalf("%d lines written, want %d", len(got), writers*lines)
	}
	next := make([]int, writers)
	for _, l := range got {
		var g, i int
		f := strings.Split(l, " ")
		fmt.Sscan(f[0], &g)
		fmt.Sscan(f[1], &i)
		if len(f) != 3 || i != next[g] || len(f[2]) != i%200 {
			t.Fatalf("line %q: torn or out of order, want line %d of writer %d", l, next[g], g)
		}
		next[g]++
	}
}

func TestLineWriterCoalescesWhileTheOutputIsBusy(t *testing.T) {
	out := &recorder{gate: make(chan struct{})}
	w := newLineWriter(out)
	fmt.Fprintln(w, "first") // the flusher takes it and blocks in Write
	for !w.flushing() {
		time.Sleep(time.Millisecond)
	}
	for i := range 100 {
		fmt.Fprintf(w, "line %d\n", i)
	}
	close(out.gate)
	w.Close()
	if n := strings.Count(out.String(), "\n"); n != 101 {
		t.Fatalf("%d lines, want 101", n)
	}
	if out.calls > 2 {
		t.Errorf("%d writes for 101 lines queued behind a busy output, want at most 2", out.calls)
	}
}

func TestLineWriterWritesALoneLineWithoutClose(t *testing.T) {
	out := &recorder{}
	w := newLineWriter(out)
	defer w.Close()
	fmt.Fprintln(w, "hello")
	deadline := time.Now().Add(10 * time.Second)
	for out.String() != "hello\n" {
		if time.Now().After(deadline) {
			t.Fatal("a lone line was not written within 10 s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestLineWriterWritesAfterClose(t *testing.T) {
	out := &recorder{}
	w := newLineWriter(out)
	fmt.Fprintln(w, "before")
	w.Close()
	fmt.Fprintln(w, "after")
	if got := out.String(); got != "before\nafter\n" {
		t.Fatalf("got %q", got)
	}
}
