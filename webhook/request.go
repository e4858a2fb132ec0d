package webhook

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/dispatchd/dispatchd"
)

// UserAgent is sent with every delivery; GitHub's always starts GitHub-Hookshot/.
const UserAgent = "GitHub-Hookshot/dispatchd"

// Body returns what a hook of contentType receives for payload: the JSON
// itself, or a form with the JSON in its payload field.
func Body(contentType string, payload []byte) (body []byte, mediaType string) {
	if contentType == dispatchd.HookContentJSON {
		return payload, "application/json"
	}
	return []byte("payload=" + url.QueryEscape(string(payload))), "application/x-www-form-urlencoded"
}

// NewRequest builds the POST that GitHub would send for d to h, signed
// with secret when it is not empty. The signatures cover the body as sent.
func NewRequest(ctx context.Context, h *dispatchd.Hook, d *dispatchd.Delivery, secret string) (*http.Request, error) {
	body, mediaType := Body(h.ContentType, d.Payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	// GitHub's spelling: Go would send X-Github-Event through Header.Set.
	// Receivers look headers up case-insensitively either way.
	set := func(k, v string) { req.Header[k] = []string{v} }
	set("Accept", "*/*")
	set("User-Agent", UserAgent)
	set("Content-Type", mediaType)
	set("X-GitHub-Event", d.Event)
	set("X-GitHub-Delivery", d.GUID)
	set("X-GitHub-Hook-ID", strconv.FormatInt(h.ID, 10))
	set("X-GitHub-Hook-Installation-Target-Type", h.TargetType())
	set("X-GitHub-Hook-Installation-Target-ID", strconv.FormatInt(h.OwnerID, 10))
	if secret != "" {
		set("X-Hub-Signature", Sign1(secret, body))
		set("X-Hub-Signature-256", Sign256(secret, body))
	}
	return req, nil
}

// flatten keeps the first value of each header, as a delivery records them.
func flatten(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	return out
}
