package scheduler

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/engine"
	"github.com/dispatchd/dispatchd/runner"
)

// recorder is the engine.Observer that writes a run's progress to the
// store: each leg is a job row (the first leg of a job uses the row the
// dispatch created, further legs get new rows), with its steps and log.
type recorder struct {
	ctx   context.Context // outlives cancellation: the end of a run is recorded too
	stop  context.Context // the server's: ends when it stops
	store dispatchd.Store
	run   *dispatchd.Run

	mu   sync.Mutex
	rows map[string]*dispatchd.Job // job key → its row, until its first leg takes it
	legs map[*engine.Leg]*jobReporter
}

func newRecorder(stop context.Context, store dispatchd.Store, run *dispatchd.Run) (*recorder, error) {
	ctx := context.WithoutCancel(stop)
	jobs, err := store.ListJobs(ctx, run.ID, run.RunAttempt)
	if err != nil {
		return nil, err
	}
	r := &recorder{ctx: ctx, stop: stop, store: store, run: run, rows: map[string]*dispatchd.Job{}, legs: map[*engine.Leg]*jobReporter{}}
	for _, j := range jobs {
		if j.Status != dispatchd.StatusCompleted { // finished ones were kept by a re-run of failed jobs
			r.rows[strings.ToLower(j.Key)] = j
		}
	}
	return r, nil
}

// row returns the job row for a leg: the dispatch's row for the first leg
// of a job, a new one for the others.
func (r *recorder) row(key string) (*dispatchd.Job, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := strings.ToLower(key)
	if j, ok := r.rows[k]; ok {
		delete(r.rows, k)
		return j, true
	}
	return &dispatchd.Job{Key: key}, false
}

// LegStarted implements engine.Observer.
func (r *recorder) LegStarted(l *engine.Leg) runner.Reporter {
	j, existing := r.row(l.Key)
	// A leg waits for a runner, queued; assigned marks it in progress. A
	// job that waited for its environment when the server stopped stays
	// waiting: its executor holds it again.
	j.Name, j.LegIndex, j.Steps = l.Name, l.Index, nil
	if j.Status != dispatchd.StatusWaiting {
		j.Status = dispatchd.StatusQueued
	}
	var err error
	if existing {
		err = r.store.UpdateJob(r.ctx, j)
	} else {
		err = r.store.AddJob(r.ctx, r.run, j)
	}
	rep := &jobReporter{r: r, job: j, err: err, flushed: time.Now(), stop: make(chan struct{})}
	go rep.flushEverySecond()
	r.mu.Lock()
	r.legs[l] = rep
	r.mu.Unlock()
	return rep
}

// reporterOf returns the reporter of a started leg.
func (r *recorder) reporterOf(l *engine.Leg) *jobReporter {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.legs[l]
}

// LegFinished implements engine.Observer.
func (r *recorder) LegFinished(l *engine.Leg, res *engine.LegResult) {
	r.mu.Lock()
	rep := r.legs[l]
	delete(r.legs, l)
	r.mu.Unlock()
	if rep != nil {
		rep.finish(res.Result, res.Outputs)
	}
}

// JobSkipped implements engine.Observer.
func (r *recorder) JobSkipped(key, name string) {
	j, existing := r.row(key)
	if !existing || r.stop.Err() != nil {
		// When the server stops, jobs are skipped because the run seems
		// cancelled; it is not: the restart runs them (after a job that
		// waited for its environment, say).
		return
	}
	now := time.Now().UTC()
	j.Name, j.Status, j.Conclusion, j.StartedAt, j.CompletedAt = name, dispatchd.StatusCompleted, dispatchd.ConclusionSkipped, now, now
	r.store.UpdateJob(r.ctx, j)
}

// jobReporter records one leg: steps as they start and end, log lines in
// batches of up to a second, and the job's end. The runner reports from one
// goroutine; the flusher is a second, hence the lock.
type jobReporter struct {
	r    *recorder
	stop chan struct{}

	mu      sync.Mutex
	job     *dispatchd.Job
	err     error
	pending []dispatchd.LogLine
	flushed time.Time
	// suspended: the server stops while the job waits for its
	// environment; its end is not recorded, the restart resumes the wait.
	suspended bool
}

// flushEverySecond stores pending lines while a step runs quietly.
func (j *jobReporter) flushEverySecond() {
	t := time.NewTicker(logFlushEvery)
	defer t.Stop()
	for {
		select {
		case <-j.stop:
			return
		case <-t.C:
			j.mu.Lock()
			j.flush()
			j.mu.Unlock()
		}
	}
}

// logFlushEvery bounds how stale a stored log may be while a step runs.
const logFlushEvery = time.Second

func (j *jobReporter) StepStarted(n int, name string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.flush()
	j.job.Steps = append(j.job.Steps, dispatchd.JobStep{Number: n + 1, Name: name, Status: dispatchd.StatusInProgress,
		StartedAt: time.Now().UTC()})
	j.save()
}

func (j *jobReporter) Log(n int, at time.Time, line string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.pending = append(j.pending, dispatchd.LogLine{Step: n, At: at, Text: line})
	if len(j.pending) >= 500 || time.Since(j.flushed) >= logFlushEvery {
		j.flush()
	}
}

func (j *jobReporter) StepFinished(n int, outcome, conclusion string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.flush()
	for i := range j.job.Steps {
		if s := &j.job.Steps[i]; s.Number == n+1 {
			s.Status, s.Conclusion, s.CompletedAt = dispatchd.StatusCompleted, conclusion, time.Now().UTC()
		}
	}
	j.save()
}

func (j *jobReporter) Annotation(runner.Annotation) {}

// assigned records the runner that took the leg.
func (j *jobReporter) assigned(r *dispatchd.Runner) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.job.Status, j.job.StartedAt, j.job.RunnerID, j.job.RunnerName = dispatchd.StatusInProgress, time.Now().UTC(), r.ID, r.Name
	j.save()
}

// finish records the leg's end; the engine calls LegFinished after the
// runner's last report, which reaches the reporter through the recorder.
func (j *jobReporter) finish(result string, outputs map[string]string) {
	close(j.stop)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.flush()
	if j.suspended {
		return
	}
	j.job.Status, j.job.Conclusion, j.job.CompletedAt = dispatchd.StatusCompleted, result, time.Now().UTC()
	j.job.Outputs = outputs
	j.save()
}

func (j *jobReporter) flush() {
	if len(j.pending) == 0 || j.err != nil {
		return
	}
	j.err = j.r.store.AppendLog(j.r.ctx, j.job.ID, j.pending)
	j.pending, j.flushed = nil, time.Now()
}

func (j *jobReporter) save() {
	if j.err == nil {
		j.err = j.r.store.UpdateJob(j.r.ctx, j.job)
	}
}
