package expr

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// hashFilesTimeout is the runner's limit for one hashFiles call.
const hashFilesTimeout = 120 * time.Second

// callHashFiles implements hashFiles(patterns…) as the runner does
// (HashFilesFunction.cs and the hashFiles script): the lowercase hex
// sha256 over the sha256 digests of the matched files, in glob order, or ”
// when nothing matches. Directories and files outside the workspace are
// skipped. A first argument of --follow-symbolic-links makes the walk
// follow symbolic links.
func callHashFiles(ev *evaluator, n *node) (any, *Error) {
	if ev.c.Workspace == "" {
		return nil, ev.errorf(n, "hashFiles is only available where a workspace is set (a step on a runner)")
	}
	var patterns []string
	follow := false
	for i, a := range n.args {
		v, err := ev.eval(a)
		if err != nil {
			return nil, err
		}
		s := ToString(v)
		if i == 0 && strings.HasPrefix(s, "--") {
			if !strings.EqualFold(s, "--follow-symbolic-links") {
				return nil, ev.errorf(n, "Invalid glob option %s, available option: '--follow-symbolic-links'.", s)
			}
			follow = true
			continue
		}
		patterns = append(patterns, s)
	}
	quoted := strings.ReplaceAll(strings.Join(patterns, ", "), "'", "''")
	sum, err := hashFiles(ev.c.Workspace, patterns, follow, time.Now().Add(hashFilesTimeout))
	switch {
	case errors.Is(err, errHashTimeout):
		return nil, ev.errorf(n, "hashFiles('%s') couldn't finish within %d seconds.", quoted, int(hashFilesTimeout.Seconds()))
	case err != nil:
		return nil, ev.errorf(n, "hashFiles('%s') failed. Fail to hash files under directory '%s': %v", quoted, ev.c.Workspace, err)
	}
	return sum, nil
}

var errHashTimeout = errors.New("timed out")

// hashWalk is one hashFiles run.
type hashWalk struct {
	patterns []globPattern
	ws       string // the workspace, symbolic links resolved
	follow   bool
	deadline time.Time
	sum      hash.Hash
	count    int
	chain    []string // real paths of the directories being walked (follow only)
}

func hashFiles(workspace string, patterns []string, follow bool, deadline time.Time) (string, error) {
	// The runner starts the script in the workspace and roots patterns at
	// process.cwd(), which is the real path.
	ws, err := filepath.Abs(workspace)
	if err == nil {
		ws, err = filepath.EvalSymlinks(ws)
	}
	if err != nil {
		return "", err
	}
	globs, err := parseGlobs(patterns, ws)
	if err != nil {
		return "", err
	}
	w := &hashWalk{patterns: globs, ws: ws, follow: follow, deadline: deadline, sum: sha256.New()}
	for _, root := range searchPaths(globs) {
		if root, ok := w.clip(root); ok {
			if err := w.visit(root, true); err != nil {
				return "", err
			}
		}
	}
	if w.count == 0 {
		return "", nil
	}
	return hex.EncodeToString(w.sum.Sum(nil)), nil
}

// clip narrows a search path to the workspace: only files inside it are
// hashed, so a walk from "/" may as well start at the workspace (the order
// of the files inside is the same), and a walk elsewhere finds nothing.
func (w *hashWalk) clip(root string) (string, bool) {
	switch {
	case root == w.ws || strings.HasPrefix(root, w.ws+"/"):
		return root, true
	case root == "/" || strings.HasPrefix(w.ws, root+"/"):
		return w.ws, true
	}
	return "", false
}

// visit walks one item depth first, children in name order (the order
// @actions/glob sees from Node's readdir), hashing the files that match.
func (w *hashWalk) visit(p string, root bool) error {
	if time.Now().After(w.deadline) {
		return errHashTimeout
	}
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	isFile := matchesFile(w.patterns, segs)
	if !isFile && !mayContainMatch(w.patterns, segs) {
		return nil
	}
	info, err := w.stat(p)
	if errors.Is(err, fs.ErrNotExist) && (root || w.follow) {
		return nil // a missing search path, or a broken link when following
	}
	if err != nil {
		return err
	}
	if !info.IsDir() {
		if isFile {
			return w.hash(p)
		}
		return nil
	}
	if w.follow {
		if !w.enter(p) {
			return nil // a cycle of links
		}
		defer w.leave()
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := w.visit(filepath.Join(p, e.Name()), false); err != nil {
			return err
		}
	}
	return nil
}

func (w *hashWalk) stat(p string) (fs.FileInfo, error) {
	if w.follow {
		return os.Stat(p)
	}
	return os.Lstat(p)
}

// enter records a directory's real path while following links, and
// reports false if it is already being walked (a cycle).
func (w *hashWalk) enter(p string) bool {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		real = p
	}
	for _, c := range w.chain {
		if c == real {
			return false
		}
	}
	w.chain = append(w.chain, real)
	return true
}

func (w *hashWalk) leave() { w.chain = w.chain[:len(w.chain)-1] }

// hash adds one matched file: skipped if outside the workspace or a
// directory (through a link), else its sha256 goes into the sum.
func (w *hashWalk) hash(p string) error {
	if !strings.HasPrefix(p, w.ws+"/") {
		return nil
	}
	info, err := os.Stat(p)
	if err != nil {
		return err
	}
	if info.IsDir() {
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("reading %s: %w", p, err)
	}
	w.sum.Write(h.Sum(nil))
	w.count++
	return nil
}
