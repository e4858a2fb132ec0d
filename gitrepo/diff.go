package gitrepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"

	"github.com/dispatchd/dispatchd"
)

// Limits of what a push event reads from git, GitHub's where it has one.
const (
	// MaxPushCommits is the most commits a push payload lists ("The array
	// includes a maximum of 2048 commits", webhook-push schema); the newest
	// are kept.
	MaxPushCommits = 2048
	// MaxPathCommits: "If you push more than 1,000 commits … the workflow
	// will always run" (workflow syntax, on.push.paths).
	MaxPathCommits = 1000
	// MaxDiffFiles: "If the generated diff contains more than 3,000 files and
	// the filter-matched files are not in the first 3,000 returned, the
	// workflow will not run" (same section).
	MaxDiffFiles = 3000
	// maxNewCommits bounds the commits read to tell which are new to the
	// repository (distinct); beyond it, commits not seen count as new.
	maxNewCommits = 20000
	// maxCommitFiles bounds each of a commit's added/removed/modified lists
	// in a payload (a dispatchd limit: GitHub documents none).
	maxCommitFiles = MaxDiffFiles
)

// refObject is a ref's object and, for an annotated tag, the commit it peels to.
type refObject struct{ object, commit string }

// refObjects lists branches and tags with their own object and their commit.
func (h *Hub) refObjects(ctx context.Context, id int64) (map[string]refObject, error) {
	out, err := h.run(ctx, id, nil, nil, "for-each-ref", "--format=%(objectname) %(*objectname) %(refname)", "refs/heads", "refs/tags")
	if err != nil {
		return nil, err
	}
	refs := map[string]refObject{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		switch len(f) {
		case 2:
			refs[f[1]] = refObject{f[0], f[0]}
		case 3:
			refs[f[2]] = refObject{f[0], f[1]}
		}
	}
	return refs, nil
}

