package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// tuneRuntime sets the Go runtime for a dispatch server, leaving alone what
// the operator set in the environment (GOGC, GOMAXPROCS):
//
//   - The heap may grow by 400 % of what is live, and to 64 MiB at least,
//     before the GC runs (see heapFloor).
//   - One P more than the runtime's choice: the store's one writer runs a
//     batch of commits for milliseconds at a time, and the goroutines queued
//     on its P wait that long unless another P is idle to take them. With
//     the extra P the operating system shares the cores among the threads
//     instead. On 2 cores at 64 connections, in alternating A/B rounds, p99
//     was lower in 9 of 10 rounds (23.3 against 28.3 ms, 26.9 against
//     40.5) and throughput higher in 7; at 1 connection, 1,595-1,678
//     dispatches/s against 1,300-1,540.
//
// The returned stop ends the GC tuning (the settings stay as they are).
func tuneRuntime(getenv func(string) string) (stop func()) {
	stop = func() {}
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
		stop = keepHeapFloor()
	}
	if getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + 1)
	}
	return stop
}

// gcPercent is the heap's growth between collections past heapFloor
// (GOGC=100 cost 14 % more CPU than 400).
const gcPercent = 400

// heapFloor is the heap size below which the GC does not run. A dispatch
// server's live heap is 2-3 MB while it allocates ~20 KB a dispatch: at
// GOGC=400 alone that is a collection every 100 ms under load, each with
// two stop-the-world pauses of up to 3 ms on a shared machine. Collecting
// at 64 MiB instead (GOGC=2000 for that heap) measured, in alternating A/B
// rounds at 64 connections: 24-45 µs less server CPU a dispatch, 13-24 %
// more dispatches/s; a floor twice as high gained nothing more.
const heapFloor = 64 << 20

// keepHeapFloor sets GOGC after each collection so that the next one comes
// at heapFloor, or at gcPercent past the live heap once that is larger,
// until stop is called.
func keepHeapFloor() (stop func()) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	last := gcPercent
	var stopped atomic.Bool
	var tune func(*gcSentinel)
	tune = func(*gcSentinel) {
		if stopped.Load() {
			return
		}
		metrics.Read(sample)
		if p := gcPercentFor(sample[0].Value.Uint64()); p != last {
			debug.SetGCPercent(p)
			last = p
		}
		runtime.SetFinalizer(&gcSentinel{}, tune) // once more, after the next collection
	}
	runtime.SetFinalizer(&gcSentinel{}, tune)
	return func() { stopped.Store(true) }
}

// gcSentinel is garbage at once: its finalizer runs after each collection.
// It is larger than the tiny allocator's 16 bytes, whose objects may never
// be finalized.
type gcSentinel struct{ _ [32]byte }

// gcPercentFor is the GOGC that makes the next collection come at
// heapFloor for a live heap of live bytes, and never less than gcPercent.
func gcPercentFor(live uint64) int {
	if live == 0 || live*(100+gcPercent)/100 >= heapFloor {
		return gcPercent
	}
	return int(heapFloor*100/live) - 100
}
