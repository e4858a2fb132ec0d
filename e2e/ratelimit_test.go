package e2e

import (
	"strconv"
	"testing"
	"time"
)

func TestRateLimits(t *testing.T) {
	s := startServer(t, "--rate-limit", "5")
	other := newTokenFor(t, s, "admin") // a second token of the same user shares the window
	for i := 1; i <= 5; i++ {
		tok := s.Token
		if i%2 == 0 {
			tok = other
		}
		r := s.do("GET", "/api/v3/user", tok, nil)
		if r.Status != 200 || r.Header.Get("X-RateLimit-Limit") != "5" || r.Header.Get("X-RateLimit-Remaining") != strconv.Itoa(5-i) ||
			r.Header.Get("X-RateLimit-Used") != strconv.Itoa(i) || r.Header.Get("X-RateLimit-Resource") != "core" {
			t.Fatalf("request %d: %d %v", i, r.Status, r.Header)
		}
		reset, _ := strconv.ParseInt(r.Header.Get("X-RateLimit-Reset"), 10, 64)
		if until := time.Until(time.Unix(reset, 0)); until < 50*time.Minute || until > 61*time.Minute {
			t.Fatalf("reset in %v", until)
		}
	}
	r := s.do("GET", "/api/v3/user", s.Token, nil)
	if r.Status != 403 || r.Header.Get("Retry-After") == "" || r.Header.Get("X-RateLimit-Remaining") != "0" ||
		r.JSON(t)["message"] != "API rate limit exceeded for user ID 1." {
		t.Fatalf("over the limit: %d %v %s", r.Status, r.Header, r.Body)
	}
	// GET /rate_limit does not count and reports the window.
	rl := s.do("GET", "/api/v3/rate_limit", s.Token, nil)
	core := rl.JSON(t)["resources"].(map[string]any)["core"].(map[string]any)
	if rl.Status != 200 || core["used"] != float64(5) || core["remaining"] != float64(0) {
		t.Fatalf("rate_limit: %d %v", rl.Status, core)
	}
	// Anonymous requests: 60 per hour per address.
	for i := 1; i <= 60; i++ {
		if r := s.do("GET", "/api/v3/", "", nil); r.Status != 200 {
			t.Fatalf("anonymous request %d: %d", i, r.Status)
		}
	}
	r = s.do("GET", "/api/v3/", "", nil)
	if r.Status != 403 || r.Header.Get("X-RateLimit-Limit") != "60" {
		t.Fatalf("anonymous over the limit: %d %v", r.Status, r.Header)
	}
}

func newTokenFor(t *testing.T, s *server, user string) string {
	t.Helper()
	tok := s.admin("token", "create", "--user", user, "--scopes", "repo")
	return tok[:len(tok)-1]
}
