// Package api serves dispatchd over HTTP: GitHub's REST API under /api/v3,
// git's smart HTTP under /{owner}/{repo}.git, and the health endpoints.
package api

import (
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/broker"
	"github.com/dispatchd/dispatchd/dispatch"
	"github.com/dispatchd/dispatchd/gitrepo"
	"github.com/dispatchd/dispatchd/index"
	"github.com/dispatchd/dispatchd/internal/yield"
	"github.com/dispatchd/dispatchd/render"
)

// DefaultMaxBody is the largest request body the REST API reads.
const DefaultMaxBody = 1 << 20

// Server holds what the handlers need.
type Server struct {
	Store    dispatchd.Store
	Git      *gitrepo.Hub
	Index    *index.Indexer
	Dispatch *dispatch.Service
	// Runs hears of new and cancelled runs; nil when nothing executes them.
	Runs RunExecutor
	// MaxDispatchDepth bounds chains of runs dispatching runs (0: 16).
	MaxDispatchDepth int
	// Broker hands jobs to the runners that talk the runner protocol.
	Broker  *broker.Broker
	Logger  *slog.Logger
	BaseURL string // external root URL without a trailing slash, e.g. http://127.0.0.1:8080
	MaxBody int64
	Key     []byte // the server key: signs log URLs
	// RateLimit is the hourly request limit per user; 0 disables limits.
	RateLimit int
	// Ready reports whether the server accepts work (false while shutting down).
	Ready func() bool
	// Dispatching counts the dispatches in flight, for background work
	// that yields to them (nil: not counted).
	Dispatching *yield.Gauge

	api    *http.ServeMux
	limits *limiter
}

// Handler returns the whole HTTP surface with its middleware.
func (s *Server) Handler() http.Handler {
	if s.MaxBody <= 0 {
		s.MaxBody = DefaultMaxBody
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s.api = http.NewServeMux()
	s.limits = newLimiter()
	s.routes()
	return s.withRequestID(s.withLogging(s.withRecover(http.HandlerFunc(s.dispatch))))
}

// dispatch sends a request to the REST API, git, or the health endpoints.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case path == "/healthz":
		io.WriteString(w, "ok\n")
	case path == "/readyz":
		if s.Ready != nil && !s.Ready() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok\n")
	case path == "/api/v3" || strings.HasPrefix(path, "/api/v3/"):
		s.serveAPI(w, r)
	case strings.HasPrefix(path, logsPrefix) && r.Method == http.MethodGet:
		s.serveSignedLogs(w, r)
	case strings.HasPrefix(path, "/_dispatchd/runner/"):
		s.serveRunner(w, r)
	default:
		if owner, repo, rest, ok := splitGitPath(path); ok {
			s.serveGit(w, r, owner, repo, rest)
			return
		}
		writeError(w, r, dispatchd.ErrNotFound, "")
	}
}

var (
	jsonContentType = []string{"application/json; charset=utf-8"}
	githubMediaType = []string{"github.v3; format=json"}
)

// serveAPI checks what every API request must satisfy, authenticates, and
// routes. Unknown routes and wrong methods get GitHub's JSON errors rather
// than ServeMux's plain text.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// Shared, never-changed values: Set would allocate a slice for each.
	// (Add appends past their length, to a copy.)
	h["Content-Type"], h["X-Github-Media-Type"] = jsonContentType, githubMediaType
	if err := checkAPIVersion(r); err != nil {
		writeError(w, r, err, "https://docs.github.com/rest/about-the-rest-api/api-versions")
		return
	}
	if !cleanPath(r.URL.Path) {
		writeError(w, r, dispatchd.ErrNotFound, "")
		return
	}
	actor, err := s.authenticate(r)
	if err != nil {
		writeError(w, r, err, "")
		return
	}
	r = r.WithContext(withActor(r.Context(), actor))
	r.URL.Path = strings.TrimPrefix(r.URL.Path, "/api/v3")
	if r.URL.Path != "/rate_limit" {
		if err := s.rateLimit(w, r, actor); err != nil {
			writeError(w, r, err, "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api")
			return
		}
	}
	if r.URL.Path == "" {
		r.URL.Path = "/"
	}
	r.URL.RawPath = ""
	// Handler only finds the route; ServeHTTP is what sets the path values.
	if handler, pattern := s.api.Handler(r); pattern == "" {
		s.unmatched(w, r, handler)
		return
	}
	s.api.ServeHTTP(w, r)
}

// unmatched turns ServeMux's 404 and 405 into GitHub's JSON errors, keeping
// the Allow header ServeMux computed.
func (s *Server) unmatched(w http.ResponseWriter, r *http.Request, h http.Handler) {
	rec := &statusRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	if rec.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", rec.header.Get("Allow"))
		writeError(w, r, &dispatchd.Error{Code: errMethodNotAllowed, Message: "Method Not Allowed"}, "")
		return
	}
	writeError(w, r, dispatchd.ErrNotFound, "")
}

type statusRecorder struct {
	header http.Header
	status int
}

func (r *statusRecorder) Header() http.Header         { return r.header }
func (r *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *statusRecorder) WriteHeader(code int)        { r.status = code }

// cleanPath rejects paths with dot segments, empty segments or control
// characters, which ServeMux would otherwise redirect.
func cleanPath(p string) bool {
	for _, seg := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	if strings.Contains(p, "//") {
		return false
	}
	for _, c := range p {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// RunExecutor executes runs: Wake when runs were queued, Cancel when a
// run is cancelled.
type RunExecutor interface {
	Wake()
	Cancel(runID int64)
}

func (s *Server) wakeRuns() {
	if s.Runs != nil {
		s.Runs.Wake()
	}
}

// handlerFunc is a handler that reports its error instead of writing it, so
// that errors become HTTP responses in one place.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle registers a route with the documentation URL its errors carry.
func (s *Server) handle(pattern, doc string, h handlerFunc) {
	docURL := "https://docs.github.com/rest/" + doc
	s.api.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, r, err, docURL)
		}
	})
}

// counted is h with its requests counted in flight on Dispatching.
func (s *Server) counted(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		s.Dispatching.Enter()
		defer s.Dispatching.Leave()
		return h(w, r)
	}
}

func (s *Server) urls() render.URLs { return render.URLs{Base: s.BaseURL} }
