package dispatchd

import (
	"context"
	"time"
)

// Run statuses and conclusions, GitHub's values.
const (
	StatusRequested  = "requested"
	StatusQueued     = "queued"
	StatusPending    = "pending"
	StatusWaiting    = "waiting"
	StatusInProgress = "in_progress"
	StatusCompleted  = "completed"

	ConclusionSuccess   = "success"
	ConclusionFailure   = "failure"
	ConclusionCancelled = "cancelled"
	ConclusionSkipped   = "skipped"
	ConclusionTimedOut  = "timed_out"
	ConclusionNeutral   = "neutral"
)

// Event is one recorded trigger: a dispatch or a push. Payload is GitHub's
// webhook payload for it, which runs see as github.event.
type Event struct {
	ID         int64
	RepoID     int64
	Name       string // repository_dispatch, workflow_dispatch, push
	Action     string // the event_type of a repository_dispatch
	Ref        string // refs/heads/main
	SHA        string
	WorkflowID int64 // the dispatched workflow of a workflow_dispatch
	ActorID    int64
	Payload    []byte
	// Parts are spans of Payload that many events repeat (the repository,
	// the sender); a store may keep one copy of each. Set by the creator.
	Parts []PayloadPart
	// Cause is the run whose job made the event, if one did.
	Cause     Cause
	CreatedAt time.Time
	RunIDs    []int64 // the runs it created, in creation order
}

// Cause kinds: how a run's job made an event.
const (
	CauseGitHubToken = "github_token" // with the job's GITHUB_TOKEN
	CauseSecretToken = "secret_token" // with a token held among the job's secrets
)

// Cause links an event to the run that made it. Depth counts the events of
// the chain: 0 for an event a person made.
type Cause struct {
	RunID, RepoID int64 // the run and its repository
	Kind          string
	Depth         int
}

// PayloadPart is a span of an event's payload and the hash of its bytes.
type PayloadPart struct {
	Offset, Len int
	Hash        string
}

// Run is one run of a workflow; attempts share it.
type Run struct {
	ID                int64
	RepoID            int64
	WorkflowID        int64
	EventID           int64
	Name              string // the workflow's name: or its path
	DisplayTitle      string
	Path              string // .github/workflows/ci.yml
	RunNumber         int64  // counts per workflow
	RunAttempt        int
	Event             string
	Status            string
	Conclusion        string // "" while not completed
	HeadBranch        string
	HeadSHA           string
	ActorID           int64
	TriggeringActorID int64
	ConcurrencyGroup  string
	CancelInProgress  bool
	CreatedAt         time.Time
	UpdatedAt         time.Time
	RunStartedAt      time.Time
}

// Job is one job of a run attempt.
type Job struct {
	ID          int64
	RunID       int64
	RepoID      int64
	RunAttempt  int
	Key         string   // the id under jobs:
	Name        string   // its display name
	Needs       []string // keys of the jobs it waits for
	Labels      []string // runs-on
	Status      string
	Conclusion  string
	CreatedAt   time.Time
	StartedAt   time.Time
	CompletedAt time.Time
	RunnerID    int64
	RunnerName  string
	LegIndex    int               // strategy.job-index of a matrix leg
	Steps       []JobStep         // as they ran
	Outputs     map[string]string // the job outputs the leg set, for re-runs of failed jobs
}

// JobStep is one step of a job as the runs API shows it.
type JobStep struct {
	Number      int       `json:"number"`
	Name        string    `json:"name"`
	Status      string    `json:"status"`
	Conclusion  string    `json:"conclusion"`
	StartedAt   time.Time `json:"started_at"`
	CompletedAt time.Time `json:"completed_at"`
}

// LogLine is one line of a job's log.
type LogLine struct {
	Seq  int64 // 1, 2, … in the job's log; set by the store
	Step int
	At   time.Time
	Text string
}

// NewRun is a run to create with its jobs.
type NewRun struct {
	Run  *Run
	Jobs []*Job
	// Finish, when set, completes the fields that depend on the run's id
	// and number (run-name, concurrency group using github.run_id or
	// run_number): the store calls it inside the creating transaction
	// once both are set, before the run is written.
	Finish func(r *Run)
}

// Idempotency records the answer to a request with an Idempotency-Key, so
// that a retry gets the same answer instead of a second event.
type Idempotency struct {
	RepoID      int64
	ActorID     int64
	Key         string
	RequestHash string
	Status      int
	Body        []byte
	EventID     int64
	CreatedAt   time.Time
}

// IdempotencyWindow is how long a key's answer holds: a retry within it
// gets the answer again, and a store may forget the key after it.
const IdempotencyWindow = 24 * time.Hour

