package webhook

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/dispatchd/dispatchd"
)

// Limits of a delivery.
const (
	// MaxPayload is GitHub's cap: a larger payload is not sent at all.
	MaxPayload = 25 << 20
	// MaxResponseBody is how much of a response a delivery keeps.
	MaxResponseBody = 64 << 10
	// drainLimit is how much more of a response is read to keep its
	// connection alive; a longer one closes the connection instead.
	drainLimit = 1 << 20
)

var (
	// ErrTooLarge is a payload over MaxPayload: the delivery is dropped.
	ErrTooLarge = errors.New("payload too large")
	// ErrInactive is a delivery to a hook that was deactivated since it
	// was queued: the delivery is dropped.
	ErrInactive = errors.New("hook inactive")
	// errNotSendable is a request that cannot be built (a bad URL, a
	// secret that does not decrypt): retrying cannot help.
	errNotSendable = errors.New("not sendable")
)

// ClientOptions configure a Client.
type ClientOptions struct {
	Timeout      time.Duration // per attempt, connection to last body byte (default 10 s, GitHub's)
	AllowPrivate bool          // allow loopback and private addresses (see Control)
	MaxConns     int           // idle connections kept per host (default 64)
}

// Client sends deliveries: redirects are not followed (the 3xx is the
// answer, as on GitHub), connections are reused, every connection goes
// through the guard, and a hook's insecure_ssl skips certificate checks.
type Client struct {
	secure, insecure *http.Client
}

// NewClient returns a Client.
func NewClient(o ClientOptions) *Client {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 64
	}
	dialer := &net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second, Control: Control(o.AllowPrivate)}
	client := func(insecure bool) *http.Client {
		return &http.Client{
			Timeout: o.Timeout,
			Transport: &http.Transport{
				Proxy:               nil, // a proxy would be the address the guard checks
				DialContext:         dialer.DialContext,
				ForceAttemptHTTP2:   true,
				MaxIdleConns:        4 * o.MaxConns,
				MaxIdleConnsPerHost: o.MaxConns,
				IdleConnTimeout:     90 * time.Second,
				TLSHandshakeTimeout: o.Timeout,
				TLSClientConfig:     &tls.Config{InsecureSkipVerify: insecure},
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return &Client{secure: client(false), insecure: client(true)}
}

// Send makes one attempt at delivering d to h, signed with secret. The
// error is why no response arrived (the attempt's Error says it too).
func (c *Client) Send(ctx context.Context, h *dispatchd.Hook, d *dispatchd.Delivery, secret string) (*dispatchd.DeliveryAttempt, error) {
	start := time.Now()
	a := &dispatchd.DeliveryAttempt{DeliveryID: d.ID, At: start}
	fail := func(err error, msg string) (*dispatchd.DeliveryAttempt, error) {
		a.Duration = time.Since(start).Seconds()
		a.Error, a.Status = msg, msg
		return a, err
	}
	if len(d.Payload) > MaxPayload {
		return fail(ErrTooLarge, fmt.Sprintf("payload is %d bytes, over the 25 MB limit: not sent", len(d.Payload)))
	}
	req, err := NewRequest(ctx, h, d, secret)
	if err != nil {
		return fail(fmt.Errorf("%w: %v", errNotSendable, err), "invalid request: "+err.Error())
	}
	a.RequestHeaders = flatten(req.Header)
	client := c.secure
	if h.InsecureSSL == "1" {
		client = c.insecure
	}
	resp, err := client.Do(req)
	if err != nil {
		return fail(err, describe(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBody))
	if err == nil {
		io.CopyN(io.Discard, resp.Body, drainLimit) // to reuse the connection
	}
	a.Duration = time.Since(start).Seconds()
	a.StatusCode, a.ResponseHeaders = resp.StatusCode, flatten(resp.Header)
	a.ResponseBody = strings.ToValidUTF8(string(body), "\uFFFD")
	a.Status = "OK"
	if !a.OK() {
		a.Status = fmt.Sprintf("Invalid HTTP Response: %d", resp.StatusCode)
	}
	return a, nil
}

// describe says why no response arrived, in a delivery's words.
func describe(err error) string {
	var refused *RefusedError
	var dns *net.DNSError
	var ue *url.Error
	switch {
	case errors.As(err, &refused):
		return refused.Error()
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || isTimeout(err):
		return "timed out"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by peer"
	case errors.As(err, &dns):
		return "could not resolve host " + dns.Name
	case errors.As(err, &ue):
		return ue.Err.Error()
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
