package storetest

import (
	"testing"
	"time"

	"github.com/dispatchd/dispatchd"
)

func wfFile(path, blob, name string, events ...string) *dispatchd.WorkflowFile {
	return &dispatchd.WorkflowFile{Path: path, BlobSHA: blob, Source: []byte("name: " + name + "\n"),
		Summary: dispatchd.WorkflowSummary{Name: name, Valid: true, Triggers: dispatchd.Triggers{Events: events}}}
}

func testPushIndex(t *testing.T, s dispatchd.Store) {
	u := mustUser(t, s, "octocat", dispatchd.UserTypeUser)
	r := mustRepo(t, s, u, "repo", false)
	c1, c2 := "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"

	if refs, err := s.Refs(ctx, r.ID); err != nil || len(refs) != 0 {
		t.Fatalf("Refs before push = %v, %v", refs, err)
	}
	_, err := s.WorkflowFilesAt(ctx, r.ID, c1)
	wantCode(t, err, dispatchd.ENOTFOUND)

	pushed := time.Now().UTC().Truncate(time.Second)
	broken := wfFile(".github/workflows/broken.yml", "bbbb", "")
	broken.Summary.Valid = false
	broken.Summary.Problems = []dispatchd.Problem{{Line: 3, Column: 5, Message: "unexpected key", Kind: "syntax-check", Severity: "error"}}
	err = s.ApplyPush(ctx, &dispatchd.PushIndex{RepoID: r.ID, PushedAt: pushed,
		Refs: []dispatchd.RefUpdate{{Name: "refs/heads/main", NewSHA: c1}, {Name: "refs/tags/v1", NewSHA: c1}},
		Commits: []dispatchd.IndexedCommit{{SHA: c1, Files: []*dispatchd.WorkflowFile{
			wfFile(".github/workflows/ci.yml", "aaaa", "CI", "push", "repository_dispatch"), broken}}}})
	if err != nil {
		t.Fatal(err)
	}
	files, err := s.WorkflowFilesAt(ctx, r.ID, c1)
	if err != nil || len(files) != 2 || files[0].Path != ".github/workflows/broken.yml" || files[1].Summary.Name != "CI" ||
		!files[1].Summary.Triggers.Has("repository_dispatch") || string(files[1].Source) != "name: CI\n" || files[0].WorkflowID == 0 {
		t.Fatalf("WorkflowFilesAt(c1) = %+v, %v", files, err)
	}
	if p := files[0].Summary.Problems; files[0].Summary.Valid || len(p) != 1 || p[0].Line != 3 || p[0].Column != 5 {
		t.Fatalf("broken file's problems = %+v", files[0].Summary)
	}
	ciID := files[1].WorkflowID

	// A commit without workflow files is indexed too; the ci.yml id stays.
	err = s.ApplyPush(ctx, &dispatchd.PushIndex{RepoID: r.ID,
		Refs:    []dispatchd.RefUpdate{{Name: "refs/heads/main", OldSHA: c1, NewSHA: c2}, {Name: "refs/tags/v1", OldSHA: c1}},
		Commits: []dispatchd.IndexedCommit{{SHA: c2}}})
	if err != nil {
		t.Fatal(err)
	}
	if files, err := s.WorkflowFilesAt(ctx, r.ID, c2); err != nil || len(files) != 0 {
		t.Fatalf("WorkflowFilesAt(c2) = %v, %v", files, err)
	}
	refs, err := s.Refs(ctx, r.ID)
	if err != nil || len(refs) != 1 || refs["refs/heads/main"] != c2 {
		t.Fatalf("Refs = %v, %v", refs, err)
	}
	if sha, err := s.FindRef(ctx, r.ID, "refs/heads/main"); err != nil || sha != c2 {
		t.Fatalf("FindRef = %q, %v", sha, err)
	}
	_, err = s.FindRef(ctx, r.ID, "refs/tags/v1")
	wantCode(t, err, dispatchd.ENOTFOUND)
	idx, err := s.IndexedCommits(ctx, r.ID, []string{c1, c2, "3333"})
	if err != nil || !idx[c1] || !idx[c2] || idx["3333"] {
		t.Fatalf("IndexedCommits = %v, %v", idx, err)
	}
	// Indexing c1 again changes nothing and keeps ids.
	again := wfFile(".github/workflows/ci.yml", "aaaa", "CI")
	if err := s.ApplyPush(ctx, &dispatchd.PushIndex{RepoID: r.ID, Commits: []dispatchd.IndexedCommit{{SHA: c1, Files: []*dispatchd.WorkflowFile{again}}}}); err != nil {
		t.Fatal(err)
	}
	if files, _ := s.WorkflowFilesAt(ctx, r.ID, c1); len(files) != 2 || files[1].WorkflowID != ciID {
		t.Fatalf("re-index changed the files: %+v", files)
	}
	if got, _ := s.FindRepoByID(ctx, r.ID); !got.PushedAt.Equal(pushed) {
		t.Fatalf("PushedAt = %v, want %v", got.PushedAt, pushed)
	}
}

