package dispatchd

import (
	"context"
	"strings"
	"time"
)

// Repo is a hosted git repository.
type Repo struct {
	ID            int64
	OwnerID       int64
	Owner         *User // always loaded by the store
	Name          string
	Description   string
	Private       bool
	DefaultBranch string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	PushedAt      time.Time // zero until the first push
}

// FullName is "owner/name".
func (r *Repo) FullName() string { return r.Owner.Login + "/" + r.Name }

// Visibility is GitHub's `visibility` value.
func (r *Repo) Visibility() string {
	if r.Private {
		return "private"
	}
	return "public"
}

// ValidateRepoName applies GitHub's rule: letters, digits, '-', '_' and '.',
// at most 100 characters, not "." or "..". A trailing ".git" is reserved for
// the git URL.
func ValidateRepoName(name string) error {
	if name == "" || len(name) > 100 || name == "." || name == ".." {
		return invalidRepoName(name)
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return invalidRepoName(name)
		}
	}
	if strings.HasSuffix(strings.ToLower(name), ".git") {
		return invalidRepoName(name)
	}
	return nil
}

func invalidRepoName(name string) error {
	return &Error{Code: EINVALID, Message: "Repository creation failed.", Errors: []FieldError{{
		Resource: "Repository", Field: "name", Code: "custom",
		Message: "name may only contain letters, digits, '-', '_' and '.', at most 100 characters, and cannot be '.', '..' or end in '.git'",
	}}}
}

// ValidateBranchName checks a branch name the way `git check-ref-format --branch` would, for the common cases.
func ValidateBranchName(name string) error {
	bad := name == "" || len(name) > 255 || strings.HasPrefix(name, "-") || strings.HasPrefix(name, "/") ||
		strings.HasSuffix(name, "/") || strings.HasSuffix(name, ".") || strings.HasSuffix(name, ".lock") ||
		strings.Contains(name, "..") || strings.Contains(name, "//") || strings.Contains(name, "@{") || name == "@"
	for _, c := range name {
		if c < 0x20 || c == 0x7f || strings.ContainsRune(" ~^:?*[\\", c) {
			bad = true
		}
	}
	if bad {
		return Errorf(EINVALID, "Branch name %q is not a valid git branch name.", name)
	}
	return nil
}

// RepoUpdate holds the fields a PATCH may change; nil means unchanged.
type RepoUpdate struct {
	Name          *string
	Description   *string
	Private       *bool
	DefaultBranch *string
}

// RepoFilter selects repositories for a listing.
type RepoFilter struct {
	OwnerID int64 // only repositories of this owner, when non-zero
	// Affiliated limits the list to repositories this user owns, collaborates
	// on, or reaches through an organization, when non-zero.
	Affiliated int64
	// VisibleTo limits the list to what this user may read, when non-zero; with
	// zero only public repositories are listed unless All is set.
	VisibleTo int64
	All       bool
	Offset    int
	Limit     int
}

// RepoService stores repositories, their collaborators and their refs.
type RepoService interface {
	// CreateRepo stores r (Owner must be set) and sets its ID and times;
	// EINVALID with GitHub's already_exists error when the name is taken.
	CreateRepo(ctx context.Context, r *Repo) error
	FindRepoByID(ctx context.Context, id int64) (*Repo, error)
	// FindRepo looks owner and name up case-insensitively; ENOTFOUND when absent.
	FindRepo(ctx context.Context, owner, name string) (*Repo, error)
	UpdateRepo(ctx context.Context, id int64, upd RepoUpdate) (*Repo, error)
	DeleteRepo(ctx context.Context, id int64) error
	// ListRepos returns one page of repositories ordered by id, and the total.
	ListRepos(ctx context.Context, f RepoFilter) ([]*Repo, int, error)

	SetCollaborator(ctx context.Context, repoID, userID int64, role Role) error
	RemoveCollaborator(ctx context.Context, repoID, userID int64) error
	// CollaboratorRole returns the user's collaborator role, RoleNone when not one.
	CollaboratorRole(ctx context.Context, repoID, userID int64) (Role, error)
}
