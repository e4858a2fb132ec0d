package api

import (
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/dispatchd/dispatchd"
)

// credentials extracts a token from Authorization: "Bearer <t>", "token <t>",
// or Basic "<user>:<t>" (what git sends). ok is false when there is no header.
func credentials(r *http.Request) (secret string, ok bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", false
	}
	scheme, rest, _ := strings.Cut(h, " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(scheme) {
	case "bearer", "token":
		return rest, true
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return "", true
		}
		_, pass, _ := strings.Cut(string(raw), ":")
		return pass, true
	}
	return "", true
}

// authenticate resolves the request's actor. No credentials is anonymous;
// credentials that are malformed, unknown, expired or revoked are 401 Bad
// credentials on every route, as on GitHub.
func (s *Server) authenticate(r *http.Request) (*dispatchd.Actor, error) {
	secret, ok := credentials(r)
	if !ok {
		return &dispatchd.Actor{}, nil
	}
	if strings.HasPrefix(secret, dispatchd.PrefixJob) {
		return s.jobActor(r, secret)
	}
	// The checksum rejects typos and random strings without a store lookup.
	if dispatchd.TokenKindOf(secret) == "" {
		return nil, dispatchd.ErrBadCredentials
	}
	t, err := s.Store.FindTokenByHash(r.Context(), dispatchd.HashToken(secret))
	if dispatchd.ErrorCode(err) == dispatchd.ENOTFOUND {
		return nil, dispatchd.ErrBadCredentials
	} else if err != nil {
		return nil, err
	}
	if !t.Usable(time.Now()) {
		return nil, dispatchd.ErrBadCredentials
	}
	return &dispatchd.Actor{User: t.User, Token: t}, nil
}

// jobActor resolves a job's GITHUB_TOKEN: signed by this server, for a job
// that is running now.
func (s *Server) jobActor(r *http.Request, secret string) (*dispatchd.Actor, error) {
	jobID, err := dispatchd.ParseJobToken(s.Key, secret)
	if err != nil || s.Broker == nil {
		return nil, dispatchd.ErrBadCredentials
	}
	g := s.Broker.Grant(jobID)
	if g == nil {
		return nil, dispatchd.ErrBadCredentials // the job ended: so did its token
	}
	u, err := s.Store.FindUserByID(r.Context(), g.ActorID)
	if err != nil {
		return nil, err
	}
	return &dispatchd.Actor{User: u, Token: g.Token()}, nil
}

// repoFor loads {owner}/{repo} and checks that the actor may act on area at
// level; what the actor may not see is ENOTFOUND, like a missing repository.
func (s *Server) repoFor(r *http.Request, area dispatchd.Area, level dispatchd.Level) (*dispatchd.Repo, error) {
	owner, name := r.PathValue("owner"), r.PathValue("repo")
	if dispatchd.ValidateLogin(owner) != nil || dispatchd.ValidateRepoName(name) != nil {
		return nil, dispatchd.ErrNotFound
	}
	repo, err := s.Store.FindRepo(r.Context(), owner, name)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(r, repo, area, level); err != nil {
		return nil, err
	}
	return repo, nil
}

func (s *Server) authorize(r *http.Request, repo *dispatchd.Repo, area dispatchd.Area, level dispatchd.Level) error {
	actor := actorFrom(r.Context())
	role, err := dispatchd.RoleOf(r.Context(), s.Store, actor.User, repo)
	if err != nil {
		return err
	}
	return dispatchd.Authorize(actor, repo, role, area, level)
}

// requireUser is for routes that make no sense anonymously.
func requireUser(r *http.Request) (*dispatchd.Actor, error) {
	a := actorFrom(r.Context())
	if a.Anonymous() {
		return nil, dispatchd.ErrRequiresAuth
	}
	return a, nil
}
