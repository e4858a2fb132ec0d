package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/dispatchd/dispatchd"
)

type ctxKey int

const (
	keyActor ctxKey = iota
	keyLogger
)

func withActor(ctx context.Context, a *dispatchd.Actor) context.Context {
	return context.WithValue(ctx, keyActor, a)
}

// actorFrom returns the request's actor; anonymous when none was set.
func actorFrom(ctx context.Context) *dispatchd.Actor {
	if a, ok := ctx.Value(keyActor).(*dispatchd.Actor); ok {
		return a
	}
	return &dispatchd.Actor{}
}

func loggerFrom(ctx context.Context) *slog.Logger {
	if rl, ok := ctx.Value(keyLogger).(*requestLog); ok {
		return rl.logger()
	}
	return slog.Default()
}

// requestLog is a request's id and, made when something besides the
// access line logs, its logger: most requests log the access line only,
// and a Logger.With for each cost allocations and a handler clone.
type requestLog struct {
	id   string
	base *slog.Logger
	once sync.Once
	l    *slog.Logger
}

func (rl *requestLog) logger() *slog.Logger {
	rl.once.Do(func() { rl.l = rl.base.With("request_id", rl.id) })
	return rl.l
}

// withRequestID gives every response an X-GitHub-Request-Id and every log
// line of the request the same id.
func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := newRequestID()
		w.Header().Set("X-GitHub-Request-Id", id)
		ctx := context.WithValue(r.Context(), keyLogger, &requestLog{id: id, base: s.Logger})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// newRequestID formats random bytes the way GitHub's ids look (07C0:70A3:…).
func newRequestID() string {
	var b [12]byte
	rand.Read(b[:])
	var h [24]byte
	hex.Encode(h[:], b[:])
	id := make([]byte, 0, 27)
	id = append(append(id, h[0:4]...), ':')
	id = append(append(id, h[4:8]...), ':')
	id = append(append(id, h[8:16]...), ':')
	return string(append(id, h[16:24]...))
}

// loggingWriter records the status for the access log.
type loggingWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *loggingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *loggingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach Flush through the wrapper.
func (w *loggingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withLogging writes one line per request.
func (s *Server) withLogging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		lw := &loggingWriter{ResponseWriter: w}
		path := r.URL.Path
		next.ServeHTTP(lw, r)
		if lw.status == 0 {
			lw.status = http.StatusOK
		}
		// The same line as loggerFrom's Info would write, without making
		// the request's logger. The duration is a Duration, not float
		// milliseconds: slog's JSON handler encodes a float with
		// encoding/json, 2 % of a dispatch's CPU.
		logger, attrs := s.Logger, make([]slog.Attr, 0, 6)
		if rl, ok := r.Context().Value(keyLogger).(*requestLog); ok {
			logger, attrs = rl.base, append(attrs, slog.String("request_id", rl.id))
		}
		attrs = append(attrs, slog.String("method", r.Method), slog.String("path", path), slog.Int("status", lw.status),
			slog.Duration("duration", time.Since(start)), slog.Int64("bytes", lw.bytes))
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	})
}

// withRecover turns a panic into a logged 500 in GitHub's format, so one bad
// request never takes the server down.
func (s *Server) withRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				loggerFrom(r.Context()).Error("panic", "value", fmt.Sprint(v))
				writeError(w, r, fmt.Errorf("panic: %v", v), "")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// Supported values of X-GitHub-Api-Version.
var apiVersions = map[string]bool{"2022-11-28": true, "2026-03-10": true}

func checkAPIVersion(r *http.Request) error {
	v, ok := r.Header["X-Github-Api-Version"]
	if !ok || apiVersions[v[0]] {
		return nil
	}
	return dispatchd.Errorf(dispatchd.EBADREQUEST,
		`The version you specified in the "X-GitHub-Api-Version" request header, %q, is not a supported version. The following versions are currently supported: "2026-03-10", "2022-11-28".`, v[0])
}
