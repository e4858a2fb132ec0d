package e2e

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

const streamWorkflow = `on: repository_dispatch
jobs:
  count:
    runs-on: ubuntu-latest
    steps:
      - run: |
          for i in 1 2 3; do echo "tick $i"; sleep 0.3; done
      - run: exit ${{ github.event.client_payload.code }}
`

// sseEvent is one Server-Sent Event.
type sseEvent struct{ id, event, data string }

// readSSE reads events until the stream ends.
func readSSE(t *testing.T, resp *http.Response) []sseEvent {
	t.Helper()
	var out []sseEvent
	var cur sseEvent
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.event != "" {
				out = append(out, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, "id: "):
			cur.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			cur.event = line[7:]
		case strings.HasPrefix(line, "data: "):
			cur.data = line[6:]
		}
	}
	return out
}

func TestLiveLogStreamAndRunCommands(t *testing.T) {
	s := startServer(t)
	s.createRepo(s.Token, map[string]any{"name": "live", "auto_init": true})
	s.pushFiles("admin/live", s.Token, "main", map[string]string{".github/workflows/count.yml": streamWorkflow})
	r := s.do("POST", "/api/v3/repos/admin/live/dispatches", s.Token, `{"event_type":"go","client_payload":{"code":3}}`)
	ev := s.do("GET", "/api/v3/repos/admin/live/dispatches/"+r.Header.Get("X-Dispatch-Id"), s.Token, nil).JSON(t)
	runID := strconv.FormatFloat(ev["workflow_runs"].([]any)[0].(map[string]any)["id"].(float64), 'f', 0, 64)
	jobs := s.do("GET", "/api/v3/repos/admin/live/actions/runs/"+runID+"/jobs", s.Token, nil).JSON(t)
	jobID := strconv.FormatFloat(jobs["jobs"].([]any)[0].(map[string]any)["id"].(float64), 'f', 0, 64)

	// Streamed while the job runs, to its end.
	req, _ := http.NewRequest("GET", s.URL+"/api/v3/repos/admin/live/actions/jobs/"+jobID+"/logs/stream", nil)
	req.Header.Set("Authorization", "Bearer "+s.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %v %v", err, resp.Header)
	}
	events := readSSE(t, resp)
	resp.Body.Close()
	var ticks []string
	lastID := ""
	for _, e := range events[:len(events)-1] {
		if e.event != "log" || e.id == "" {
			t.Fatalf("event %+v", e)
		}
		if strings.Contains(e.data, " tick ") {
			ticks = append(ticks, e.id)
		}
		lastID = e.id
	}
	if end := events[len(events)-1]; end.event != "end" || end.data != "failure" || len(ticks) != 3 {
		t.Fatalf("events: ticks %v, last %+v", ticks, end)
	}
	// Resuming after the second tick replays only what came after it.
	req, _ = http.NewRequest("GET", s.URL+"/api/v3/repos/admin/live/actions/jobs/"+jobID+"/logs/stream", nil)
	req.Header.Set("Authorization", "Bearer "+s.Token)
	req.Header.Set("Last-Event-ID", ticks[1])
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resumed := readSSE(t, resp)
	resp.Body.Close()
	if len(resumed) < 2 || !strings.HasSuffix(resumed[0].data, " tick 3") || resumed[len(resumed)-2].id != lastID {
		t.Fatalf("resumed: %+v", resumed)
	}

	// run watch follows to the end, prints the failed job's log, exits 1.
	cmd := exec.Command(binary, "run", "watch", "admin/live", runID, "--interval", "100ms")
	cmd.Env = append(os.Environ(), "DISPATCHD_URL="+s.URL, "DISPATCHD_TOKEN="+s.Token)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	if code != 1 || !strings.Contains(string(out), "Log of count:") || !strings.Contains(string(out), "count | tick 2") ||
		!strings.Contains(string(out), "count | ##[error]Process completed with exit code 3.") || !strings.HasSuffix(string(out), "Run failure\n") {
		t.Fatalf("run watch: exit %d\n%s", code, out)
	}
	cmd = exec.Command(binary, "run", "view", "admin/live", runID, "--log")
	cmd.Env = append(os.Environ(), "DISPATCHD_URL="+s.URL, "DISPATCHD_TOKEN="+s.Token)
	out, err = cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "X count") || !strings.Contains(string(out), "count | tick 3") {
		t.Fatalf("run view: %v\n%s", err, out)
	}
}
