package api

import (
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/dispatchd/dispatchd"
)

// GitHub's primary rate limits (CONTRACT §6): an hourly window per user,
// shared by all of the user's tokens, and per IP address for anonymous
// requests. The window starts with its first request. Counts live in this
// process: behind a load balancer each replica counts its own share.

// DefaultRateLimit is the hourly limit per user; AnonymousRateLimit per IP.
const (
	DefaultRateLimit   = 5000
	AnonymousRateLimit = 60
	rateWindow         = time.Hour
)

type window struct {
	used  int
	reset time.Time
}

type limiter struct {
	mu      sync.Mutex
	windows map[string]*window
	now     func() time.Time
}

func newLimiter() *limiter {
	return &limiter{windows: map[string]*window{}, now: time.Now}
}

// take counts one request against key and reports the window after it.
func (l *limiter) take(key string, limit int) (used int, reset time.Time, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	w := l.windows[key]
	if w == nil || !now.Before(w.reset) {
		if len(l.windows) > 100000 {
			l.sweep(now)
		}
		w = &window{reset: now.Add(rateWindow).Truncate(time.Second)}
		l.windows[key] = w
	}
	if w.used >= limit {
		return w.used, w.reset, false
	}
	w.used++
	return w.used, w.reset, true
}

// sweep drops expired windows so anonymous callers cannot grow the map forever.
func (l *limiter) sweep(now time.Time) {
	for k, w := range l.windows {
		if !now.Before(w.reset) {
			delete(l.windows, k)
		}
	}
}

// rateLimit counts the request and writes GitHub's x-ratelimit-* headers;
// past the limit it answers 403 with GitHub's body and Retry-After.
func (s *Server) rateLimit(w http.ResponseWriter, r *http.Request, a *dispatchd.Actor) error {
	if s.RateLimit <= 0 {
		return nil
	}
	key, limit := s.rateKey(r, a)
	used, reset, ok := s.limits.take(key, limit)
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(limit-used))
	h.Set("X-RateLimit-Used", strconv.Itoa(used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
	if ok {
		return nil
	}
	h.Set("Retry-After", strconv.Itoa(max(1, int(time.Until(reset).Seconds()))))
	if a.Anonymous() {
		return dispatchd.Errorf(dispatchd.EFORBIDDEN, "API rate limit exceeded for %s. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)", key[3:])
	}
	if a.Token != nil && a.Token.Kind == dispatchd.TokenJob {
		return dispatchd.Errorf(dispatchd.EFORBIDDEN, "API rate limit exceeded for installation ID %s.", key[len("job-repo:"):])
	}
	return dispatchd.Errorf(dispatchd.EFORBIDDEN, "API rate limit exceeded for user ID %d.", a.User.ID)
}

// JobRateLimit is the hourly limit of the job tokens of one repository, as
// GitHub limits GITHUB_TOKEN.
const JobRateLimit = 1000

// rateKey is the bucket a request counts against and its hourly limit: the
// IP without a token, the repository for job tokens, else the user across
// all of the user's tokens.
func (s *Server) rateKey(r *http.Request, a *dispatchd.Actor) (string, int) {
	switch {
	case a.Anonymous():
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		return "ip:" + host, AnonymousRateLimit
	case a.Token != nil && a.Token.Kind == dispatchd.TokenJob && len(a.Token.Repos) == 1:
		return "job-repo:" + strconv.FormatInt(a.Token.Repos[0].RepoID, 10), JobRateLimit
	}
	return "user:" + strconv.FormatInt(a.User.ID, 10), s.RateLimit
}

// rateLimitStatus answers GET /rate_limit, which does not count.
func (s *Server) rateLimitStatus(w http.ResponseWriter, r *http.Request) error {
	a := actorFrom(r.Context())
	key, limit := s.rateKey(r, a)
	used, reset := 0, time.Now().Add(rateWindow)
	s.limits.mu.Lock()
	if win := s.limits.windows[key]; win != nil && time.Now().Before(win.reset) {
		used, reset = win.used, win.reset
	}
	s.limits.mu.Unlock()
	core := map[string]any{"limit": limit, "used": used, "remaining": max(0, limit-used), "reset": reset.Unix(), "resource": "core"}
	writeJSON(w, http.StatusOK, map[string]any{"resources": map[string]any{"core": core}, "rate": core})
	return nil
}
