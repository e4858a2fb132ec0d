package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/runnerproto"
)

// Timeouts of single requests, so that a connection that died silently
// does not hold a worker for ever. The long poll gets the server's hold
// time and a margin.
const (
	requestTimeout = 30 * time.Second
	acquireTimeout = runnerproto.PollTimeout + 30*time.Second
)

// Retries after network errors and answers worth retrying wait 100 ms
// first, doubling up to 5 s.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// client makes the protocol's calls: JSON in, JSON out, with the runner's
// token as Bearer once it has one.
type client struct {
	base  string // the server's root URL, without the trailing slash
	token string
	http  *http.Client
}

func newClient(url, token string, hc *http.Client) *client {
	if hc == nil {
		hc = &http.Client{}
	}
	return &client{base: strings.TrimSuffix(url, "/"), token: token, http: hc}
}

// statusError is an answer other than 2xx, with the server's message.
type statusError struct {
	path    string
	code    int
	message string
}

func (e *statusError) Error() string {
	msg := e.message
	if msg == "" {
		msg = http.StatusText(e.code)
	}
	return fmt.Sprintf("POST %s: %s (HTTP %d)", e.path, msg, e.code)
}

// statusOf is the HTTP status of an error answer, 0 for a network error.
func statusOf(err error) int {
	var se *statusError
	if errors.As(err, &se) {
		return se.code
	}
	return 0
}

// retryable tells whether the same call may succeed later: network errors,
// 5xx, 429 and 408.
func retryable(err error) bool {
	switch code := statusOf(err); {
	case code == 0:
		return true
	case code >= 500, code == http.StatusTooManyRequests, code == http.StatusRequestTimeout:
		return true
	}
	return false
}

// post sends in as JSON to path and decodes a 2xx answer with a body into
// out (when out is not nil). It returns the status of a 2xx answer; any
// other is a *statusError. wrote, when not nil, is called once the request
// has been written to the server.
func (c *client) post(ctx context.Context, path string, in, out any, timeout time.Duration, wrote func()) (int, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if wrote != nil {
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			WroteRequest: func(i httptrace.WroteRequestInfo) {
				if i.Err == nil {
					wrote()
				}
			},
		})
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "dispatchd-runner/"+dispatchd.Version)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return 0, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		se := &statusError{path: path, code: resp.StatusCode}
		var e runnerproto.Error
		if json.Unmarshal(data, &e) == nil {
			se.message = e.Message
		}
		return resp.StatusCode, se
	}
	if out != nil && resp.StatusCode != http.StatusNoContent && len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("POST %s: the answer is not the expected JSON: %w", path, err)
		}
	}
	return resp.StatusCode, nil
}

// backoff is the wait between attempts: 100 ms doubling to 5 s.
type backoff struct{ d time.Duration }

func (b *backoff) next() time.Duration {
	if b.d == 0 {
		b.d = minBackoff
	} else {
		b.d = min(2*b.d, maxBackoff)
	}
	return b.d
}

func (b *backoff) reset() { b.d = 0 }

// sleep waits d, or less when ctx ends; it tells whether ctx is still alive.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
