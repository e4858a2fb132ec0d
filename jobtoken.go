package dispatchd

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Job tokens are the GITHUB_TOKEN of a job: scoped to the run's repository
// with the permissions of the workflow or job, valid only while the job
// runs. They are not stored: a token names its job and carries the server's
// signature, and the job must be running when it is used.
const (
	TokenJob  = "job"
	PrefixJob = "dsj_"
)

// JobGrant is what a job token allows, held by the server while the job
// runs.
type JobGrant struct {
	JobID, RunID, RepoID int64
	ActorID              int64 // the run's triggering actor: the token acts for it
	Permissions          Permissions
}

// Token returns the token of the grant as actors carry it.
func (g *JobGrant) Token() *Token {
	return &Token{Kind: TokenJob, UserID: g.ActorID, Name: "GITHUB_TOKEN", JobRunID: g.RunID,
		Repos: []RepoGrant{{RepoID: g.RepoID, Permissions: g.Permissions}}}
}

// NewJobToken signs a job token with key.
func NewJobToken(key []byte, jobID int64) string {
	// "." separates the parts: base64url, the MAC's alphabet, has no ".".
	body := strconv.FormatInt(jobID, 10) + "." + strconv.FormatInt(time.Now().UnixNano(), 36)
	return PrefixJob + body + "." + jobTokenMAC(key, body)
}

// ParseJobToken verifies a job token and returns its job's id.
func ParseJobToken(key []byte, token string) (int64, error) {
	rest, ok := strings.CutPrefix(token, PrefixJob)
	i := strings.LastIndexByte(rest, '.')
	if !ok || i < 0 || !hmac.Equal([]byte(rest[i+1:]), []byte(jobTokenMAC(key, rest[:i]))) {
		return 0, ErrBadCredentials
	}
	id, _, _ := strings.Cut(rest[:i], ".")
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return 0, ErrBadCredentials
	}
	return n, nil
}

func jobTokenMAC(key []byte, body string) string {
	m := hmac.New(sha256.New, append([]byte("dispatchd job token\x00"), key...))
	fmt.Fprint(m, body)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
