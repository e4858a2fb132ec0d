package render

import (
	"maps"

	"github.com/dispatchd/dispatchd"
)

// PushRepository is the repository as GitHub's push payload has it, which
// differs from the repository object of every other payload: created_at
// and pushed_at are Unix seconds, not ISO 8601 strings; it adds
// `stargazers`, `master_branch` (the default branch) and, for an
// organization's repository, `organization` (its login); and its owner
// carries the git-style `name` and `email` as well.
func (u URLs) PushRepository(r *dispatchd.Repo) map[string]any {
	m := u.Repository(r, nil)
	m["created_at"] = r.CreatedAt.Unix()
	m["pushed_at"] = nil
	if !r.PushedAt.IsZero() {
		m["pushed_at"] = r.PushedAt.Unix()
	}
	m["stargazers"] = 0
	m["master_branch"] = r.DefaultBranch
	if r.Owner.IsOrg() {
		m["organization"] = r.Owner.Login
	}
	owner := maps.Clone(m["owner"].(map[string]any))
	owner["name"] = r.Owner.Login
	owner["email"] = Nullable(r.Owner.Email)
	m["owner"] = owner
	return m
}

// NoReplyEmail is the address dispatchd uses for a user without a public
// email, as GitHub's users.noreply addresses.
func NoReplyEmail(login string) string { return login + "@users.noreply.dispatchd" }
