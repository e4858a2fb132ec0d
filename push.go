package dispatchd

// ZeroSHA is what a push event shows for the missing side of a ref update:
// `before` of a created ref, `after` of a deleted one.
const ZeroSHA = "0000000000000000000000000000000000000000"

// PushedRef is one ref a git push changed, with what git says about it:
// everything a `push` event and its filters need, read once after the push.
type PushedRef struct {
	RefUpdate
	// After is the object the ref names after the push: NewSHA, or an
	// annotated tag's own object (NewSHA is then the commit it points at).
	// "" when the ref was deleted.
	After string
	// Head is the commit at NewSHA; nil when the ref was deleted.
	Head *PushCommit
	// Commits are the pushed commits, oldest first: for an update those of
	// before..after, for a created ref those no ref had before the push. At
	// most the newest gitrepo.MaxPushCommits of them; Total counts them all (up to
	// the reader's limit).
	Commits []PushCommit
	Total   int
	// Forced is true for an update whose new commit does not descend from
	// the old one.
	Forced bool
	// BaseRef is a branch, other than the ref itself, whose head is NewSHA
	// (GitHub's `base_ref`), "" when none is.
	BaseRef string
	// CompareBase is the default branch when the ref is a created branch
	// based on it (its head is an ancestor of NewSHA), for `compare`.
	CompareBase string
	// ChangedFiles are the paths the push changed, which `paths` filters
	// compare: nil when unknown (GitHub then runs path-filtered workflows).
	// Only computed for branches: path filters do not apply to tags.
	ChangedFiles []string
}

// Created reports whether the push created the ref.
func (r *PushedRef) Created() bool { return r.OldSHA == "" && r.NewSHA != "" }

// Deleted reports whether the push deleted the ref.
func (r *PushedRef) Deleted() bool { return r.NewSHA == "" }

// PushCommit is a commit as a push event shows it.
type PushCommit struct {
	SHA            string
	TreeSHA        string
	Message        string
	AuthorName     string
	AuthorEmail    string
	CommitterName  string
	CommitterEmail string
	// Timestamp is the author date with its original offset, as git has it
	// (RFC 3339).
	Timestamp string
	// Distinct is true when no ref had the commit before the push and no
	// earlier event of the same push listed it.
	Distinct bool
	// The files the commit added, removed and modified, compared with its
	// first parent (no rename detection: a rename is a removal and an addition).
	Added, Removed, Modified []string
}
