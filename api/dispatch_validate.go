package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/dispatchd/dispatchd"
)

// The dispatch bodies are validated against closed schemas, with the
// messages GitHub's validator gives (CONTRACT §1, §2): one "Invalid
// request." message listing every violation, and an `errors` entry for each.

// MaxClientPayload is the largest client_payload, serialized (CONTRACT §1).
const MaxClientPayload = 65535

// schemaErrors collects violations of a request schema.
type schemaErrors struct {
	lines  []string
	fields []dispatchd.FieldError
}

func (e *schemaErrors) add(field, code, line string) {
	e.lines = append(e.lines, line)
	e.fields = append(e.fields, dispatchd.FieldError{Resource: "Dispatch", Field: field, Code: code, Message: line})
}

func (e *schemaErrors) err() error {
	if len(e.lines) == 0 {
		return nil
	}
	return &dispatchd.Error{Code: dispatchd.EINVALID, Message: "Invalid request.\n\n" + strings.Join(e.lines, "\n"), Errors: e.fields}
}

// closedKeys reports keys the schema does not allow.
func (e *schemaErrors) closedKeys(body map[string]json.RawMessage, allowed ...string) {
	var extra []string
	for k := range body {
		if !contains(allowed, k) {
			extra = append(extra, k)
		}
	}
	if len(extra) == 0 {
		return
	}
	sort.Strings(extra)
	quoted := make([]string, len(extra))
	for i, k := range extra {
		quoted[i] = fmt.Sprintf("%q", k)
	}
	verb := "are not permitted keys."
	if len(extra) == 1 {
		verb = "is not a permitted key."
	}
	e.add(strings.Join(extra, ","), "invalid", strings.Join(quoted, ", ")+" "+verb)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// kind names a JSON value's type as the validator's messages do.
func kind(raw json.RawMessage) string {
	switch t := bytes.TrimSpace(raw); {
	case len(t) == 0:
		return ""
	case t[0] == '"':
		return "string"
	case t[0] == '{':
		return "object"
	case t[0] == '[':
		return "array"
	case t[0] == 't' || t[0] == 'f':
		return "boolean"
	case t[0] == 'n':
		return "null"
	}
	return "number"
}

// shown renders a value in a message: nil for null, compact JSON otherwise.
func shown(raw json.RawMessage) string {
	if kind(raw) == "null" {
		return "nil"
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	if b.Len() > 100 {
		return b.String()[:100] + "…"
	}
	return b.String()
}

// str checks a required or optional string with a length range in characters.
func (e *schemaErrors) str(body map[string]json.RawMessage, key string, required bool, minLen, maxLen int) string {
	raw, ok := body[key]
	if !ok {
		if required {
			e.add(key, "missing_field", fmt.Sprintf("%q wasn't supplied.", key))
		}
		return ""
	}
	if kind(raw) != "string" {
		e.add(key, "invalid", fmt.Sprintf("For 'properties/%s', %s is not a string.", key, shown(raw)))
		return ""
	}
	var s string
	json.Unmarshal(raw, &s)
	switch n := utf8.RuneCountInString(s); {
	case n < minLen:
		e.add(key, "invalid", fmt.Sprintf("For 'properties/%s', %q is too short (minimum is %d characters).", key, s, minLen))
	case maxLen > 0 && n > maxLen:
		e.add(key, "invalid", fmt.Sprintf("For 'properties/%s', the value is too long (maximum is %d characters, %d were supplied).", key, maxLen, n))
	}
	return s
}

// obj checks an optional object with at most maxProps members and returns
// its raw, compacted JSON.
func (e *schemaErrors) obj(body map[string]json.RawMessage, key string, maxProps int) json.RawMessage {
	raw, ok := body[key]
	if !ok {
		return nil
	}
	if kind(raw) != "object" {
		e.add(key, "invalid", fmt.Sprintf("For 'properties/%s', %s is not an object.", key, shown(raw)))
		return nil
	}
	members, _ := splitObject(raw) // valid: a member of a valid body
	if len(members) > maxProps {
		e.add(key, "invalid", fmt.Sprintf("No more than %d properties are allowed; %d were supplied.", maxProps, len(members)))
	}
	var b bytes.Buffer
	json.Compact(&b, raw)
	return b.Bytes()
}

// boolean checks an optional boolean.
func (e *schemaErrors) boolean(body map[string]json.RawMessage, key string) bool {
	raw, ok := body[key]
	if !ok {
		return false
	}
	if kind(raw) != "boolean" {
		e.add(key, "invalid", fmt.Sprintf("For 'properties/%s', %s is not a boolean.", key, shown(raw)))
		return false
	}
	return bytes.Equal(bytes.TrimSpace(raw), []byte("true"))
}
