// Package runnerproto is the wire protocol between dispatchd and its
// runners, remote (`dispatchd runner`) and embedded alike: registration with
// a registration token, a long poll that hands a runner the next job whose
// runs-on labels it has, batches of step events and log lines that double as
// heartbeats, and the job's result. Every call is JSON over HTTP, under the
// server's root URL, authenticated with the runner's own token after
// registration.
package runnerproto

import (
	"encoding/json"
	"time"

	"github.com/dispatchd/dispatchd/runner"
)

// Paths, below the server's root URL.
const (
	PathRegister = "/_dispatchd/runner/register" // POST RegisterRequest → RegisterResponse
	PathAcquire  = "/_dispatchd/runner/acquire"  // POST AcquireRequest → 200 Job, or 204 when the poll timed out
	// PathJobs + "{job_id}/events"   POST Events → EventsResponse
	// PathJobs + "{job_id}/complete" POST Completion → 204
	PathJobs = "/_dispatchd/runner/jobs/"
)

// PollTimeout is how long the server holds an acquire request without a
// job; the runner asks again at once.
const PollTimeout = 30 * time.Second

// FlushEvery is how often a runner sends the events of a running job at
// the latest, an empty batch included: the batches are its heartbeat.
const FlushEvery = time.Second

// RegisterRequest registers a runner with a registration token from
// POST /repos/{owner}/{repo}/actions/runners/registration-token (or the
// organization's).
type RegisterRequest struct {
	Token  string   `json:"token"`
	Name   string   `json:"name"`
	Labels []string `json:"labels"` // custom labels; self-hosted, the OS and the architecture are added
}

// RegisterResponse is the runner's identity and its credential.
type RegisterResponse struct {
	ID     int64    `json:"id"`
	Name   string   `json:"name"`
	Token  string   `json:"token"` // the runner's own token, Bearer on every later call
	Labels []string `json:"labels"`
}

// Credentials is what `dispatchd runner` keeps in its credentials file
// after registering.
type Credentials struct {
	URL    string   `json:"url"`
	ID     int64    `json:"id"`
	Name   string   `json:"name"`
	Token  string   `json:"token"`
	Labels []string `json:"labels"`
}

// AcquireRequest asks for a job.
type AcquireRequest struct {
	Busy int `json:"busy"` // jobs the runner is executing now
}

// Job is everything a runner needs to execute one job (one matrix leg).
type Job struct {
	ID             int64  `json:"id"` // the job's id in the jobs API
	RunID          int64  `json:"run_id"`
	Name           string `json:"name"`       // display name, evaluated
	Repository     string `json:"repository"` // owner/name
	WorkflowPath   string `json:"workflow_path"`
	WorkflowSource string `json:"workflow_source"` // the file as of the run's commit
	JobKey         string `json:"job_key"`         // the job's id in the workflow
	// Contexts by lower-case name (github, inputs, vars, strategy, matrix,
	// needs), each as JSON; see runner.Job.
	Contexts map[string]json.RawMessage `json:"contexts"`
	Secrets  map[string]string          `json:"secrets"`
	Event    json.RawMessage            `json:"event"`
	Debug    bool                       `json:"debug"`
	Checkout Checkout                   `json:"checkout"`
}

// Checkout is where the built-in actions/checkout fetches from: the
// server's git over smart HTTP, with a token valid while the job runs.
type Checkout struct {
	GitURL string `json:"git_url"` // http://host/owner/repo.git
	Token  string `json:"token"`
	SHA    string `json:"sha"`
}

// Event kinds, one per runner.Reporter call.
const (
	EventStepStarted  = "step_started"
	EventLog          = "log"
	EventStepFinished = "step_finished"
	EventAnnotation   = "annotation"
)

// Event is one Reporter call of the runner.
type Event struct {
	Kind       string             `json:"kind"`
	Step       int                `json:"step"`
	Name       string             `json:"name,omitempty"` // step_started
	At         time.Time          `json:"at,omitempty"`   // log
	Text       string             `json:"text,omitempty"` // log
	Outcome    string             `json:"outcome,omitempty"`
	Conclusion string             `json:"conclusion,omitempty"`
	Annotation *runner.Annotation `json:"annotation,omitempty"`
}

// Events is a batch, in order. Seq counts batches from 1 so that the server
// drops a batch it already applied when a runner retries after a lost
// response.
type Events struct {
	Seq    int64   `json:"seq"`
	Events []Event `json:"events"`
}

// EventsResponse tells the runner whether the job was cancelled.
type EventsResponse struct {
	Cancel bool `json:"cancel"`
}

// Completion is the job's result, sent after its last batch of events.
type Completion struct {
	Result runner.Result `json:"result"`
}

// Error is the body of every error answer.
type Error struct {
	Message string `json:"message"`
}