// RunFilter selects runs of a repository (and of a workflow) for a listing.
type RunFilter struct {
	RepoID     int64
	WorkflowID int64
	EventID    int64
	Event      string
	Status     string // a status or a conclusion, as GitHub's `status` parameter
	Branch     string
	ActorLogin string
	HeadSHA    string
	CreatedMin time.Time // inclusive; zero means unbounded
	CreatedMax time.Time // inclusive
	Offset     int
	Limit      int
	// Max, when set, is how many of the matching runs can be listed at
	// all: pages past it are empty (GitHub's cap on filtered listings).
	// The total still counts every match.
	Max int
}

// RunService stores events, runs and jobs.
type RunService interface {
	// CreateEvent stores the event, its runs and their jobs, and the
	// idempotency record if any, in one transaction: when it returns nil,
	// all of it is durable. It sets the ids, run numbers and times; the
	// event's RunIDs list the runs. With an idempotency record whose key is
	// already used it returns ECONFLICT and stores nothing.
	CreateEvent(ctx context.Context, e *Event, runs []NewRun, idem *Idempotency) error
	FindEvent(ctx context.Context, repoID, id int64) (*Event, error)
	// ListEvents returns one page of a repository's events, newest first, and the total.
	ListEvents(ctx context.Context, repoID int64, offset, limit int) ([]*Event, int, error)
	// FindIdempotency returns the record of a key newer than since; ENOTFOUND otherwise.
	FindIdempotency(ctx context.Context, repoID, actorID int64, key string, since time.Time) (*Idempotency, error)

	FindRun(ctx context.Context, repoID, id int64) (*Run, error)
	// ListRuns returns one page of runs, newest first, and the total.
	ListRuns(ctx context.Context, f RunFilter) ([]*Run, int, error)
	DeleteRun(ctx context.Context, repoID, id int64) error
	// ListJobs returns the jobs of one attempt, or of every attempt with attempt 0.
	ListJobs(ctx context.Context, runID int64, attempt int) ([]*Job, error)
	FindJob(ctx context.Context, repoID, id int64) (*Job, error)

	// CancelRun completes a run that has not completed as cancelled, with
	// its jobs that have not started (running jobs end when their runner has
	// cancelled them); ECONFLICT when it has completed.
	CancelRun(ctx context.Context, repoID, id int64) (*Run, error)
	// RerunRun starts the next attempt of a completed run: every job again,
	// or with failedOnly the failed and cancelled jobs and those that need
	// them, the others keeping their results. ECONFLICT while it runs.
	RerunRun(ctx context.Context, repoID, id int64, failedOnly bool) (*Run, error)

	// ClaimQueuedRuns moves up to n queued runs, oldest first, to
	// in_progress and returns them; each run is claimed once. It applies
	// GitHub's concurrency rule to groups (per repository, case-insensitive)
	// first: a queued run with a newer queued run in its group is cancelled;
	// a newer queued run with cancel-in-progress cancels the group's running
	// run, whose id is returned in cancel so that its executor stops it; a
	// run whose group has a run in progress waits.
	ClaimQueuedRuns(ctx context.Context, n int) (claimed []*Run, cancel []int64, err error)
	// ResetInProgressRuns puts runs left in_progress or waiting (by a
	// server that stopped) back to queued, and returns how many. Their jobs
	// that were running fail with lost as the last line of their log: a
	// runner may have run part of them, and a job never runs twice. Queued
	// and waiting jobs stay.
	ResetInProgressRuns(ctx context.Context, lost string) (int, error)
	// EventsCausedBy lists the events a run's jobs made, oldest first,
	// whatever their repository; their payloads are left out.
	EventsCausedBy(ctx context.Context, runID int64) ([]*Event, error)
	// AddJob adds a job (a matrix leg beyond the first) to a run attempt.
	AddJob(ctx context.Context, run *Run, j *Job) error
	// UpdateJob stores a job's name, status, conclusion, times, runner and steps.
	UpdateJob(ctx context.Context, j *Job) error
	// CompleteRun ends a run with its conclusion unless it has completed
	// already (cancelled meanwhile); it reports whether it did.
	CompleteRun(ctx context.Context, runID int64, conclusion string) (bool, error)
	// AppendLog adds lines to a job's log.
	AppendLog(ctx context.Context, jobID int64, lines []LogLine) error
	// JobLog returns a job's log lines after the line numbered afterSeq
	// (0 for all), in order.
	JobLog(ctx context.Context, jobID, afterSeq int64) ([]LogLine, error)
}

// Conclude is the conclusion of a set of finished jobs: failure if one
// failed, cancelled if one was cancelled, success otherwise (skipped jobs
// do not fail a run).
func Conclude(jobs []*Job) string {
	out := ConclusionSuccess
	for _, j := range jobs {
		switch j.Conclusion {
		case ConclusionFailure, ConclusionTimedOut:
			return ConclusionFailure
		case ConclusionCancelled:
			out = ConclusionCancelled
		}
	}
	return out
}
