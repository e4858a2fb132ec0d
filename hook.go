package dispatchd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// Hook content types (the hook config's content_type).
const (
	HookContentJSON = "json"
	HookContentForm = "form"
)

// Hook states of LastResponse.Status.
const (
	HookStatusUnused = "unused"
	HookStatusActive = "active"
	HookStatusFailed = "failed"
)

// HookFailingAfter is how many failed attempts in a row mark a hook Failing.
const HookFailingAfter = 5

// Hook is a repository's or an organization's webhook (Scope ScopeRepo or
// ScopeOrg, OwnerID the repository's or the organization's id).
//
// The store keeps only SealedSecret: the secret encrypted under the server
// key by the caller (seal.Keys.Encrypt with HookSecretAAD), exactly as
// secrets are kept. Secret is the plain value in memory: the store neither
// reads nor fills it; webhook.SealSecret and webhook.OpenSecret convert.
type Hook struct {
	ID           int64
	Scope        string
	OwnerID      int64
	Name         string // always "web"
	URL          string
	ContentType  string // HookContentJSON or HookContentForm (default)
	Secret       string
	SealedSecret []byte // nil when the hook has no secret
	InsecureSSL  string // "0" or "1"
	Events       []string
	Active       bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
	LastResponse HookResponse
	// Failing is set after HookFailingAfter failed attempts in a row and
	// cleared by the next successful one.
	Failing bool
}

// HookResponse is GitHub's last_response of a hook.
type HookResponse struct {
	Code    int // 0 until the first attempt (null in GitHub's JSON)
	Status  string
	Message string
}

// HasSecret reports whether deliveries to the hook are signed.
func (h *Hook) HasSecret() bool { return len(h.SealedSecret) > 0 || h.Secret != "" }

// Wants reports whether the hook subscribes to event.
func (h *Hook) Wants(event string) bool {
	return slices.Contains(h.Events, event) || slices.Contains(h.Events, "*")
}

// TargetType is the X-GitHub-Hook-Installation-Target-Type of the hook.
func (h *Hook) TargetType() string {
	if h.Scope == ScopeOrg {
		return "organization"
	}
	return "repository"
}

// HookSecretAAD binds a hook's sealed secret to its owner, so that a stored
// value cannot be moved to another repository's or organization's hook. It
// cannot name the hook: the caller seals before the store assigns the id.
func HookSecretAAD(scope string, ownerID int64) string {
	return "hook:" + scope + ":" + strconv.FormatInt(ownerID, 10)
}

func hookInvalid(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: EINVALID, Message: "Validation Failed",
		Errors: []FieldError{{Resource: "Hook", Field: field, Code: "custom", Message: msg}}}
}

// Normalize fills GitHub's defaults (name web, content type form, insecure
// SSL "0", events [push]) and validates the hook; the store calls it.
func (h *Hook) Normalize() error {
	if h.Scope != ScopeRepo && h.Scope != ScopeOrg {
		return Errorf(EINVALID, "Hook scope %q is invalid.", h.Scope)
	}
	if h.Name == "" {
		h.Name = "web"
	}
	if h.ContentType == "" {
		h.ContentType = HookContentForm
	}
	if h.InsecureSSL == "" {
		h.InsecureSSL = "0"
	}
	if len(h.Events) == 0 {
		h.Events = []string{"push"}
	}
	switch {
	case h.Name != "web":
		return hookInvalid("name", "Name must be web.")
	case h.URL == "":
		return hookInvalid("url", "url is missing")
	case h.ContentType != HookContentJSON && h.ContentType != HookContentForm:
		return hookInvalid("content_type", "content_type must be json or form")
	case h.InsecureSSL != "0" && h.InsecureSSL != "1":
		return hookInvalid("insecure_ssl", "insecure_ssl must be 0 or 1")
	}
	if u, err := url.Parse(h.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return hookInvalid("url", "url is not a valid http or https URL")
	}
	var events []string
	for _, e := range h.Events {
		if e == "" {
			return hookInvalid("events", "event names cannot be empty")
		}
		if !slices.Contains(events, e) {
			events = append(events, e)
		}
	}
	h.Events = events
	return nil
}

// Delivery states.
const (
	DeliveryPending   = "pending"   // waiting for its first or next attempt
	DeliveryDelivered = "delivered" // the receiver answered 2xx
	DeliveryFailed    = "failed"    // a final failure, or retries ran out
	DeliveryDropped   = "dropped"   // never sent: too large, hook inactive
)

// DeliveryLease is how long a claimed delivery stays away from other
// claims: longer than an attempt can take (10 s timeout), so that only a
// crashed deliverer's claims come back.
const DeliveryLease = time.Minute

// Delivery is one event sent (or to send) to one hook: a row of the
// webhook outbox. The fields after Redelivery describe the latest attempt.
type Delivery struct {
	ID            int64
	GUID          string // X-GitHub-Delivery; a redelivery keeps it
	HookID        int64
	Event         string
	Action        string
	Payload       []byte // the JSON body
	RepoID        int64  // 0 when the event has no repository
	Redelivery    bool
	State         string
	Attempts      int
	NextAttemptAt time.Time
	CreatedAt     time.Time

	DeliveredAt     time.Time // when the latest attempt was made
	Duration        float64   // seconds
	StatusCode      int
	Status          string // "OK", "Invalid HTTP Response: 500", "connection refused", …
	RequestHeaders  map[string]string
	ResponseHeaders map[string]string
	ResponseBody    string
	Error           string

	// Hook is the hook to deliver to, set by ClaimDueDeliveries only.
	Hook *Hook
}

