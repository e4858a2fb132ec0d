package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestGCPercentFor(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, gcPercent},
		{2 << 20, 3100},        // 2 MiB live: collect at 64 MiB
		{heapFloor / 5, 400},   // 400 % past it is the floor itself
		{heapFloor / 4, 400},   // past the floor: the percentage alone
		{1 << 30, gcPercent},   // a large live heap
		{heapFloor - 1, 400},   // just under the floor
		{heapFloor / 64, 6300}, // 1 MiB
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("gcPercentFor(%d) = %d, want %d", c.live, got, c.want)
		}
	}
}

func TestTuneRuntime(t *testing.T) {
	procs, gc := runtime.GOMAXPROCS(0), debug.SetGCPercent(100)
	defer func() { runtime.GOMAXPROCS(procs); debug.SetGCPercent(gc) }()

	// What the operator set stays.
	tuneRuntime(func(k string) string { return map[string]string{"GOGC": "100", "GOMAXPROCS": "2"}[k] })()
	if got := runtime.GOMAXPROCS(0); got != procs {
		t.Errorf("GOMAXPROCS %d with GOMAXPROCS set, want %d", got, procs)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent %d with GOGC set, want 100", got)
	}

	stop := tuneRuntime(func(string) string { return "" })
	defer stop()
	if got := runtime.GOMAXPROCS(0); got != procs+1 {
		t.Errorf("GOMAXPROCS %d, want %d", got, procs+1)
	}
	// After a collection the percentage puts the next one at the floor:
	// this test's live heap is far below it.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		runtime.GC()
		if p := gogc(); p > gcPercent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GC percent %d after collections, want more than %d for a small heap", gogc(), gcPercent)
		}
	}
}

// gogc reads the GC percentage without setting it.
func gogc() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64())
}
