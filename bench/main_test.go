package bench

import (
	"os"
	"sync"
	"testing"
)

// started are the environments the benchmarks started; TestMain stops
// them, so that no server outlives the benchmark binary.
var (
	startedMu sync.Mutex
	started   []benchEnv
)

func track(e benchEnv) benchEnv {
	startedMu.Lock()
	defer startedMu.Unlock()
	started = append(started, e)
	return e
}

func TestMain(m *testing.M) {
	code := m.Run()
	startedMu.Lock()
	for _, e := range started {
		e.stop()
	}
	startedMu.Unlock()
	os.Exit(code)
}
