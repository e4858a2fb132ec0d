package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/dispatchd/dispatchd"
)

// Live logs as Server-Sent Events, a dispatchd extension:
// GET …/actions/jobs/{job_id}/logs/stream. Each event is one log line in
// GitHub's raw format with the line's number as its id, so a client that
// reconnects with Last-Event-ID resumes after the last line it saw. An
// `end` event carries the job's conclusion when it has finished.

const (
	logPollEvery = 100 * time.Millisecond
	keepAlive    = 15 * time.Second
)

func (s *Server) streamJobLog(w http.ResponseWriter, r *http.Request) error {
	repo, err := s.repoFor(r, dispatchd.AreaActions, dispatchd.Read)
	if err != nil {
		return err
	}
	job, _, err := s.jobFor(r, repo)
	if err != nil {
		return err
	}
	after, _ := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	rc.Flush()
	poll := time.NewTicker(logPollEvery)
	defer poll.Stop()
	lastWrite := time.Now()
	for {
		// The job's status is read before its lines: a job that has ended
		// has stored all of them, so nothing is missed.
		j, err := s.Store.FindJob(r.Context(), repo.ID, job.ID)
		if err != nil {
			return nil
		}
		lines, err := s.Store.JobLog(r.Context(), job.ID, after)
		if err != nil {
			return nil
		}
		for _, l := range lines {
			fmt.Fprintf(w, "id: %d\nevent: log\ndata: %s %s\n\n", l.Seq, l.At.UTC().Format(rawLogTime), l.Text)
			after = l.Seq
		}
		if j.Status == dispatchd.StatusCompleted {
			fmt.Fprintf(w, "event: end\ndata: %s\n\n", j.Conclusion)
			rc.Flush()
			return nil
		}
		if len(lines) > 0 {
			lastWrite = time.Now()
			rc.Flush()
		} else if time.Since(lastWrite) > keepAlive {
			fmt.Fprint(w, ": keep-alive\n\n")
			lastWrite = time.Now()
			rc.Flush()
		}
		select {
		case <-r.Context().Done():
			return nil
		case <-poll.C:
		}
	}
}
