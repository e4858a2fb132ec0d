package dispatchd

import (
	"context"
	"time"
)

// Workflow is a workflow file of a repository, with a stable id per path.
type Workflow struct {
	ID        int64
	RepoID    int64
	Path      string // .github/workflows/ci.yml
	Name      string // name: from the default branch version, the path otherwise
	Disabled  bool   // disabled_manually
	Present   bool   // exists at the head of the default branch
	CreatedAt time.Time
	UpdatedAt time.Time
}

// State is the GitHub `state` of the workflow.
func (w *Workflow) State() string {
	switch {
	case w.Disabled:
		return "disabled_manually"
	case !w.Present:
		return "deleted"
	}
	return "active"
}

// WorkflowFile is one indexed version of a workflow file: what the workflow
// package found in it. Dispatch reads these instead of git.
type WorkflowFile struct {
	RepoID     int64
	CommitSHA  string
	Path       string
	BlobSHA    string
	WorkflowID int64
	Summary    WorkflowSummary
	Source     []byte
}

// WorkflowSummary is what parsing and linting one workflow file yields: enough
// to answer "does this workflow listen to event E" without re-reading it.
type WorkflowSummary struct {
	Name     string    `json:"name,omitempty"`
	Triggers Triggers  `json:"triggers"`
	Problems []Problem `json:"problems,omitempty"`
	// Valid is false when the file cannot run: a YAML or schema error.
	// Warnings (script injection, lint advice) keep it valid.
	Valid bool `json:"valid"`
}

// Triggers is the parsed `on:` section.
type Triggers struct {
	// Events lists every event named in `on:`, in file order.
	Events             []string                   `json:"events"`
	RepositoryDispatch *RepositoryDispatchTrigger `json:"repository_dispatch,omitempty"`
	WorkflowDispatch   *WorkflowDispatchTrigger   `json:"workflow_dispatch,omitempty"`
	Push               *PushTrigger               `json:"push,omitempty"`
}

// Has reports whether the workflow declares the event.
func (t *Triggers) Has(event string) bool {
	for _, e := range t.Events {
		if e == event {
			return true
		}
	}
	return false
}

// RepositoryDispatchTrigger is `on.repository_dispatch`. No Types means all.
type RepositoryDispatchTrigger struct {
	Types []string `json:"types,omitempty"`
}

// WorkflowDispatchTrigger is `on.workflow_dispatch`, inputs in file order.
type WorkflowDispatchTrigger struct {
	Inputs []WorkflowInput `json:"inputs,omitempty"`
}

// Input types of workflow_dispatch.
const (
	InputString      = "string"
	InputBoolean     = "boolean"
	InputChoice      = "choice"
	InputNumber      = "number"
	InputEnvironment = "environment"
)

// WorkflowInput is one `on.workflow_dispatch.inputs.<id>`.
type WorkflowInput struct {
	ID          string   `json:"id"`
	Type        string   `json:"type"` // one of the Input* constants; string when absent
	Description string   `json:"description,omitempty"`
	Required    bool     `json:"required,omitempty"`
	Default     *string  `json:"default,omitempty"` // as written; nil when absent
	Options     []string `json:"options,omitempty"`
}

// PushTrigger is `on.push` with its filters (nil slices mean "not given").
type PushTrigger struct {
	Branches       []string `json:"branches,omitempty"`
	BranchesIgnore []string `json:"branches-ignore,omitempty"`
	Tags           []string `json:"tags,omitempty"`
	TagsIgnore     []string `json:"tags-ignore,omitempty"`
	Paths          []string `json:"paths,omitempty"`
	PathsIgnore    []string `json:"paths-ignore,omitempty"`
}

// Problem is an error or warning found in a workflow file, with its position.
type Problem struct {
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Message  string `json:"message"`
	Kind     string `json:"kind"`     // actionlint rule name, "syntax", "injection", …
	Severity string `json:"severity"` // "error" or "warning"
}

// RefUpdate is one ref changed by a push: NewSHA "" means deleted, OldSHA ""
// means created.
type RefUpdate struct {
	Name   string // refs/heads/main, refs/tags/v1
	OldSHA string
	NewSHA string
}

// IndexedCommit is a commit whose workflow files were read, possibly none.
type IndexedCommit struct {
	SHA    string
	Commit Commit
	Files  []*WorkflowFile
}

// Commit is what a run shows of its head commit (GitHub's simple-commit).
type Commit struct {
	SHA            string
	TreeSHA        string
	Message        string
	AuthorName     string
	AuthorEmail    string
	CommitterName  string
	CommitterEmail string
	Timestamp      time.Time
}

// PushIndex is what one push changes in the store, written in one transaction.
type PushIndex struct {
	RepoID   int64
	Refs     []RefUpdate
	Commits  []IndexedCommit
	PushedAt time.Time
}

// WorkflowService stores the refs of repositories and the index of their
// workflow files, so that dispatch never reads git on its hot path.
type WorkflowService interface {
	// Refs returns the repository's refs (full name → commit SHA) as last indexed.
	Refs(ctx context.Context, repoID int64) (map[string]string, error)
	// FindRef returns the commit a ref points at; ENOTFOUND when there is no such ref.
	FindRef(ctx context.Context, repoID int64, name string) (string, error)
	// IndexedCommits reports which of the commits are already indexed.
	IndexedCommits(ctx context.Context, repoID int64, shas []string) (map[string]bool, error)
	// ApplyPush records new commits' workflow files, registers workflows by
	// path (setting each file's WorkflowID) and moves the refs.
	ApplyPush(ctx context.Context, p *PushIndex) error
	// FindCommit returns an indexed commit's metadata; ENOTFOUND when not indexed.
	FindCommit(ctx context.Context, repoID int64, sha string) (*Commit, error)
	// WorkflowFilesAt returns the workflow files of an indexed commit, ordered
	// by path; ENOTFOUND when the commit was never indexed.
	WorkflowFilesAt(ctx context.Context, repoID int64, commitSHA string) ([]*WorkflowFile, error)

	FindWorkflowByID(ctx context.Context, repoID, id int64) (*Workflow, error)
	// FindWorkflowByFile finds a workflow by its file name (ci.yml) or path.
	FindWorkflowByFile(ctx context.Context, repoID int64, file string) (*Workflow, error)
	// ListWorkflows returns one page of workflows ordered by id, and the total.
	ListWorkflows(ctx context.Context, repoID int64, offset, limit int) ([]*Workflow, int, error)
	SetWorkflowDisabled(ctx context.Context, repoID, id int64, disabled bool) error
	// DisabledWorkflows lists the ids of the repository's disabled workflows.
	DisabledWorkflows(ctx context.Context, repoID int64) ([]int64, error)
}
