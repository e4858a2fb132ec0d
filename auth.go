package dispatchd

import "context"

// Actor is who makes a request: a user through one of their tokens, or
// nobody (User nil) for anonymous requests.
type Actor struct {
	User  *User
	Token *Token
}

// Anonymous reports whether the request carried no credentials.
func (a *Actor) Anonymous() bool { return a == nil || a.User == nil }

// publicRead is what anyone, with or without a token, may do on a public repository.
var publicRead = RoleRead.Permissions()

// tokenGrant is the most the actor's token allows on repo, before the user's role.
func (a *Actor) tokenGrant(repo *Repo) Permissions {
	t := a.Token
	all := RoleAdmin.Permissions()
	switch {
	case t == nil:
		return all // an actor built in-process (admin commands) is limited by role alone
	case t.Kind == TokenClassic:
		if t.HasScope("repo") || (t.HasScope("public_repo") && !repo.Private) {
			return all
		}
		grant := Permissions{}
		if !repo.Private {
			grant = publicRead.Intersect(all)
		}
		if t.HasScope("admin:repo_hook") {
			grant[AreaMetadata] = Read
			grant[AreaWebhooks] = Write
		}
		return grant
	case t.Kind == TokenFineGrained || t.Kind == TokenJob:
		for _, g := range t.Repos {
			if g.RepoID == repo.ID {
				return g.Permissions
			}
		}
		if !repo.Private {
			return publicRead.Intersect(all)
		}
	}
	return Permissions{}
}

// EffectivePermissions is the intersection of the token's grant and the
// user's role on repo (role as RoleOf computes it). Anyone may read a public repository.
func EffectivePermissions(a *Actor, repo *Repo, role Role) Permissions {
	if !repo.Private {
		role = role.Max(RoleRead)
	}
	if a.Anonymous() {
		return role.Permissions().Intersect(publicRead)
	}
	return role.Permissions().Intersect(a.tokenGrant(repo))
}

// Authorize decides whether the actor may act on an area of repo at a level.
// What the caller may not see answers ENOTFOUND, exactly like a missing
// repository; a request without credentials that needs them answers
// EUNAUTHORIZED; a role that allows it through a token that does not answers
// EFORBIDDEN with GitHub's message; a role that does not allow it answers
// ENOTFOUND as GitHub does for writes.
func Authorize(a *Actor, repo *Repo, role Role, area Area, level Level) error {
	perms := EffectivePermissions(a, repo, role)
	switch {
	case perms.Get(AreaMetadata) < Read:
		return ErrNotFound
	case perms.Get(area) >= level:
		return nil
	case a.Anonymous():
		return ErrRequiresAuth
	}
	if !repo.Private {
		role = role.Max(RoleRead)
	}
	if role.Permissions().Get(area) >= level {
		if a.Token != nil && a.Token.Kind == TokenJob {
			return ErrIntegrationForbidden // GITHUB_TOKEN is an app's token on GitHub
		}
		return ErrTokenForbidden
	}
	if area == AreaAdministration || area == AreaWebhooks || area == AreaSecrets {
		return &Error{Code: EFORBIDDEN, Message: "Must have admin rights to Repository."}
	}
	return ErrNotFound
}

// Common errors with GitHub's messages.
var (
	ErrNotFound       = &Error{Code: ENOTFOUND, Message: "Not Found"}
	ErrRequiresAuth   = &Error{Code: EUNAUTHORIZED, Message: "Requires authentication"}
	ErrBadCredentials = &Error{Code: EUNAUTHORIZED, Message: "Bad credentials"}
	ErrTokenForbidden = &Error{Code: EFORBIDDEN, Message: "Resource not accessible by personal access token"}
	// ErrIntegrationForbidden is ErrTokenForbidden for a job's GITHUB_TOKEN.
	ErrIntegrationForbidden = &Error{Code: EFORBIDDEN, Message: "Resource not accessible by integration"}
)

// RoleOf computes a user's role on a repository: the owner and organization
// admins are admins, organization members read (GitHub's default base
// permission), collaborators have their role; the strongest applies.
func RoleOf(ctx context.Context, s Store, user *User, repo *Repo) (Role, error) {
	if user == nil {
		return RoleNone, nil
	}
	if repo.OwnerID == user.ID {
		return RoleAdmin, nil
	}
	role := RoleNone
	if repo.Owner != nil && repo.Owner.IsOrg() {
		org, err := s.OrgRole(ctx, repo.OwnerID, user.ID)
		if err != nil {
			return RoleNone, err
		}
		switch org {
		case OrgRoleAdmin:
			return RoleAdmin, nil
		case OrgRoleMember:
			role = RoleRead
		}
	}
	collab, err := s.CollaboratorRole(ctx, repo.ID, user.ID)
	if err != nil {
		return RoleNone, err
	}
	return role.Max(collab), nil
}

// Store is everything dispatchd keeps. sqlite/ implements it, and storetest/
// is the conformance suite every implementation must pass.
type Store interface {
	UserService
	RepoService
	TokenService
	WorkflowService
	RunService
	SecretService
	RunnerService
	HookService
	EnvironmentService
	Close() error
}
