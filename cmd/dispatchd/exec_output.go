package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/dispatchd/dispatchd/engine"
	"github.com/dispatchd/dispatchd/runner"
)

// execPrinter prints the live log of every leg, each line prefixed with the
// job's display name, and a line when each job ends.
type execPrinter struct {
	mu  sync.Mutex
	out io.Writer
}

func newExecPrinter(w io.Writer) *execPrinter { return &execPrinter{out: w} }

func (p *execPrinter) line(name, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, "%s | %s\n", name, text)
}

// LegStarted implements engine.Observer.
func (p *execPrinter) LegStarted(l *engine.Leg) runner.Reporter {
	return &legPrinter{p: p, name: l.Name}
}

// LegFinished implements engine.Observer.
func (p *execPrinter) LegFinished(l *engine.Leg, r *engine.LegResult) {
	p.line(l.Name, "Job "+r.Result)
}

// JobSkipped implements engine.Observer.
func (p *execPrinter) JobSkipped(key, name string) { p.line(name, "Job skipped") }

// legPrinter is one leg's runner.Reporter.
type legPrinter struct {
	p    *execPrinter
	name string
}

func (l *legPrinter) StepStarted(n int, name string)                 {}
func (l *legPrinter) Log(n int, at time.Time, line string)           { l.p.line(l.name, line) }
func (l *legPrinter) StepFinished(n int, outcome, conclusion string) {}
func (l *legPrinter) Annotation(a runner.Annotation)                 {}
