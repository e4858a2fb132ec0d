package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/sqlite"
)

// BenchmarkCreateEvent is the store's part of a dispatch: an event with
// GitHub's payload shape, its run and its job, written by one writer and
// by 64 at once through the group committer. It measures the store alone,
// without HTTP (bench/ measures the whole path).
func BenchmarkCreateEvent(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "dispatchd.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	u := &dispatchd.User{Login: "octocat", Type: dispatchd.UserTypeUser}
	if err := db.CreateUser(ctx, u); err != nil {
		b.Fatal(err)
	}
	r := &dispatchd.Repo{Owner: u, Name: "bench"}
	if err := db.CreateRepo(ctx, r); err != nil {
		b.Fatal(err)
	}
	sha := strings.Repeat("a", 40)
	err = db.ApplyPush(ctx, &dispatchd.PushIndex{RepoID: r.ID, Refs: []dispatchd.RefUpdate{{Name: "refs/heads/main", NewSHA: sha}},
		Commits: []dispatchd.IndexedCommit{{SHA: sha, Commit: dispatchd.Commit{SHA: sha}, Files: []*dispatchd.WorkflowFile{{
			Path: ".github/workflows/deploy.yml", BlobSHA: "b", Source: []byte("name: Deploy\n"),
			Summary: dispatchd.WorkflowSummary{Name: "Deploy", Valid: true}}}}}})
	if err != nil {
		b.Fatal(err)
	}
	files, err := db.WorkflowFilesAt(ctx, r.ID, sha)
	if err != nil {
		b.Fatal(err)
	}
	wf := files[0]

	// The repository and sender objects of a real payload: ~5 KB of URLs.
	var repo strings.Builder
	repo.WriteString(`{"id":1,"name":"bench","full_name":"octocat/bench"`)
	for i := range 80 {
		fmt.Fprintf(&repo, `,"field_%d_url":"http://127.0.0.1:8080/api/v3/repos/octocat/bench/field/%d"`, i, i)
	}
	repo.WriteString("}")
	sender := `{"login":"octocat","id":1,"type":"User","site_admin":false}`
	head := `{"action":"deploy","branch":"main","client_payload":{"image_tag":"sha-1234567","environment":"production"},"repository":`
	payload := head + repo.String() + `,"sender":` + sender + `}`
	parts := []dispatchd.PayloadPart{
		{Offset: len(head), Len: repo.Len(), Hash: "repo1"},
		{Offset: len(head) + repo.Len() + len(`,"sender":`), Len: len(sender), Hash: "sender1"},
	}

	create := func() error {
		e := &dispatchd.Event{RepoID: r.ID, Name: "repository_dispatch", Action: "deploy", Ref: "refs/heads/main",
			SHA: sha, ActorID: u.ID, Payload: []byte(payload), Parts: parts}
		nr := dispatchd.NewRun{
			Run: &dispatchd.Run{WorkflowID: wf.WorkflowID, Name: "Deploy", DisplayTitle: "Deploy sha-1234567",
				Path: wf.Path, Event: "repository_dispatch", HeadBranch: "main", HeadSHA: sha, ActorID: u.ID, TriggeringActorID: u.ID},
			Jobs: []*dispatchd.Job{{Key: "deploy", Name: "deploy", Labels: []string{"ubuntu-latest"}}},
		}
		return db.CreateEvent(ctx, e, []dispatchd.NewRun{nr}, nil)
	}

	// One writer: a transaction per dispatch, what one connection costs.
	b.Run("writers=1", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := create(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("writers=64", func(b *testing.B) {
		b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := create(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
