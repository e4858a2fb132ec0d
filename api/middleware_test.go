package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// Every line a request logs carries its X-GitHub-Request-Id, the access
// line first among its attributes, as Logger.With would put it.
func TestRequestLogLines(t *testing.T) {
	var buf bytes.Buffer
	s := &Server{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}
	h := s.withRequestID(s.withLogging(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		loggerFrom(r.Context()).Warn("inner", "k", 1)
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte("hello"))
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/api/v3/x", nil))
	id := rec.Header().Get("X-GitHub-Request-Id")
	if !regexp.MustCompile(`^[0-9a-f]{4}:[0-9a-f]{4}:[0-9a-f]{8}:[0-9a-f]{8}$`).MatchString(id) {
		t.Fatalf("request id %q", id)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("log lines: %q", lines)
	}
	var inner, access map[string]any
	json.Unmarshal([]byte(lines[0]), &inner)
	json.Unmarshal([]byte(lines[1]), &access)
	if inner["msg"] != "inner" || inner["request_id"] != id || inner["k"] != 1.0 {
		t.Errorf("inner line %s", lines[0])
	}
	if access["msg"] != "request" || access["request_id"] != id || access["method"] != "POST" || access["path"] != "/api/v3/x" ||
		access["status"] != 201.0 || access["bytes"] != 5.0 {
		t.Errorf("access line %s", lines[1])
	}
	if d, ok := access["duration"].(float64); !ok || d <= 0 { // nanoseconds
		t.Errorf("access line %s", lines[1])
	}
	if i, j := strings.Index(lines[1], `"request_id"`), strings.Index(lines[1], `"method"`); i < 0 || i > j {
		t.Errorf("request_id is not the first attribute: %s", lines[1])
	}
	rec2 := httptest.NewRecorder()
	h.ServeHTTP(rec2, httptest.NewRequest("GET", "/", nil))
	if rec2.Header().Get("X-GitHub-Request-Id") == id {
		t.Error("two requests got the same id")
	}
}
