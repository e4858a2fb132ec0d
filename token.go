package dispatchd

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"hash/crc32"
	"strings"
	"time"
)

// Token kinds.
const (
	TokenClassic     = "classic"
	TokenFineGrained = "fine_grained"
)

// Token prefixes make dispatchd tokens recognisable to secret scanners, like
// GitHub's ghp_ and github_pat_. The last six characters are a checksum.
const (
	PrefixClassic     = "dsp_"
	PrefixFineGrained = "dsp_pat_"
)

// Classic scopes dispatchd understands.
var ClassicScopes = []string{"repo", "public_repo", "workflow", "admin:repo_hook", "admin:org_hook", "read:org"}

// Token is a personal access token. Only the SHA-256 of the secret is stored.
type Token struct {
	ID        int64
	UserID    int64
	User      *User // loaded by FindTokenByHash
	Kind      string
	Name      string
	Hash      string // hex SHA-256 of the secret
	Hint      string // the last four characters, for listings
	Scopes    []string
	Repos     []RepoGrant // fine-grained and job tokens
	JobRunID  int64       // a job token's run: what its dispatches are caused by
	CreatedAt time.Time
	ExpiresAt time.Time // zero: never
	RevokedAt time.Time // zero: not revoked
}

// RepoGrant is a fine-grained token's permissions on one repository.
type RepoGrant struct {
	RepoID      int64
	Permissions Permissions
}

// HasScope reports whether a classic token carries the scope.
func (t *Token) HasScope(s string) bool {
	for _, x := range t.Scopes {
		if x == s {
			return true
		}
	}
	return false
}

// Usable reports whether the token is neither revoked nor expired at now.
func (t *Token) Usable(now time.Time) bool {
	return t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt))
}

// TokenService stores tokens.
type TokenService interface {
	// CreateToken stores t (Hash set by the caller) and sets ID and CreatedAt.
	CreateToken(ctx context.Context, t *Token) error
	// FindTokenByHash returns the token with its User; ENOTFOUND when absent.
	// Revoked and expired tokens are returned too: the caller decides.
	FindTokenByHash(ctx context.Context, hash string) (*Token, error)
	// ListTokens lists a user's tokens, or everyone's with userID 0.
	ListTokens(ctx context.Context, userID int64) ([]*Token, error)
	RevokeToken(ctx context.Context, id int64) error
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NewTokenSecret returns a fresh secret for a token of the kind: prefix, 30
// random base62 characters, and a 6-character base62 CRC32 of those.
func NewTokenSecret(kind string) string {
	prefix := PrefixClassic
	if kind == TokenFineGrained {
		prefix = PrefixFineGrained
	}
	buf := make([]byte, 30)
	if _, err := rand.Read(buf); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	for i, b := range buf {
		buf[i] = base62[int(b)%len(base62)]
	}
	body := string(buf)
	return prefix + body + checksum(body)
}

func checksum(body string) string {
	n := crc32.ChecksumIEEE([]byte(body))
	out := make([]byte, 6)
	for i := 5; i >= 0; i-- {
		out[i] = base62[n%62]
		n /= 62
	}
	return string(out)
}

// TokenKindOf returns the kind a secret claims by its prefix and checksum, or
// "" when it is not a well-formed dispatchd token (no store lookup needed).
func TokenKindOf(secret string) string {
	kind, body := "", ""
	switch {
	case strings.HasPrefix(secret, PrefixFineGrained):
		kind, body = TokenFineGrained, secret[len(PrefixFineGrained):]
	case strings.HasPrefix(secret, PrefixClassic):
		kind, body = TokenClassic, secret[len(PrefixClassic):]
	default:
		return ""
	}
	if len(body) != 36 || checksum(body[:30]) != body[30:] {
		return ""
	}
	return kind
}

// HashToken is what the store keeps of a secret.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// IsJobToken reports whether the token is a job's GITHUB_TOKEN. Events a
// job token causes start no workflow runs (GitHub's rule, except for
// workflow_dispatch and repository_dispatch): a push made with it is
// recorded as an event and runs nothing. Safe on a nil token.
func (t *Token) IsJobToken() bool { return t != nil && t.Kind == TokenJob }
