package agent

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/dispatchd/dispatchd/runner"
	"github.com/dispatchd/dispatchd/runnerproto"
)

// Batching. flushEvery is runnerproto.FlushEvery (a variable for the
// tests); a step that starts or finishes is sent after coalesceFor, so
// that the lines of its header travel with it. A batch holds at most
// maxBatchEvents events and about maxBatchBytes of text: what is left
// waits for the next one, sent at once.
var (
	flushEvery  = runnerproto.FlushEvery
	coalesceFor = 5 * time.Millisecond
)

const (
	maxBatchEvents = 2000
	maxBatchBytes  = 1 << 20
)

// Why a job's context is cancelled by its reporter.
var (
	errCancelledByServer = errors.New("the job was cancelled on the server")
	errJobGone           = errors.New("the server no longer knows the job")
)

// reporter is the runner.Reporter of a job executed for a server: it
// queues the calls as runnerproto.Events, and its sender sends them in
// batches at least every flushEvery (an empty batch is the heartbeat).
type reporter struct {
	c      *client
	path   string // PathJobs + "{id}/events"
	cancel context.CancelCauseFunc
	log    *slog.Logger

	mu      sync.Mutex
	pending []runnerproto.Event
	gone    bool // the server answered 404 (or refused us): nothing more is sent
	seq     int64

	wake     chan struct{} // a step started or finished
	finish   chan struct{} // closed when the job has ended
	done     chan struct{} // closed when the sender has returned
	stopSend context.CancelFunc
}

// startReporter starts the sender of job id's events. cancel cancels the
// job: the server said so, or it forgot the job. The sender's requests
// outlive ctx's cancellation (the job's last events must still go out);
// close bounds them.
func startReporter(ctx context.Context, c *client, id int64, cancel context.CancelCauseFunc, log *slog.Logger) *reporter {
	r := &reporter{c: c, path: runnerproto.PathJobs + strconv.FormatInt(id, 10) + "/events", cancel: cancel, log: log,
		wake: make(chan struct{}, 1), finish: make(chan struct{}), done: make(chan struct{})}
	sendCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	r.stopSend = stop
	go r.sender(sendCtx)
	return r
}

var _ runner.Reporter = (*reporter)(nil)

func (r *reporter) StepStarted(n int, name string) {
	r.add(runnerproto.Event{Kind: runnerproto.EventStepStarted, Step: n, Name: name, At: time.Now()}, true)
}

func (r *reporter) Log(n int, at time.Time, line string) {
	r.add(runnerproto.Event{Kind: runnerproto.EventLog, Step: n, At: at, Text: line}, false)
}

func (r *reporter) StepFinished(n int, outcome, conclusion string) {
	r.add(runnerproto.Event{Kind: runnerproto.EventStepFinished, Step: n, Outcome: outcome, Conclusion: conclusion,
		At: time.Now()}, true)
}

func (r *reporter) Annotation(a runner.Annotation) {
	r.add(runnerproto.Event{Kind: runnerproto.EventAnnotation, Step: a.Step, Annotation: &a, At: time.Now()}, false)
}

func (r *reporter) add(e runnerproto.Event, urgent bool) {
	r.mu.Lock()
	if !r.gone {
		r.pending = append(r.pending, e)
	}
	r.mu.Unlock()
	if urgent {
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
}

// take removes the next batch from the pending events.
func (r *reporter) take() []runnerproto.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, size := 0, 0
	for n < len(r.pending) && n < maxBatchEvents {
		size += len(r.pending[n].Text) + 64
		if n > 0 && size > maxBatchBytes {
			break
		}
		n++
	}
	batch := make([]runnerproto.Event, n)
	copy(batch, r.pending)
	r.pending = r.pending[n:]
	if len(r.pending) == 0 {
		r.pending = nil // let the array go
	}
	return batch
}

func (r *reporter) havePending() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.pending) > 0
}

func (r *reporter) isGone() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.gone
}

// sender sends a batch when a step starts or finishes, and otherwise every
// flushEvery, empty or not; once the job has ended, it sends what is left
// and returns.
func (r *reporter) sender(ctx context.Context) {
	defer close(r.done)
	timer := time.NewTimer(flushEvery)
	defer timer.Stop()
	finishing := false
	for {
		select {
		case <-r.finish:
			finishing = true
		case <-timer.C:
		case <-r.wake:
			// Coalesce: the step's first lines come right after it starts.
			t := time.NewTimer(coalesceFor)
			select {
			case <-t.C:
			case <-r.finish:
				finishing = true
			case <-ctx.Done():
			}
			t.Stop()
		case <-ctx.Done():
			return
		}
		for first := true; first || r.havePending(); first = false {
			select { // what wakes us now is in this batch
			case <-r.wake:
			default:
			}
			batch := r.take()
			if len(batch) == 0 && finishing {
				break // nothing left to say; the completion follows
			}
			if !r.send(ctx, batch) {
				return
			}
		}
		if finishing {
			return
		}
		timer.Reset(flushEvery)
	}
}

// send posts one batch under the next Seq, retrying network errors and 5xx
// with the same Seq (the server drops a batch it applied already). It
// returns false when nothing more should be sent: the server forgot the
// job, or ctx ended.
func (r *reporter) send(ctx context.Context, events []runnerproto.Event) bool {
	if events == nil {
		events = []runnerproto.Event{} // an empty batch is [], not null
	}
	r.mu.Lock()
	r.seq++
	batch := runnerproto.Events{Seq: r.seq, Events: events}
	r.mu.Unlock()
	var b backoff
	for {
		var resp runnerproto.EventsResponse
		_, err := r.c.post(ctx, r.path, batch, &resp, requestTimeout, nil)
		switch {
		case err == nil:
			if resp.Cancel {
				r.cancel(errCancelledByServer)
			}
			return true
		case ctx.Err() != nil:
			return false
		case retryable(err):
			r.log.Warn("sending the job's events failed; retrying", "seq", batch.Seq, "err", err)
			if !sleep(ctx, b.next()) {
				return false
			}
		case jobGone(err):
			r.log.Warn("the server no longer knows the job; cancelling it", "err", err)
			r.mu.Lock()
			r.gone, r.pending = true, nil
			r.mu.Unlock()
			r.cancel(errJobGone)
			return false
		default:
			// Rejected (400, 413, 422…): the server did not apply it, so
			// its Seq goes to the next batch; retrying would not help.
			r.log.Error("the server rejected a batch of the job's events; dropping it", "seq", batch.Seq,
				"events", len(batch.Events), "err", err)
			r.mu.Lock()
			r.seq--
			r.mu.Unlock()
			return true
		}
	}
}

// jobGone tells whether an answer means the server will take nothing more
// about this job from this runner: it does not know the job (404, 410:
// it restarted or declared the runner lost), the job is no longer this
// runner's (409), or the runner's credentials are refused (401, 403).
func jobGone(err error) bool {
	switch statusOf(err) {
	case http.StatusNotFound, http.StatusGone, http.StatusConflict, http.StatusUnauthorized, http.StatusForbidden:
		return true
	}
	return false
}

// close sends what is left once the job has ended, within ctx; it tells
// whether the server still knows the job (whether to send the completion).
func (r *reporter) close(ctx context.Context) bool {
	close(r.finish)
	select {
	case <-r.done:
	case <-ctx.Done():
		r.stopSend()
		<-r.done
	}
	r.stopSend()
	return !r.isGone()
}
