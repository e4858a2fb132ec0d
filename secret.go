package dispatchd

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Secret and variable scopes.
const (
	ScopeRepo = "repo"
	ScopeOrg  = "org"
)

// Secret is a named secret of a repository or an organization. The store
// keeps only Sealed: the value encrypted under the server key.
type Secret struct {
	Scope     string
	OwnerID   int64 // the repository's or the organization's id
	Name      string
	Sealed    []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Variable is a configuration variable, the vars context.
type Variable struct {
	Scope     string
	OwnerID   int64
	Name      string
	Value     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

var secretName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ValidateSecretName applies GitHub's rules to secret and variable names:
// letters, digits and underscores, not starting with a digit or GITHUB_.
func ValidateSecretName(name string) error {
	if !secretName.MatchString(name) || len(name) > 255 || strings.HasPrefix(strings.ToUpper(name), "GITHUB_") {
		return Errorf(EINVALID, "Name %q is invalid: use letters, digits and underscores, not starting with a digit or GITHUB_.", name)
	}
	return nil
}

// SecretService stores secrets and variables. Names are case-insensitive
// and stored upper-case, as GitHub does.
type SecretService interface {
	// PutSecret creates or replaces a secret and reports whether it was new.
	PutSecret(ctx context.Context, s *Secret) (created bool, err error)
	FindSecret(ctx context.Context, scope string, ownerID int64, name string) (*Secret, error)
	ListSecrets(ctx context.Context, scope string, ownerID int64) ([]*Secret, error)
	DeleteSecret(ctx context.Context, scope string, ownerID int64, name string) error

	// PutVariable creates or replaces a variable and reports whether it was new.
	PutVariable(ctx context.Context, v *Variable) (created bool, err error)
	FindVariable(ctx context.Context, scope string, ownerID int64, name string) (*Variable, error)
	ListVariables(ctx context.Context, scope string, ownerID int64) ([]*Variable, error)
	DeleteVariable(ctx context.Context, scope string, ownerID int64, name string) error
}

// SecretAAD is what a stored secret's encryption is bound to: its owner
// and upper-case name, so that a value cannot be moved to another secret.
func SecretAAD(scope string, ownerID int64, name string) string {
	return scope + ":" + strconv.FormatInt(ownerID, 10) + ":" + strings.ToUpper(name)
}