// DeliveryAttempt is one attempt at a delivery, kept for every attempt.
type DeliveryAttempt struct {
	DeliveryID      int64
	Number          int // 1-based; assigned by RecordAttempt
	At              time.Time
	Duration        float64 // seconds
	StatusCode      int     // 0 when no response arrived
	Status          string
	Error           string // why no response arrived, or why nothing was sent
	RequestHeaders  map[string]string
	ResponseHeaders map[string]string
	ResponseBody    string // truncated by the deliverer
}

// OK reports whether the receiver accepted the delivery.
func (a *DeliveryAttempt) OK() bool { return a.StatusCode >= 200 && a.StatusCode < 300 }

// DeliveryFilter selects a page of a hook's deliveries, as GitHub's list
// of deliveries does.
type DeliveryFilter struct {
	HookID  int64
	Cursor  string // "" or a next value returned before
	PerPage int    // 1–100; 0 is 30
	// Redelivery, when set, keeps only redeliveries (true) or only first
	// deliveries (false).
	Redelivery *bool
	// Status is "", "success" (delivered) or "failure" (failed or dropped,
	// or pending after a failed attempt).
	Status string
}

// DeliveryOutcome is what an attempt decided: the delivery's new State,
// and for DeliveryPending when to try again.
type DeliveryOutcome struct {
	State         string
	NextAttemptAt time.Time
}

// NewDeliveryGUID returns a random (version 4) UUID for X-GitHub-Delivery.
func NewDeliveryGUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	// By hand rather than with fmt: every delivery of a dispatch takes one
	// inside the dispatch's transaction.
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	hex.Encode(out[9:13], b[4:6])
	hex.Encode(out[14:18], b[6:8])
	hex.Encode(out[19:23], b[8:10])
	hex.Encode(out[24:36], b[10:])
	out[8], out[13], out[18], out[23] = '-', '-', '-', '-'
	return string(out[:])
}

// HookService stores hooks and their deliveries (the webhook outbox).
type HookService interface {
	// CreateHook normalizes and stores h, setting ID and times; a hook with
	// the same URL on the same owner is ECONFLICT.
	CreateHook(ctx context.Context, h *Hook) error
	FindHook(ctx context.Context, scope string, ownerID, id int64) (*Hook, error)
	ListHooks(ctx context.Context, scope string, ownerID int64) ([]*Hook, error)
	// UpdateHook replaces the settings of the hook h.ID of h's owner (URL,
	// content type, sealed secret, insecure SSL, events, active).
	UpdateHook(ctx context.Context, h *Hook) error
	// DeleteHook deletes the hook and its deliveries.
	DeleteHook(ctx context.Context, scope string, ownerID, id int64) error
	// HooksFor returns the active hooks of a repository and of its
	// organization (orgID 0 when it has none) that subscribe to event.
	HooksFor(ctx context.Context, repoID, orgID int64, event string) ([]*Hook, error)

	// EnqueueDeliveries stores new pending deliveries, filling ID, GUID
	// (when empty), State, CreatedAt and NextAttemptAt (when zero).
	EnqueueDeliveries(ctx context.Context, ds []*Delivery) error
	// ClaimDueDeliveries leases up to limit deliveries that are due at now,
	// with their Hook. Only the oldest pending delivery of a hook is ever
	// offered, and not while it is leased: one delivery in flight per
	// hook, in creation order. A lease lasts DeliveryLease.
	ClaimDueDeliveries(ctx context.Context, now time.Time, limit int) ([]*Delivery, error)
	// NextDeliveryDue returns when ClaimDueDeliveries may next offer a
	// delivery (zero when nothing is pending).
	NextDeliveryDue(ctx context.Context) (time.Time, error)
	// RecordAttempt stores an attempt at a pending delivery (assigning
	// a.Number), moves it to o, releases its lease and updates the hook's
	// LastResponse and Failing.
	RecordAttempt(ctx context.Context, deliveryID int64, a *DeliveryAttempt, o DeliveryOutcome) error
	// RecordAttemptClaimNext is RecordAttempt and, when the attempt ended
	// the delivery (any outcome but a retry), the claim of the hook's next
	// delivery if it is due at `at` (nil if none): the hook's deliveries
	// follow one another in order without a claim of their own.
	RecordAttemptClaimNext(ctx context.Context, deliveryID int64, a *DeliveryAttempt, o DeliveryOutcome, at time.Time) (*Delivery, error)
	// ResetDeliveryLeases releases every lease: at startup nothing is in flight.
	ResetDeliveryLeases(ctx context.Context) error
	// PruneDeliveries deletes finished deliveries created before t.
	PruneDeliveries(ctx context.Context, before time.Time) (int, error)

	// ListDeliveries lists a hook's deliveries newest first, without
	// payload, headers or bodies; next is "" on the last page.
	ListDeliveries(ctx context.Context, f DeliveryFilter) (ds []*Delivery, next string, err error)
	FindDelivery(ctx context.Context, hookID, id int64) (*Delivery, error)
	// ListDeliveryAttempts returns a delivery's attempts, first first.
	ListDeliveryAttempts(ctx context.Context, deliveryID int64) ([]*DeliveryAttempt, error)
	// Redeliver enqueues a copy of a delivery (same GUID, event and
	// payload) with Redelivery set.
	Redeliver(ctx context.Context, hookID, id int64) (*Delivery, error)
}

// Notice is what a workflow_run or workflow_job delivery is about: a run
// (or one of its jobs) and the state it entered. Its payload is rendered
// from it when the delivery is sent.
type Notice struct {
	RepoID     int64  `json:"repo_id"`
	RunID      int64  `json:"run_id"`
	JobID      int64  `json:"job_id,omitempty"`
	Attempt    int    `json:"attempt"`
	Status     string `json:"status"`
	Conclusion string `json:"conclusion,omitempty"`
}
