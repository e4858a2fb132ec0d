package gitrepo

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/dispatchd/dispatchd"
)

// Entry is a file in a tree.
type Entry struct {
	Path string
	SHA  string
	Size int64
}

// WorkflowDir is where GitHub looks for workflow files; only its direct
// children count.
const WorkflowDir = ".github/workflows/"

// WorkflowEntries lists the *.yml and *.yaml blobs directly in
// .github/workflows at a commit.
func (h *Hub) WorkflowEntries(ctx context.Context, id int64, commit string) ([]Entry, error) {
	out, err := h.run(ctx, id, nil, nil, "ls-tree", "-z", "-l", commit, "--", WorkflowDir)
	if err != nil {
		return nil, err
	}
	var entries []Entry
	for _, rec := range strings.Split(string(out), "\x00") {
		meta, path, ok := strings.Cut(rec, "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != 4 || f[1] != "blob" || !(strings.HasSuffix(path, ".yml") || strings.HasSuffix(path, ".yaml")) {
			continue
		}
		size, _ := strconv.ParseInt(f[3], 10, 64)
		entries = append(entries, Entry{Path: path, SHA: f[2], Size: size})
	}
	return entries, nil
}

// ReadBlobs reads blobs through one `git cat-file --batch` process.
func (h *Hub) ReadBlobs(ctx context.Context, id int64, shas []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	if len(shas) == 0 {
		return out, nil
	}
	cmd := exec.CommandContext(ctx, h.git, "cat-file", "--batch")
	cmd.Dir = h.Dir(id)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1")
	var in bytes.Buffer
	for _, s := range shas {
		in.WriteString(s + "\n")
	}
	cmd.Stdin = &in
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := bufio.NewReader(stdout)
	readErr := readBatch(r, out)
	io.Copy(io.Discard, r)
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	return out, readErr
}

func readBatch(r *bufio.Reader, out map[string][]byte) error {
	for {
		header, err := r.ReadString('\n')
		if err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		f := strings.Fields(header)
		if len(f) == 2 && f[1] == "missing" {
			continue
		}
		if len(f) != 3 {
			return fmt.Errorf("git cat-file: unexpected header %q", header)
		}
		size, err := strconv.Atoi(f[2])
		if err != nil {
			return err
		}
		buf := make([]byte, size+1) // content and the trailing newline
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		out[f[0]] = buf[:size]
	}
}

// Commit reads a commit's metadata.
func (h *Hub) Commit(ctx context.Context, id int64, sha string) (dispatchd.Commit, error) {
	out, err := h.run(ctx, id, nil, nil, "show", "-s", "--format=%T%x00%an%x00%ae%x00%cn%x00%ce%x00%cI%x00%B", sha)
	if err != nil {
		return dispatchd.Commit{}, err
	}
	f := strings.SplitN(string(out), "\x00", 7)
	if len(f) != 7 {
		return dispatchd.Commit{}, fmt.Errorf("git show %s: unexpected output", sha)
	}
	at, _ := time.Parse(time.RFC3339, f[5])
	return dispatchd.Commit{SHA: sha, TreeSHA: f[0], AuthorName: f[1], AuthorEmail: f[2], CommitterName: f[3],
		CommitterEmail: f[4], Timestamp: at.UTC(), Message: strings.TrimRight(f[6], "\n")}, nil
}
