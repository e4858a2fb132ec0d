package dispatch

import (
	"encoding/json"

	"github.com/dispatchd/dispatchd"
)

// The payloads are GitHub's webhook payloads of the two events (CONTRACT
// §3); a run sees them as github.event and in $GITHUB_EVENT_PATH.

type repositoryDispatchPayload struct {
	Action        string          `json:"action"`
	Branch        string          `json:"branch"`
	ClientPayload json.RawMessage `json:"client_payload"`
	Repository    map[string]any  `json:"repository"`
	Organization  map[string]any  `json:"organization,omitempty"`
	Sender        map[string]any  `json:"sender"`
}

type workflowDispatchPayload struct {
	Inputs       map[string]string `json:"inputs"`
	Ref          string            `json:"ref"`
	Repository   map[string]any    `json:"repository"`
	Organization map[string]any    `json:"organization,omitempty"`
	Sender       map[string]any    `json:"sender"`
	Workflow     string            `json:"workflow"`
}

func (s *Service) repositoryDispatchPayload(repo *dispatchd.Repo, sender *dispatchd.User, eventType string, clientPayload json.RawMessage) ([]byte, error) {
	if len(clientPayload) == 0 {
		clientPayload = json.RawMessage("{}")
	}
	p := repositoryDispatchPayload{Action: eventType, Branch: repo.DefaultBranch, ClientPayload: clientPayload,
		Repository: s.URLs.Repository(repo, nil), Sender: s.URLs.SimpleUser(sender)}
	if repo.Owner.IsOrg() {
		p.Organization = s.URLs.Organization(repo.Owner)
	}
	return marshal(p)
}

func (s *Service) workflowDispatchPayload(repo *dispatchd.Repo, sender *dispatchd.User, ref, path string, inputs map[string]string) ([]byte, error) {
	if inputs == nil {
		inputs = map[string]string{}
	}
	p := workflowDispatchPayload{Inputs: inputs, Ref: ref, Repository: s.URLs.Repository(repo, nil),
		Sender: s.URLs.SimpleUser(sender), Workflow: path}
	if repo.Owner.IsOrg() {
		p.Organization = s.URLs.Organization(repo.Owner)
	}
	return marshal(p)
}

// marshal encodes without HTML escaping, as GitHub's payloads are.
func marshal(v any) ([]byte, error) {
	var b jsonBuffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.bytes(), nil
}

type jsonBuffer struct{ data []byte }

func (b *jsonBuffer) Write(p []byte) (int, error) { b.data = append(b.data, p...); return len(p), nil }

// bytes drops the encoder's trailing newline.
func (b *jsonBuffer) bytes() []byte {
	if n := len(b.data); n > 0 && b.data[n-1] == '\n' {
		return b.data[:n-1]
	}
	return b.data
}
