package e2e

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Durability: a burst of concurrent repository_dispatch requests, the
// server SIGKILLed in the middle of it, a new server on the same data
// directory. Every dispatch that was acknowledged (204 with X-Dispatch-Id)
// must still be there with all its runs and their jobs; what was not
// acknowledged may or may not be there, but never half; run numbers stay
// distinct and are not reused afterwards.

const (
	crashWorkers  = 8
	crashMaxSent  = 2000
	crashMaxBurst = 3 * time.Second
)

// crashShape is what one dispatch of an event type must have made: the
// workflow files it runs, each with its number of jobs.
var crashShape = map[string]map[string]int{
	"trigger-deploy": {".github/workflows/cd.yml": 2, ".github/workflows/any.yml": 1},
	"crash-other":    {".github/workflows/any.yml": 1},
}

var crashTypes = []string{"trigger-deploy", "crash-other"}

// crashSent identifies a request by its client_payload: worker and sequence.
type crashSent struct {
	worker, seq int
}

func (k crashSent) eventType() string { return crashTypes[(k.worker+k.seq)%len(crashTypes)] }

type crashAck struct {
	id  string
	req crashSent
}

func TestCrashKeepsAcknowledgedDispatches(t *testing.T) {
	s := startServer(t)
	dispatchRepo(t, s)
	const repo = "/api/v3/repos/admin/svc"
	url := s.URL + repo + "/dispatches"

	var (
		mu       sync.Mutex
		acks     []crashAck
		attempts = map[crashSent]bool{} // every request that left, answered or not
		sent     atomic.Int64
		killing  atomic.Bool // set before the signal: an error after it is the kill's
		cutOff   atomic.Int64
		killOnce sync.Once
	)
	// The kill comes at whichever is first: a random number of
	// acknowledgements, or a random time after the first one.
	killAfterAcks := 20 + rand.IntN(800)
	killAfterTime := time.Duration(10+rand.IntN(1490)) * time.Millisecond
	kill := func(why string) {
		killOnce.Do(func() {
			killing.Store(true)
			if err := s.cmd.Process.Kill(); err != nil {
				t.Errorf("SIGKILL: %v", err)
			}
			t.Logf("SIGKILL after %s (%d requests sent)", why, sent.Load())
		})
	}
	// The burst is bounded by crashMaxSent requests and by crashMaxBurst
	// from the first acknowledgement (the clock starts there, so that a slow
	// start cannot end the burst before the kill).
	var (
		firstAck   sync.Once
		deadlineNs atomic.Int64 // 0 until the first acknowledgement
		timer      atomic.Pointer[time.Timer]
	)
	defer func() {
		if tm := timer.Load(); tm != nil {
			tm.Stop()
		}
	}()

	transport := &http.Transport{MaxIdleConnsPerHost: crashWorkers}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 60 * time.Second}
	var wg sync.WaitGroup
	for w := range crashWorkers {
		wg.Go(func() {
			for seq := 0; ; seq++ {
				if d := deadlineNs.Load(); killing.Load() || sent.Add(1) > crashMaxSent || (d != 0 && time.Now().UnixNano() > d) {
					return
				}
				k := crashSent{w, seq}
				body, _ := json.Marshal(map[string]any{"event_type": k.eventType(),
					"client_payload": map[string]any{"worker": w, "seq": seq, "environment": fmt.Sprintf("w%d", w)}})
				req, _ := http.NewRequest("POST", url, strings.NewReader(string(body)))
				req.Header.Set("Authorization", "Bearer "+s.Token)
				req.Header.Set("Content-Type", "application/json")
				mu.Lock()
				attempts[k] = true
				mu.Unlock()
				resp, err := client.Do(req)
				if err != nil {
					if killing.Load() {
						cutOff.Add(1)
						return
					}
					t.Errorf("request %v failed before the kill: %v", k, err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusNoContent {
					if killing.Load() && resp.StatusCode >= 500 {
						cutOff.Add(1)
						return
					}
					t.Errorf("request %v: %d", k, resp.StatusCode)
					return
				}
				id := resp.Header.Get("X-Dispatch-Id")
				if id == "" {
					t.Errorf("request %v: 204 without X-Dispatch-Id", k)
					return
				}
				firstAck.Do(func() {
					deadlineNs.Store(time.Now().Add(crashMaxBurst).UnixNano())
					timer.Store(time.AfterFunc(killAfterTime, func() { kill(fmt.Sprintf("%v after the first acknowledgement", killAfterTime)) }))
				})
				mu.Lock()
				acks = append(acks, crashAck{id, k})
				n := len(acks)
				mu.Unlock()
				if n >= killAfterAcks {
					kill(fmt.Sprintf("%d acknowledged dispatches", n))
				}
			}
		})
	}
	wg.Wait()
	burstOver := !killing.Load()
	kill("the burst ended") // bounded: never leave the server running
	if burstOver {
		t.Fatalf("the burst ended (%d sent) before the kill: nothing was interrupted; raise the bounds", sent.Load())
	}
	// The harness's goroutine waits for the process and reports on s.done;
	// once it has, s.cmd.ProcessState is set and the cleanup's stop() returns
	// at once instead of signalling a dead process and waiting for a second report.
	select {
	case <-s.done:
	case <-time.After(60 * time.Second):
		t.Fatal("the SIGKILLed server did not exit")
	}
	if s.cmd.ProcessState == nil || s.cmd.ProcessState.Success() {
		t.Fatalf("the server was not killed: %v", s.cmd.ProcessState)
	}
	t.Logf("%d requests sent, %d acknowledged, %d cut off by the kill", len(attempts), len(acks), cutOff.Load())
	if len(acks) == 0 {
		t.Fatalf("no dispatch was acknowledged before the kill")
	}

	s2 := startServerIn(t, s.data)
	tok := s2.Token
	get := func(path string) map[string]any {
		t.Helper()
		r := s2.do("GET", path, tok, nil)
		if r.Status != 200 {
			t.Fatalf("GET %s after the restart: %d %s", path, r.Status, r.Body)
		}
		return r.JSON(t)
	}

	// jobsOf checks a run has its jobs: as many as its workflow has, all of
	// this run, attempt 1.
	jobsOf := func(runID string, path string) {
		t.Helper()
		want, ok := map[string]int{".github/workflows/cd.yml": 2, ".github/workflows/any.yml": 1}[path]
		if !ok {
			t.Errorf("run %s of an unexpected workflow %q", runID, path)
			return
		}
		r := s2.do("GET", repo+"/actions/runs/"+runID+"/jobs", tok, nil)
		if r.Status != 200 {
			t.Errorf("jobs of run %s: %d %s", runID, r.Status, r.Body)
			return
		}
		m := r.JSON(t)
		jobs, _ := m["jobs"].([]any)
		if m["total_count"] != float64(want) || len(jobs) != want {
			t.Errorf("run %s (%s) has %v jobs, want %d: half-written", runID, path, m["total_count"], want)
		}
		for _, j := range jobs {
			j, _ := j.(map[string]any)
			if crashID(j["run_id"]) != runID || j["run_attempt"] != float64(1) {
				t.Errorf("run %s lists job %v of run %v attempt %v", runID, j["id"], j["run_id"], j["run_attempt"])
			}
		}
	}

	// checkEvent checks a stored event against the request it came from.
	checkEvent := func(e map[string]any, from crashSent) (runIDs []string) {
		t.Helper()
		id := crashID(e["id"])
		if e["event_type"] != from.eventType() {
			t.Errorf("event %s: type %v, but request %v sent %s", id, e["event_type"], from, from.eventType())
		}
		shape := crashShape[from.eventType()]
		var paths []string
		for _, r := range crashList(e, "workflow_runs") {
			runID := crashID(r["id"])
			path, _ := r["path"].(string)
			paths = append(paths, path)
			runIDs = append(runIDs, runID)
			jobsOf(runID, path)
		}
		sort.Strings(paths)
		var want []string
		for p := range shape {
			want = append(want, p)
		}
		sort.Strings(want)
		if !slices.Equal(paths, want) {
			t.Errorf("event %s (%s) has runs of %v, want %v: half-written", id, from.eventType(), paths, want)
		}
		return runIDs
	}
	requestOf := func(e map[string]any) (crashSent, bool) {
		payload, _ := e["payload"].(map[string]any)
		cp, _ := payload["client_payload"].(map[string]any)
		w, ok1 := cp["worker"].(float64)
		seq, ok2 := cp["seq"].(float64)
		return crashSent{int(w), int(seq)}, ok1 && ok2
	}

	// Every acknowledged dispatch, one by one.
	ackIDs := map[string]crashSent{}
	t.Run("acknowledged-dispatches-survive", func(t *testing.T) {
		for _, a := range acks {
			if prev, dup := ackIDs[a.id]; dup {
				t.Errorf("X-Dispatch-Id %s acknowledged twice: %v and %v", a.id, prev, a.req)
			}
			ackIDs[a.id] = a.req
			r := s2.do("GET", repo+"/dispatches/"+a.id, tok, nil)
			if r.Status != 200 {
				t.Errorf("acknowledged dispatch %s (request %v) is lost after the crash: %d %s", a.id, a.req, r.Status, r.Body)
				continue
			}
			e := r.JSON(t)
			if from, ok := requestOf(e); !ok || from != a.req {
				t.Errorf("dispatch %s holds the payload of %v, but was the answer to %v", a.id, from, a.req)
			}
			checkEvent(e, a.req)
		}
	})

	// Everything stored, acknowledged or not: whole, and from a request we sent.
	events := map[string]map[string]any{}
	t.Run("nothing-half-written", func(t *testing.T) {
		total, pushes := -1, 0
		for page := 1; ; page++ {
			m := get(fmt.Sprintf("%s/dispatches?per_page=100&page=%d", repo, page))
			total = int(m["total_count"].(float64))
			list := crashList(m, "dispatches")
			for _, e := range list {
				if e["event"] == "push" {
					pushes++ // the setup's git push, not a dispatch
					continue
				}
				events[crashID(e["id"])] = e
			}
			if len(list) < 100 {
				break
			}
		}
		if len(events)+pushes != total {
			t.Errorf("listed %d events and %d push events, total_count %d", len(events), pushes, total)
		}
		total -= pushes
		if total < len(acks) || total > len(attempts) {
			t.Errorf("%d events stored for %d acknowledged of %d sent", total, len(acks), len(attempts))
		}
		seen := map[crashSent]string{}
		runsInEvents := 0
		for id, e := range events {
			from, ok := requestOf(e)
			if !ok || !attempts[from] {
				t.Errorf("event %s does not come from a request we sent: %v", id, e["payload"])
				continue
			}
			if other, dup := seen[from]; dup {
				t.Errorf("request %v stored twice: events %s and %s", from, other, id)
			}
			seen[from] = id
			if _, acked := ackIDs[id]; acked {
				runsInEvents += len(crashList(e, "workflow_runs"))
				continue // checked above
			}
			runsInEvents += len(checkEvent(e, from))
		}
		// No run outside an event, none missing from one.
		runs := get(repo + "/actions/runs?per_page=1")
		if n := int(runs["total_count"].(float64)); n != runsInEvents {
			t.Errorf("%d runs stored, %d belong to the stored events", n, runsInEvents)
		}
		t.Logf("%d events stored: %d acknowledged, %d committed but not acknowledged", total, len(acks), total-len(acks))
	})

	// Run numbers: distinct per workflow, then the next dispatch goes on from the highest.
	t.Run("run-numbers-distinct", func(t *testing.T) {
		numbers := map[float64][]float64{} // workflow id → run numbers
		for page := 1; ; page++ {
			m := get(fmt.Sprintf("%s/actions/runs?per_page=100&page=%d", repo, page))
			list := crashList(m, "workflow_runs")
			for _, r := range list {
				wf, _ := r["workflow_id"].(float64)
				n, _ := r["run_number"].(float64)
				numbers[wf] = append(numbers[wf], n)
			}
			if len(list) < 100 {
				break
			}
		}
		highest := map[float64]float64{}
		for wf, ns := range numbers {
			sort.Float64s(ns)
			for i := 1; i < len(ns); i++ {
				if ns[i] == ns[i-1] {
					t.Errorf("workflow %v: run number %v given twice", wf, ns[i])
				}
			}
			highest[wf] = ns[len(ns)-1]
			if ns[0] != 1 || ns[len(ns)-1] != float64(len(ns)) {
				t.Logf("workflow %v: %d runs numbered %v..%v (gaps)", wf, len(ns), ns[0], ns[len(ns)-1])
			}
		}
		r := s2.do("POST", repo+"/dispatches", tok, map[string]any{"event_type": "trigger-deploy", "client_payload": map[string]any{"after": "restart"}})
		if r.Status != 204 || r.Header.Get("X-Dispatch-Id") == "" {
			t.Fatalf("dispatch after the restart: %d %s", r.Status, r.Body)
		}
		e := get(repo + "/dispatches/" + r.Header.Get("X-Dispatch-Id"))
		if _, known := events[crashID(e["id"])]; known {
			t.Errorf("the new dispatch reuses event id %v", e["id"])
		}
		newRuns := crashList(e, "workflow_runs")
		if len(newRuns) != 2 {
			t.Errorf("the dispatch after the restart made %d runs, want 2", len(newRuns))
		}
		for _, run := range newRuns {
			full := get(repo + "/actions/runs/" + crashID(run["id"]))
			wf, _ := full["workflow_id"].(float64)
			if n, _ := full["run_number"].(float64); n <= highest[wf] {
				t.Errorf("workflow %v: the run after the restart is number %v, already given (highest before: %v)", wf, n, highest[wf])
			}
		}
	})
}

// crashID renders a JSON number id as the API's paths take it.
func crashID(v any) string {
	f, _ := v.(float64)
	return strconv.FormatInt(int64(f), 10)
}

// crashList returns the objects of a list member.
func crashList(m map[string]any, key string) []map[string]any {
	var out []map[string]any
	items, _ := m[key].([]any)
	for _, it := range items {
		o, _ := it.(map[string]any)
		out = append(out, o)
	}
	return out
}
