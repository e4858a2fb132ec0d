package dispatch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/expr"
)

// The payloads are GitHub's webhook payloads of the two events (CONTRACT
// §3); a run sees them as github.event and in $GITHUB_EVENT_PATH. They are
// assembled from parts, each rendered once per version of what it shows
// (as JSON for the payload and as a value for expressions), since every
// dispatch to a repository repeats the same repository and sender.

// part is one rendered object of a payload.
type part struct {
	json  []byte
	value any    // the same, as an expression value
	hash  string // of json: the store keeps one copy per hash
}

// partKey names an object and the versions of what it shows: the times
// change whenever the rendered object would, so entries are never stale.
type partKey struct {
	kind       string
	id         int64
	v1, v2, v3 int64
}

func (s *Service) part(key partKey, render func() any) (part, error) {
	if p, ok := s.parts.get(key); ok {
		return p, nil
	}
	data, err := marshal(render())
	if err != nil {
		return part{}, err
	}
	v, err := expr.FromJSON(data)
	if err != nil {
		return part{}, err
	}
	sum := sha256.Sum256(data)
	p := part{json: data, value: v, hash: hex.EncodeToString(sum[:16])}
	s.parts.put(key, p)
	return p, nil
}

func (s *Service) repositoryPart(repo *dispatchd.Repo) (part, error) {
	key := partKey{"repository", repo.ID, repo.UpdatedAt.UnixMicro(), repo.PushedAt.UnixMicro(), repo.Owner.UpdatedAt.UnixMicro()}
	return s.part(key, func() any { return s.URLs.Repository(repo, nil) })
}

func (s *Service) userPart(u *dispatchd.User) (part, error) {
	return s.part(partKey{"user", u.ID, u.UpdatedAt.UnixMicro(), 0, 0}, func() any { return s.URLs.SimpleUser(u) })
}

func (s *Service) organizationPart(org *dispatchd.User) (part, error) {
	return s.part(partKey{"organization", org.ID, org.UpdatedAt.UnixMicro(), 0, 0}, func() any { return s.URLs.Organization(org) })
}

// payload builds an event payload from its members in order, returning the
// JSON and the same as an expression value (github.event).
type payloadBuilder struct {
	buf   bytes.Buffer
	obj   *expr.Object
	parts []dispatchd.PayloadPart
}

func newPayload() *payloadBuilder {
	b := &payloadBuilder{obj: expr.NewObject()}
	b.buf.WriteByte('{')
	return b
}

func (b *payloadBuilder) member(name string, raw []byte, value any) {
	if b.buf.Len() > 1 {
		b.buf.WriteByte(',')
	}
	// Names are this package's constants: plain ASCII, nothing to escape.
	b.buf.WriteByte('"')
	b.buf.WriteString(name)
	b.buf.WriteString(`":`)
	b.buf.Write(raw)
	b.obj.Set(name, value)
}

func (b *payloadBuilder) str(name, value string) {
	raw, _ := marshal(value)
	b.member(name, raw, value)
}

func (b *payloadBuilder) part(name string, p part) {
	b.member(name, p.json, p.value)
	b.parts = append(b.parts, dispatchd.PayloadPart{Offset: b.buf.Len() - len(p.json), Len: len(p.json), Hash: p.hash})
}

// built is a finished payload.
type built struct {
	data  []byte
	obj   *expr.Object // the same as github.event
	parts []dispatchd.PayloadPart
}

func (b *payloadBuilder) done() built {
	b.buf.WriteByte('}')
	return built{b.buf.Bytes(), b.obj, b.parts}
}

// common appends repository, organization (for an organization's
// repository) and sender.
func (s *Service) common(b *payloadBuilder, repo *dispatchd.Repo, sender *dispatchd.User) error {
	rp, op, sp, err := s.commonParts(repo, sender)
	if err != nil {
		return err
	}
	// The parts are most of the payload: one allocation for all of them
	// rather than the buffer doubling its way up to 5 KB.
	b.buf.Grow(len(rp.json) + len(op.json) + len(sp.json) + 64)
	b.part("repository", rp)
	if op.json != nil {
		b.part("organization", op)
	}
	b.part("sender", sp)
	return nil
}

// commonParts returns the repository, organization (zero for a user's
// repository) and sender parts of a payload.
func (s *Service) commonParts(repo *dispatchd.Repo, sender *dispatchd.User) (rp, op, sp part, err error) {
	if rp, err = s.repositoryPart(repo); err != nil {
		return
	}
	if repo.Owner.IsOrg() {
		if op, err = s.organizationPart(repo.Owner); err != nil {
			return
		}
	}
	sp, err = s.userPart(sender)
	return
}

// CommonJSON returns the repository, organization (nil for a user's
// repository) and sender objects of a webhook payload as JSON, rendered
// once per version of each (the parts of dispatch payloads).
func (s *Service) CommonJSON(repo *dispatchd.Repo, sender *dispatchd.User) (repoJSON, orgJSON, senderJSON []byte, err error) {
	rp, op, sp, err := s.commonParts(repo, sender)
	return rp.json, op.json, sp.json, err
}

// RepositoryDispatchPayload is {action, branch, client_payload, repository,
// organization?, sender}, as JSON and as the github.event value.
func (s *Service) RepositoryDispatchPayload(repo *dispatchd.Repo, sender *dispatchd.User, eventType string, clientPayload json.RawMessage) ([]byte, *expr.Object, error) {
	p, err := s.repositoryDispatchPayload(repo, sender, eventType, clientPayload)
	return p.data, p.obj, err
}

func (s *Service) repositoryDispatchPayload(repo *dispatchd.Repo, sender *dispatchd.User, eventType string, clientPayload json.RawMessage) (built, error) {
	if len(clientPayload) == 0 {
		clientPayload = json.RawMessage("{}")
	}
	cp, err := expr.FromJSON(clientPayload)
	if err != nil {
		return built{}, err
	}
	b := newPayload()
	b.str("action", eventType)
	b.str("branch", repo.DefaultBranch)
	b.member("client_payload", clientPayload, cp)
	if err := s.common(b, repo, sender); err != nil {
		return built{}, err
	}
	return b.done(), nil
}

// WorkflowDispatchPayload is {inputs, ref, repository, organization?,
// sender, workflow}; inputs are strings, in the order given.
func (s *Service) WorkflowDispatchPayload(repo *dispatchd.Repo, sender *dispatchd.User, ref, path string,
	order []string, inputs map[string]string) ([]byte, *expr.Object, error) {
	p, err := s.workflowDispatchPayload(repo, sender, ref, path, order, inputs)
	return p.data, p.obj, err
}

func (s *Service) workflowDispatchPayload(repo *dispatchd.Repo, sender *dispatchd.User, ref, path string,
	order []string, inputs map[string]string) (built, error) {
	in := expr.NewObject()
	var raw bytes.Buffer
	raw.WriteByte('{')
	for _, k := range order {
		v, ok := inputs[k]
		if !ok {
			continue
		}
		if raw.Len() > 1 {
			raw.WriteByte(',')
		}
		kj, _ := marshal(k)
		vj, _ := marshal(v)
		raw.Write(kj)
		raw.WriteByte(':')
		raw.Write(vj)
		in.Set(k, v)
	}
	raw.WriteByte('}')
	b := newPayload()
	b.member("inputs", raw.Bytes(), in)
	b.str("ref", ref)
	if err := s.common(b, repo, sender); err != nil {
		return built{}, err
	}
	b.str("workflow", path)
	return b.done(), nil
}

// marshal encodes without HTML escaping, as GitHub's payloads are.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
