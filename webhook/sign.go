// Package webhook delivers dispatchd's webhooks as GitHub does: the
// request (headers, form or JSON body, HMAC signatures), the outbox
// deliverer with its retry schedule, and the guard that keeps deliveries
// away from private networks.
package webhook

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"
)

// Sign256 is X-Hub-Signature-256: "sha256=" and the hex HMAC-SHA256 of body.
func Sign256(secret string, body []byte) string { return "sha256=" + sign(sha256.New, secret, body) }

// Sign1 is the legacy X-Hub-Signature: "sha1=" and the hex HMAC-SHA1 of body.
func Sign1(secret string, body []byte) string { return "sha1=" + sign(sha1.New, secret, body) }

func sign(h func() hash.Hash, secret string, body []byte) string {
	m := hmac.New(h, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}
