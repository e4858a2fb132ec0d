package runner

import (
	"strings"
	"sync"
	"time"
)

// Annotation levels, as the ##[level] tags of the log.
const (
	levelError   = "error"
	levelWarning = "warning"
	levelNotice  = "notice"
)

// maxIssues is how many annotations of each level one step keeps (the
// runner's _maxIssueCount); the log still gets every line.
const maxIssues = 10

// maxIssueMessage is the runner's limit on an annotation's message.
const maxIssueMessage = 4096

// logger is the only way the runner talks to the Reporter: it masks every
// line and annotation, serializes calls (a step's output goroutine and the
// job goroutine both log), and caps annotations per step.
type logger struct {
	mu      sync.Mutex
	rep     Reporter
	mask    *masker
	debugOn bool
	issues  map[issueKey]int
}

type issueKey struct {
	step  int
	level string
}

func newLogger(rep Reporter, m *masker, debug bool) *logger {
	if rep == nil {
		rep = nopReporter{}
	}
	return &logger{rep: rep, mask: m, debugOn: debug, issues: map[issueKey]int{}}
}

func (l *logger) started(n int, name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rep.StepStarted(n, name)
}

func (l *logger) finished(n int, outcome, conclusion string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rep.StepFinished(n, outcome, conclusion)
}

// output writes text to step n's log, one Log call per line: the runner
// writes a multi-line message as one string, which its log file shows as
// several lines.
func (l *logger) output(n int, text string) {
	masked := l.mask.mask(text)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	for _, line := range strings.Split(masked, "\n") {
		l.rep.Log(n, now, strings.TrimSuffix(line, "\r"))
	}
}

// issue writes `##[level]message` and reports the annotation.
func (l *logger) issue(n int, a Annotation) {
	a.Message = l.mask.mask(a.Message)
	a.Title = l.mask.mask(a.Title)
	a.Step = n
	l.output(n, "##["+a.Level+"]"+a.Message)
	if r := []rune(a.Message); len(r) > maxIssueMessage {
		a.Message = string(r[:maxIssueMessage])
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	key := issueKey{n, a.Level}
	l.issues[key]++
	if l.issues[key] <= maxIssues {
		l.rep.Annotation(a)
	}
}

func (l *logger) errorf(n int, msg string) { l.issue(n, Annotation{Level: levelError, Message: msg}) }

func (l *logger) warning(n int, msg string) {
	l.issue(n, Annotation{Level: levelWarning, Message: msg})
}

// debug writes ##[debug] lines, only with step debug logging on.
func (l *logger) debug(n int, msg string) {
	if !l.debugOn {
		return
	}
	for _, line := range strings.Split(strings.ReplaceAll(msg, "\r\n", "\n"), "\n") {
		l.output(n, "##[debug]"+line)
	}
}

// nopReporter stands in for a nil Reporter.
type nopReporter struct{}

func (nopReporter) StepStarted(int, string)          {}
func (nopReporter) Log(int, time.Time, string)       {}
func (nopReporter) StepFinished(int, string, string) {}
func (nopReporter) Annotation(Annotation)            {}
