package dispatchd

import (
	"context"
	"crypto/rand"
	"strings"
	"time"
)

// Runner scopes: which repositories' jobs a runner takes.
const (
	RunnerScopeRepo   = "repo"   // one repository's
	RunnerScopeOrg    = "org"    // every repository of one organization
	RunnerScopeServer = "server" // every repository: the embedded runners
)

// DefaultRunnerLabels are the labels every runner has.
var DefaultRunnerLabels = []string{"self-hosted", "linux", "x64"}

// Runner is a registered self-hosted runner. Only the SHA-256 of its token
// is stored.
type Runner struct {
	ID        int64
	Name      string
	Labels    []string // default labels first, then custom ones
	Scope     string
	OwnerID   int64 // the repository or organization; 0 for server scope
	TokenHash string
	CreatedAt time.Time
}

// Serves reports whether the runner may take jobs of a repository.
func (r *Runner) Serves(repo *Repo) bool {
	switch r.Scope {
	case RunnerScopeServer:
		return true
	case RunnerScopeRepo:
		return r.OwnerID == repo.ID
	case RunnerScopeOrg:
		return repo.Owner != nil && repo.Owner.IsOrg() && r.OwnerID == repo.Owner.ID
	}
	return false
}

// HasLabels reports whether the runner has every one of labels, compared
// without regard to case as GitHub does.
func (r *Runner) HasLabels(labels []string) bool {
	for _, want := range labels {
		found := false
		for _, have := range r.Labels {
			if strings.EqualFold(want, have) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// RegistrationTokenTTL is how long a runner registration token lives (an
// hour, as on GitHub).
const RegistrationTokenTTL = time.Hour

// NewRegistrationToken returns a registration token in GitHub's style: 29
// upper-case letters and digits.
func NewRegistrationToken() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, 29)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// PrefixRunner marks runner credentials.
const PrefixRunner = "dsr_"

// NewRunnerSecret returns a runner's credential.
func NewRunnerSecret() string { return PrefixRunner + rand.Text() }

// RunnerService stores runners and their registration tokens.
type RunnerService interface {
	// CreateRegistrationToken stores a registration token's hash.
	CreateRegistrationToken(ctx context.Context, scope string, ownerID int64, hash string, expires time.Time) error
	// RegisterRunner consumes a live registration token and stores r
	// (TokenHash set by the caller) with the token's scope and owner;
	// EUNAUTHORIZED when the token is unknown or expired.
	RegisterRunner(ctx context.Context, registrationHash string, r *Runner) error
	// FindRunnerByTokenHash returns a runner by its credential's hash.
	FindRunnerByTokenHash(ctx context.Context, hash string) (*Runner, error)
	// ListRunners lists the runners registered for a scope and owner.
	ListRunners(ctx context.Context, scope string, ownerID int64) ([]*Runner, error)
	DeleteRunner(ctx context.Context, id int64) error
}
