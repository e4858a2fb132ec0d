package dispatchd

import (
	"context"
	"regexp"
	"time"
)

// Account types, as GitHub names them in `type`.
const (
	UserTypeUser = "User"
	UserTypeOrg  = "Organization"
)

// Organization member roles.
const (
	OrgRoleAdmin  = "admin"
	OrgRoleMember = "member"
)

// User is an account: a person or an organization. Both own repositories.
type User struct {
	ID        int64
	Login     string
	Type      string // UserTypeUser or UserTypeOrg
	SiteAdmin bool
	Name      string
	Email     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// IsOrg reports whether the account is an organization.
func (u *User) IsOrg() bool { return u.Type == UserTypeOrg }

// loginPattern is GitHub's rule for user and organization names: alphanumerics
// and single hyphens, not at either end, at most 39 characters.
var loginPattern = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38}$`)

// ValidateLogin checks an account name.
func ValidateLogin(login string) error {
	if !loginPattern.MatchString(login) {
		return Errorf(EINVALID, "Login %q is invalid: use letters, digits and single hyphens, at most 39 characters, not starting or ending with a hyphen.", login)
	}
	return nil
}

// UserService stores accounts and organization memberships.
type UserService interface {
	// CreateUser stores u and sets its ID and times; ECONFLICT when the login is taken.
	CreateUser(ctx context.Context, u *User) error
	FindUserByID(ctx context.Context, id int64) (*User, error)
	// FindUserByLogin looks the login up case-insensitively; ENOTFOUND when absent.
	FindUserByLogin(ctx context.Context, login string) (*User, error)
	ListUsers(ctx context.Context) ([]*User, error)
	CountUsers(ctx context.Context) (int, error)

	// SetOrgMember adds a member to an organization or changes its role.
	SetOrgMember(ctx context.Context, orgID, userID int64, role string) error
	RemoveOrgMember(ctx context.Context, orgID, userID int64) error
	// OrgRole returns the member's role, or "" when the user is not a member.
	OrgRole(ctx context.Context, orgID, userID int64) (string, error)
	ListOrgMembers(ctx context.Context, orgID int64) ([]*User, error)
}