// PushedRefs reads what the push events of updates need. It runs after the
// push, under the repository's lock, so git's refs are the pushed ones and
// the refs before the push are those plus the updates' old values.
// defaultBranch is the repository's (short) default branch.
func (h *Hub) PushedRefs(ctx context.Context, id int64, updates []dispatchd.RefUpdate, defaultBranch string) ([]dispatchd.PushedRef, error) {
	now, err := h.refObjects(ctx, id)
	if err != nil {
		return nil, err
	}
	// The commits every ref pointed at before the push.
	updated := map[string]bool{}
	var old []string
	for _, u := range updates {
		updated[u.Name] = true
		if u.OldSHA != "" {
			old = append(old, u.OldSHA)
		}
	}
	for name, o := range now {
		if !updated[name] {
			old = append(old, o.commit)
		}
	}
	slices.Sort(old)
	old = slices.Compact(old)

	defaultRef := "refs/heads/" + defaultBranch
	listed := map[string]bool{} // commits a previous ref of this push showed as distinct
	out := make([]dispatchd.PushedRef, 0, len(updates))
	for _, u := range updates {
		r := dispatchd.PushedRef{RefUpdate: u}
		if u.NewSHA == "" {
			out = append(out, r)
			continue
		}
		r.After = u.NewSHA
		if o, ok := now[u.Name]; ok && o.commit == u.NewSHA {
			r.After = o.object
		}
		// Commits no ref had, newest first, with their parents.
		fresh, freshParents, freshCut, err := h.revList(ctx, id, []string{u.NewSHA}, old, maxNewCommits)
		if err != nil {
			return nil, err
		}
		isFresh := make(map[string]bool, len(fresh))
		for _, c := range fresh {
			isFresh[c] = true
		}
		pushed := fresh
		if !r.Created() {
			if pushed, _, _, err = h.revList(ctx, id, []string{u.NewSHA}, []string{u.OldSHA}, MaxPushCommits+1); err != nil {
				return nil, err
			}
			if r.Forced, err = h.forced(ctx, id, u.OldSHA, u.NewSHA); err != nil {
				return nil, err
			}
		}
		r.Total = len(pushed)
		shown := pushed[:min(len(pushed), MaxPushCommits)]
		shas := append([]string{u.NewSHA}, shown...)
		details, err := h.pushCommits(ctx, id, shas)
		if err != nil {
			return nil, err
		}
		head := details[u.NewSHA]
		r.Head = &head
		for i := len(shown) - 1; i >= 0; i-- {
			c := details[shown[i]]
			c.Distinct = (isFresh[c.SHA] || (freshCut && !isFresh[c.SHA])) && !listed[c.SHA]
			r.Commits = append(r.Commits, c)
		}
		for _, c := range r.Commits {
			if c.Distinct {
				listed[c.SHA] = true
			}
		}
		r.Head.Distinct = isFresh[u.NewSHA] || freshCut
		if i := slices.IndexFunc(r.Commits, func(c dispatchd.PushCommit) bool { return c.SHA == u.NewSHA }); i >= 0 {
			r.Head.Distinct = r.Commits[i].Distinct
		}

		r.BaseRef = baseRef(now, u.Name, u.NewSHA, defaultRef)
		isBranch := strings.HasPrefix(u.Name, "refs/heads/")
		if r.Created() && isBranch && u.Name != defaultRef {
			if d, ok := now[defaultRef]; ok {
				if base, err := h.isAncestor(ctx, id, d.commit, u.NewSHA); err != nil {
					return nil, err
				} else if base {
					r.CompareBase = defaultBranch
				}
			}
		}
		if isBranch {
			if r.ChangedFiles, err = h.changedFiles(ctx, id, &r, fresh, freshParents, freshCut); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// baseRef is a branch other than ref whose head is sha: the default branch
// first, then by name.
func baseRef(refs map[string]refObject, ref, sha, defaultRef string) string {
	if o, ok := refs[defaultRef]; ok && defaultRef != ref && o.commit == sha {
		return defaultRef
	}
	var names []string
	for name, o := range refs {
		if name != ref && strings.HasPrefix(name, "refs/heads/") && o.commit == sha {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	return names[0]
}

// changedFiles is the diff that `paths` filters compare (workflow syntax,
// "Git diff comparisons"): for an existing branch the two-dot diff
// before..after; for a new branch the two-dot diff against the parent of
// the deepest commit pushed (all files of the head when that commit has
// no parent; nothing when the push added no commit). nil (unknown, so
// path-filtered workflows run) beyond MaxPathCommits commits; at most
// MaxDiffFiles files.
func (h *Hub) changedFiles(ctx context.Context, id int64, r *dispatchd.PushedRef, fresh []string, parents map[string][]string, freshCut bool) ([]string, error) {
	var args []string
	if !r.Created() {
		if r.Total > MaxPathCommits {
			return nil, nil
		}
		args = []string{"diff-tree", "-r", "-z", "--no-renames", "--name-only", r.OldSHA, r.NewSHA}
	} else {
		if freshCut || len(fresh) > MaxPathCommits {
			return nil, nil
		}
		if len(fresh) == 0 {
			return []string{}, nil
		}
		deepest := fresh[len(fresh)-1]
		if p := parents[deepest]; len(p) > 0 {
			args = []string{"diff-tree", "-r", "-z", "--no-renames", "--name-only", p[0], r.NewSHA}
		} else {
			args = []string{"ls-tree", "-r", "-z", "--name-only", r.NewSHA}
		}
	}
	out, err := h.run(ctx, id, nil, nil, args...)
	if err != nil {
		return nil, err
	}
	files := []string{}
	for _, f := range strings.Split(string(out), "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	return files[:min(len(files), MaxDiffFiles)], nil
}

// revList lists the commits reachable from include and not from exclude,
// newest first in topological order, at most limit of them, with each
// one's parents; cut reports that there were more.
func (h *Hub) revList(ctx context.Context, id int64, include, exclude []string, limit int) (shas []string, parents map[string][]string, cut bool, err error) {
	var in bytes.Buffer
	for _, s := range include {
		in.WriteString(s + "\n")
	}
	for _, s := range exclude {
		in.WriteString("^" + s + "\n")
	}
	out, err := h.run(ctx, id, in.Bytes(), nil, "rev-list", "--topo-order", "--parents", fmt.Sprintf("--max-count=%d", limit+1), "--stdin")
	if err != nil {
		return nil, nil, false, err
	}
	parents = map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		shas = append(shas, f[0])
		parents[f[0]] = f[1:]
	}
	if len(shas) > limit {
		return shas[:limit], parents, true, nil
	}
	return shas, parents, false, nil
}

// forced reports whether moving a ref from old to new is a force push: new
// does not descend from old.
func (h *Hub) forced(ctx context.Context, id int64, old, new string) (bool, error) {
	ok, err := h.isAncestor(ctx, id, old, new)
	return !ok, err
}

// isAncestor reports whether commit a is an ancestor of (or is) commit b.
func (h *Hub) isAncestor(ctx context.Context, id int64, a, b string) (bool, error) {
	cmd := exec.CommandContext(ctx, h.git, "merge-base", "--is-ancestor", a, b)
	cmd.Dir = h.Dir(id)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return false, nil
	}
	return false, fmt.Errorf("git merge-base --is-ancestor: %w: %s", err, strings.TrimSpace(stderr.String()))
}

// pushCommitFormat is one commit's header: \x01 then NUL-terminated fields.
const pushCommitFormat = "--format=%x01%H%x00%T%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%B%x00"

const pushCommitFields = 8

// pushCommits reads commits with the files each changed compared with its
// first parent, through one `git log`.
func (h *Hub) pushCommits(ctx context.Context, id int64, shas []string) (map[string]dispatchd.PushCommit, error) {
	var in bytes.Buffer
	for _, s := range shas {
		in.WriteString(s + "\n")
	}
	out, err := h.run(ctx, id, in.Bytes(), nil, "log", "--stdin", "--no-walk=unsorted", "--diff-merges=first-parent",
		"--no-renames", "--name-status", "-z", "--no-color", "--no-ext-diff", pushCommitFormat)
	if err != nil {
		return nil, err
	}
	commits, err := parsePushCommits(out)
	if err != nil {
		return nil, err
	}
	for _, s := range shas {
		if _, ok := commits[s]; !ok {
			return nil, fmt.Errorf("git log: commit %s not read", s)
		}
	}
	return commits, nil
}

// parsePushCommits reads pushCommitFormat records, each followed by an
// empty field and then status and path pairs (-z --name-status).
func parsePushCommits(out []byte) (map[string]dispatchd.PushCommit, error) {
	tokens := strings.Split(string(out), "\x00")
	commits := map[string]dispatchd.PushCommit{}
	var c *dispatchd.PushCommit
	flush := func() {
		if c != nil {
			commits[c.SHA] = *c
		}
	}
	for i := 0; i < len(tokens); i++ {
		t := tokens[i]
		if strings.HasPrefix(t, "\x01") {
			flush()
			if i+pushCommitFields > len(tokens) {
				return nil, errors.New("git log: truncated commit record")
			}
			f := tokens[i : i+pushCommitFields]
			c = &dispatchd.PushCommit{SHA: f[0][1:], TreeSHA: f[1], AuthorName: f[2], AuthorEmail: f[3],
				Timestamp: f[4], CommitterName: f[5], CommitterEmail: f[6], Message: strings.TrimRight(f[7], "\n"),
				Added: []string{}, Removed: []string{}, Modified: []string{}}
			i += pushCommitFields - 1
			continue
		}
		status := strings.TrimLeft(t, "\n")
		if status == "" || c == nil {
			continue
		}
		if i+1 >= len(tokens) {
			return nil, errors.New("git log: status without a path")
		}
		i++
		path := tokens[i]
		var list *[]string
		switch status[0] {
		case 'A':
			list = &c.Added
		case 'D':
			list = &c.Removed
		default: // M, T (type change), U
			list = &c.Modified
		}
		if len(*list) < maxCommitFiles {
			*list = append(*list, path)
		}
	}
	flush()
	return commits, nil
}
