package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/gitrepo"
)

// splitGitPath splits /{owner}/{repo}.git/{rest}.
func splitGitPath(p string) (owner, repo, rest string, ok bool) {
	parts := strings.SplitN(strings.TrimPrefix(p, "/"), "/", 3)
	if len(parts) < 2 || !strings.HasSuffix(parts[1], ".git") {
		return "", "", "", false
	}
	if len(parts) == 3 {
		rest = "/" + parts[2]
	}
	return parts[0], strings.TrimSuffix(parts[1], ".git"), rest, true
}

func isGitPath(r *http.Request) bool {
	_, _, _, ok := splitGitPath(r.URL.Path)
	return ok
}

// serveGit authorises a smart-HTTP request and hands it to git. Without
// credentials, anything that needs them answers 401 with a Basic challenge
// so that git asks for them, for a missing repository too (as GitHub does,
// not to reveal which private repositories exist).
func (s *Server) serveGit(w http.ResponseWriter, r *http.Request, owner, name, rest string) {
	service := gitrepo.ServiceOf(r, rest)
	if service == gitrepo.ServiceUnknown {
		writeError(w, r, dispatchd.ErrNotFound, "")
		return
	}
	actor, err := s.authenticate(r)
	if err != nil {
		writeError(w, r, err, "")
		return
	}
	r = r.WithContext(withActor(r.Context(), actor))
	level := dispatchd.Read
	if service == gitrepo.ServiceReceive {
		level = dispatchd.Write
	}
	repo, err := s.gitRepo(r, owner, name, level)
	if err != nil {
		if dispatchd.ErrorCode(err) == dispatchd.ENOTFOUND && actor.Anonymous() {
			err = dispatchd.ErrRequiresAuth
		}
		writeError(w, r, err, "")
		return
	}
	login := ""
	if !actor.Anonymous() {
		login = actor.User.Login
	}
	if service != gitrepo.ServiceReceive || r.Method != http.MethodPost {
		s.Git.ServeHTTP(w, r, repo.ID, rest, login, gitLog{r})
		return
	}
	// A push and its indexing hold the repository's lock, so that the
	// store's refs are always "before" for the next push.
	unlock := s.Git.Lock(repo.ID)
	defer unlock()
	s.Git.ServeHTTP(w, r, repo.ID, rest, login, gitLog{r})
	// The push is in git now: index it even if the client has gone, then
	// record its push events and start the runs they trigger.
	ctx := context.WithoutCancel(r.Context())
	updates, err := s.Index.Sync(ctx, repo.ID)
	if err != nil {
		loggerFrom(r.Context()).Error("indexing after push failed", "repo", repo.FullName(), "err", err)
		return
	}
	if err := s.pushEvents(ctx, actor, repo.ID, updates); err != nil {
		loggerFrom(r.Context()).Error("push events failed", "repo", repo.FullName(), "err", err)
	}
}

// gitRepo finds the repository and checks access. Someone who may read it
// but not push gets git's 403 "Permission … denied" rather than 404: git
// shows that message, and the repository's existence is no secret to them.
func (s *Server) gitRepo(r *http.Request, owner, name string, level dispatchd.Level) (*dispatchd.Repo, error) {
	if dispatchd.ValidateLogin(owner) != nil || dispatchd.ValidateRepoName(name) != nil {
		return nil, errNotFound
	}
	repo, err := s.Store.FindRepo(r.Context(), owner, name)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(r, repo, dispatchd.AreaContents, dispatchd.Read); err != nil || level == dispatchd.Read {
		return repo, err
	}
	err = s.authorize(r, repo, dispatchd.AreaContents, level)
	if dispatchd.ErrorCode(err) == dispatchd.ENOTFOUND {
		a := actorFrom(r.Context())
		return nil, dispatchd.Errorf(dispatchd.EFORBIDDEN, "Permission to %s.git denied to %s.", repo.FullName(), a.User.Login)
	}
	return repo, err
}

// gitLog sends what git writes on stderr to the request's log.
type gitLog struct{ r *http.Request }

func (g gitLog) Write(b []byte) (int, error) {
	loggerFrom(g.r.Context()).Warn("git http-backend", "stderr", strings.TrimSpace(string(b)))
	return len(b), nil
}