func testWorkflows(t *testing.T, s dispatchd.Store) {
	u := mustUser(t, s, "octocat", dispatchd.UserTypeUser)
	r := mustRepo(t, s, u, "repo", false)
	c1, c2 := "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"
	err := s.ApplyPush(ctx, &dispatchd.PushIndex{RepoID: r.ID,
		Refs: []dispatchd.RefUpdate{{Name: "refs/heads/main", NewSHA: c1}, {Name: "refs/heads/dev", NewSHA: c2}},
		Commits: []dispatchd.IndexedCommit{
			{SHA: c1, Files: []*dispatchd.WorkflowFile{wfFile(".github/workflows/a.yml", "a1", "Alpha"), wfFile(".github/workflows/b.yaml", "b1", "")}},
			{SHA: c2, Files: []*dispatchd.WorkflowFile{wfFile(".github/workflows/a.yml", "a2", "Alpha dev"), wfFile(".github/workflows/c.yml", "c1", "Gamma")}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	list, total, err := s.ListWorkflows(ctx, r.ID, 0, 0)
	if err != nil || total != 3 || len(list) != 3 {
		t.Fatalf("ListWorkflows = %v, %d, %v", list, total, err)
	}
	byPath := map[string]*dispatchd.Workflow{}
	for _, w := range list {
		byPath[w.Path] = w
	}
	a, b, c := byPath[".github/workflows/a.yml"], byPath[".github/workflows/b.yaml"], byPath[".github/workflows/c.yml"]
	if a.Name != "Alpha" || a.State() != "active" {
		t.Fatalf("a = %+v: the name comes from the default branch", a)
	}
	if b.Name != ".github/workflows/b.yaml" || b.State() != "active" {
		t.Fatalf("b = %+v: without name: the path is the name", b)
	}
	if c.State() != "deleted" || c.Name != "Gamma" {
		t.Fatalf("c = %+v: absent from the default branch", c)
	}
	if page, total, _ := s.ListWorkflows(ctx, r.ID, 1, 1); len(page) != 1 || total != 3 || page[0].ID != list[1].ID {
		t.Fatalf("page 2 of 1 = %v (total %d)", page, total)
	}

	if w, err := s.FindWorkflowByFile(ctx, r.ID, "a.yml"); err != nil || w.ID != a.ID {
		t.Fatalf("FindWorkflowByFile(a.yml) = %+v, %v", w, err)
	}
	if w, err := s.FindWorkflowByFile(ctx, r.ID, ".github/workflows/b.yaml"); err != nil || w.ID != b.ID {
		t.Fatalf("FindWorkflowByFile(path) = %+v, %v", w, err)
	}
	_, err = s.FindWorkflowByFile(ctx, r.ID, "zzz.yml")
	wantCode(t, err, dispatchd.ENOTFOUND)
	if w, err := s.FindWorkflowByID(ctx, r.ID, c.ID); err != nil || w.Path != c.Path {
		t.Fatalf("FindWorkflowByID = %+v, %v", w, err)
	}
	other := mustRepo(t, s, u, "other", false)
	_, err = s.FindWorkflowByID(ctx, other.ID, a.ID)
	wantCode(t, err, dispatchd.ENOTFOUND)

	if err := s.SetWorkflowDisabled(ctx, r.ID, a.ID, true); err != nil {
		t.Fatal(err)
	}
	if w, _ := s.FindWorkflowByID(ctx, r.ID, a.ID); w.State() != "disabled_manually" {
		t.Fatalf("state after disable = %s", w.State())
	}
	if ids, err := s.DisabledWorkflows(ctx, r.ID); err != nil || len(ids) != 1 || ids[0] != a.ID {
		t.Fatalf("DisabledWorkflows = %v, %v", ids, err)
	}
	if err := s.SetWorkflowDisabled(ctx, r.ID, a.ID, false); err != nil {
		t.Fatal(err)
	}
	if w, _ := s.FindWorkflowByID(ctx, r.ID, a.ID); w.State() != "active" {
		t.Fatalf("state after enable = %s", w.State())
	}
	if ids, err := s.DisabledWorkflows(ctx, r.ID); err != nil || len(ids) != 0 {
		t.Fatalf("DisabledWorkflows after enable = %v, %v", ids, err)
	}
	wantCode(t, s.SetWorkflowDisabled(ctx, other.ID, a.ID, true), dispatchd.ENOTFOUND)

	// Changing the default branch changes which version names the workflow.
	dev := "dev"
	if _, err := s.UpdateRepo(ctx, r.ID, dispatchd.RepoUpdate{DefaultBranch: &dev}); err != nil {
		t.Fatal(err)
	}
	if w, _ := s.FindWorkflowByID(ctx, r.ID, a.ID); w.Name != "Alpha dev" {
		t.Fatalf("name on dev = %q", w.Name)
	}
	if w, _ := s.FindWorkflowByID(ctx, r.ID, b.ID); w.State() != "deleted" {
		t.Fatalf("b on dev = %s, want deleted", w.State())
	}
}
