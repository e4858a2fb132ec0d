package broker

import (
	"time"

	"github.com/dispatchd/dispatchd/runner"
)

// reap fails the jobs of runners that went silent.
func (b *Broker) reap() {
	t := time.NewTicker(max(b.Timeout/8, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case now := <-t.C:
			for _, o := range b.lost(now) {
				o.fail()
			}
		}
	}
}

// lost takes the jobs whose runner is silent past the timeout.
func (b *Broker) lost(now time.Time) []*Offer {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []*Offer
	for _, o := range b.assigned {
		if now.Sub(o.seen) > b.Timeout {
			out = append(out, o)
		}
	}
	for _, o := range out {
		b.unassign(o)
	}
	return out
}

// fail ends a job whose runner was lost, as GitHub does: the error in the
// log of the step that was running, the step and the job failed.
func (o *Offer) fail() {
	o.apply.Lock()
	defer o.apply.Unlock()
	step := o.openStep
	if step < 0 {
		step = 0
		o.Reporter.StepStarted(0, "Set up job")
	}
	o.Reporter.Log(step, time.Now(), "##[error]"+LostMessage)
	o.Reporter.Annotation(runner.Annotation{Level: "error", Message: LostMessage, Step: step})
	o.Reporter.StepFinished(step, "failure", "failure")
	o.done <- runner.Result{Result: "failure"}
}
