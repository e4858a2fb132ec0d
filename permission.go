package dispatchd

import (
	"fmt"
	"strings"
)

// Level is an access level on one permission area.
type Level int

// Levels, ordered so that min() intersects two grants.
const (
	None Level = iota
	Read
	Write
)

func (l Level) String() string {
	switch l {
	case Read:
		return "read"
	case Write:
		return "write"
	}
	return "none"
}

// ParseLevel reads "none", "read" or "write".
func ParseLevel(s string) (Level, error) {
	switch s {
	case "none":
		return None, nil
	case "read":
		return Read, nil
	case "write":
		return Write, nil
	}
	return None, Errorf(EINVALID, "Permission level %q is invalid: use none, read or write.", s)
}

// Area is a permission area of a repository, as fine-grained tokens name them.
type Area string

// The areas dispatchd checks.
const (
	AreaMetadata       Area = "metadata"
	AreaContents       Area = "contents"
	AreaActions        Area = "actions"
	AreaAdministration Area = "administration"
	AreaWebhooks       Area = "webhooks"
	AreaSecrets        Area = "secrets"
)

// Areas lists every area, in a stable order.
var Areas = []Area{AreaMetadata, AreaContents, AreaActions, AreaAdministration, AreaWebhooks, AreaSecrets}

// Permissions is a level per area.
type Permissions map[Area]Level

// Get returns the level of an area, None when absent.
func (p Permissions) Get(a Area) Level { return p[a] }

// Intersect returns, per area, the lower of the two levels.
func (p Permissions) Intersect(q Permissions) Permissions {
	out := Permissions{}
	for _, a := range Areas {
		out[a] = min(p[a], q[a])
	}
	return out
}

// String renders the permissions as "area:level,…" for storage and display.
func (p Permissions) String() string {
	var parts []string
	for _, a := range Areas {
		if l, ok := p[a]; ok {
			parts = append(parts, fmt.Sprintf("%s:%s", a, l))
		}
	}
	return strings.Join(parts, ",")
}

// ParsePermissions reads "area:level,…"; every fine-grained grant includes
// metadata:read, as on GitHub.
func ParsePermissions(s string) (Permissions, error) {
	p := Permissions{AreaMetadata: Read}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, lvl, ok := strings.Cut(part, ":")
		if !ok {
			return nil, Errorf(EINVALID, "Permission %q is invalid: use area:level, e.g. contents:write.", part)
		}
		if !validArea(Area(name)) {
			return nil, Errorf(EINVALID, "Permission area %q is unknown: use one of metadata, contents, actions, administration, webhooks, secrets.", name)
		}
		l, err := ParseLevel(lvl)
		if err != nil {
			return nil, err
		}
		p[Area(name)] = max(p[Area(name)], l)
	}
	return p, nil
}

func validArea(a Area) bool {
	for _, x := range Areas {
		if x == a {
			return true
		}
	}
	return false
}

// Role is a user's role on a repository.
type Role string

// Roles, from the weakest. RoleNone means no role at all.
const (
	RoleNone  Role = ""
	RoleRead  Role = "read"
	RoleWrite Role = "write"
	RoleAdmin Role = "admin"
)

// ParseRole reads a collaborator role. GitHub's aliases pull/push are accepted.
func ParseRole(s string) (Role, error) {
	switch s {
	case "read", "pull":
		return RoleRead, nil
	case "write", "push":
		return RoleWrite, nil
	case "admin":
		return RoleAdmin, nil
	}
	return RoleNone, Errorf(EINVALID, "Role %q is invalid: use read, write or admin.", s)
}

func (r Role) rank() int {
	switch r {
	case RoleRead:
		return 1
	case RoleWrite:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Max returns the stronger of two roles.
func (r Role) Max(o Role) Role {
	if o.rank() > r.rank() {
		return o
	}
	return r
}

// Permissions is what the role allows, before any token narrows it. Write
// pushes and runs workflows; only admins manage settings, hooks and secrets.
func (r Role) Permissions() Permissions {
	switch r {
	case RoleRead:
		return Permissions{AreaMetadata: Read, AreaContents: Read, AreaActions: Read}
	case RoleWrite:
		return Permissions{AreaMetadata: Read, AreaContents: Write, AreaActions: Write}
	case RoleAdmin:
		return Permissions{AreaMetadata: Read, AreaContents: Write, AreaActions: Write,
			AreaAdministration: Write, AreaWebhooks: Write, AreaSecrets: Write}
	}
	return Permissions{}
}
