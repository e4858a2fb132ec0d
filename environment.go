package dispatchd

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of an environment's settings, GitHub's.
const (
	MaxEnvironmentName = 255   // characters
	MaxWaitTimer       = 43200 // minutes: 30 days
	MaxReviewers       = 6
)

// Environment is a deployment environment of a repository. A job that
// names it (`environment:`) waits until its protection rules pass: the
// wait timer has elapsed and, when it has reviewers, one of them approved.
type Environment struct {
	ID     int64
	RepoID int64
	Name   string // as first written; unique per repository, case-insensitively
	// WaitTimer is how long a job waits, in minutes, before it may run.
	WaitTimer int
	// Reviewers are the ids of the users who may approve a job, in the
	// order they were given; none means no review is required.
	Reviewers []int64
	// PreventSelfReview keeps whoever triggered a run from approving its jobs.
	PreventSelfReview bool
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Protected reports whether the environment holds the jobs that name it.
func (e *Environment) Protected() bool { return e.WaitTimer > 0 || len(e.Reviewers) > 0 }

// ValidateEnvironmentName applies GitHub's limits: 1 to 255 characters,
// no control characters.
func ValidateEnvironmentName(name string) error {
	bad := strings.TrimSpace(name) == "" || utf8.RuneCountInString(name) > MaxEnvironmentName || !utf8.ValidString(name)
	for _, c := range name {
		bad = bad || c < 0x20 || c == 0x7f
	}
	if bad {
		return environmentInvalid("name", "Name must be 1 to %d characters without control characters.", MaxEnvironmentName)
	}
	return nil
}

// Normalize validates the settings and drops repeated reviewers; the store
// calls it.
func (e *Environment) Normalize() error {
	if err := ValidateEnvironmentName(e.Name); err != nil {
		return err
	}
	if e.WaitTimer < 0 || e.WaitTimer > MaxWaitTimer {
		return environmentInvalid("wait_timer", "wait_timer must be an integer from 0 to %d.", MaxWaitTimer)
	}
	var reviewers []int64
	for _, id := range e.Reviewers {
		if !slices.Contains(reviewers, id) {
			reviewers = append(reviewers, id)
		}
	}
	if len(reviewers) > MaxReviewers {
		return environmentInvalid("reviewers", "An environment can have at most %d reviewers.", MaxReviewers)
	}
	e.Reviewers = reviewers
	return nil
}

func environmentInvalid(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Message: "Validation Failed",
		Errors: []FieldError{{Resource: "Environment", Field: field, Code: "invalid", Message: fmt.Sprintf(format, args...)}}}
}

// Pending deployment states.
const (
	DeploymentWaiting  = "waiting"  // no review yet
	DeploymentApproved = "approved" // a reviewer approved
	DeploymentRejected = "rejected" // a reviewer rejected: the job fails
)

// PendingDeployment is a job held by its environment's protection rules,
// kept in the store so that the wait survives a restart of the server.
type PendingDeployment struct {
	ID            int64
	RepoID        int64
	RunID         int64
	JobID         int64
	EnvironmentID int64
	// Environment is loaded with it: its rules are read as they are now,
	// so that an administrator's change applies to the jobs that wait.
	Environment *Environment
	State       string
	StartedAt   time.Time // when the job began to wait: the wait timer's start
	ReviewerID  int64     // who approved or rejected
	Comment     string
	ReviewedAt  time.Time
}

// TimerEnds is when the wait timer lets the job go.
func (d *PendingDeployment) TimerEnds() time.Time {
	return d.StartedAt.Add(time.Duration(d.Environment.WaitTimer) * time.Minute)
}

// Ready reports whether the job may run at now: its wait timer has
// elapsed and, if the environment has reviewers, one of them approved.
func (d *PendingDeployment) Ready(now time.Time) bool {
	if d.State == DeploymentRejected || now.Before(d.TimerEnds()) {
		return false
	}
	return len(d.Environment.Reviewers) == 0 || d.State == DeploymentApproved
}

// CanReview decides whether a user may approve or reject a deployment of
// run to env: a listed reviewer, unless the environment prevents self
// review and the user started the run (its actor or the actor of this
// attempt).
func CanReview(env *Environment, run *Run, userID int64) error {
	if !slices.Contains(env.Reviewers, userID) {
		return Errorf(EINVALID, "You are not a required reviewer of the environment %s.", env.Name)
	}
	if env.PreventSelfReview && (userID == run.ActorID || userID == run.TriggeringActorID) {
		return Errorf(EINVALID, "The environment %s prevents self-review: whoever triggered the run cannot approve it.", env.Name)
	}
	return nil
}

// EnvironmentService stores environments and the deployments that wait
// for them.
type EnvironmentService interface {
	// PutEnvironment creates the environment e.Name of e.RepoID, or replaces
	// the settings of the one named so (case-insensitively), after
	// Normalize; it sets ID, Name (as stored) and times, and reports whether
	// it was created.
	PutEnvironment(ctx context.Context, e *Environment) (created bool, err error)
	// FindEnvironment looks a name up case-insensitively; ENOTFOUND when absent.
	FindEnvironment(ctx context.Context, repoID int64, name string) (*Environment, error)
	FindEnvironmentByID(ctx context.Context, repoID, id int64) (*Environment, error)
	// ListEnvironments returns a repository's environments by name.
	ListEnvironments(ctx context.Context, repoID int64) ([]*Environment, error)
	// DeleteEnvironment deletes it and its deployments' waits.
	DeleteEnvironment(ctx context.Context, repoID int64, name string) error
	// EnsureEnvironment returns the environment a job names, creating it
	// without protection rules when there is none, as GitHub does.
	EnsureEnvironment(ctx context.Context, repoID int64, name string) (*Environment, error)

	// HoldJob makes j wait for env: in one transaction it records the
	// pending deployment (or keeps the one j has from before a restart,
	// with its start and review) and sets j's status, and its run's, to
	// waiting, which writes the workflow_job waiting notice.
	HoldJob(ctx context.Context, j *Job, env *Environment) (*PendingDeployment, error)
	// FindPendingDeployment returns the deployment of a job; ENOTFOUND when
	// it has none (or its environment was deleted).
	FindPendingDeployment(ctx context.Context, jobID int64) (*PendingDeployment, error)
	// ListPendingDeployments returns the deployments of a run whose jobs
	// wait, oldest first.
	ListPendingDeployments(ctx context.Context, runID int64) ([]*PendingDeployment, error)
	// ReviewDeployments approves or rejects the unreviewed deployments of
	// a run's waiting jobs in the given environments, and returns them;
	// EINVALID when an environment has none.
	ReviewDeployments(ctx context.Context, runID int64, envIDs []int64, state string, reviewerID int64, comment string) ([]*PendingDeployment, error)
}
