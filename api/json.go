package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/dispatchd/dispatchd"
)

// object is a decoded JSON request body; numbers stay json.Number so that
// type errors can quote what the caller sent.
type object map[string]any

var (
	errProblemsParsing = dispatchd.Errorf(dispatchd.EBADREQUEST, "Problems parsing JSON")
	errNotObject       = dispatchd.Errorf(dispatchd.EBADREQUEST, "Body should be a JSON object")
)

// readBody reads a request body of at most MaxBody bytes: a larger one is
// refused with 413, from its Content-Length without reading it, or as soon
// as the limit is passed. It returns nil for an empty body.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > s.MaxBody {
		return nil, tooLarge(s.MaxBody)
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.MaxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, tooLarge(s.MaxBody)
	} else if err != nil {
		return nil, errProblemsParsing
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	if !utf8.Valid(data) {
		return nil, errProblemsParsing
	}
	return data, nil
}

// readRaw reads a JSON object body keeping each member's raw JSON, for
// bodies whose parts are stored as sent (client_payload keeps its key order).
func (s *Server) readRaw(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, error) {
	data, err := s.readBody(w, r)
	if err != nil || data == nil {
		return map[string]json.RawMessage{}, err
	}
	if !json.Valid(data) {
		return nil, errProblemsParsing
	}
	m, ok := splitObject(data)
	if !ok {
		return nil, errNotObject
	}
	return m, nil
}

// readObject reads a JSON object body; an empty body is an empty object.
func (s *Server) readObject(w http.ResponseWriter, r *http.Request) (object, error) {
	data, err := s.readBody(w, r)
	if err != nil {
		return nil, err
	} else if data == nil {
		return object{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, errProblemsParsing
	}
	if dec.More() {
		return nil, errProblemsParsing
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errNotObject
	}
	return object(obj), nil
}

func tooLarge(limit int64) error {
	return dispatchd.Errorf(dispatchd.ETOOLARGE, "Request body is larger than the %d bytes this server accepts.", limit)
}

// invalidType is GitHub's message for a schema type violation.
func invalidType(key string, v any, want string) error {
	return dispatchd.Errorf(dispatchd.EINVALID, "Invalid request.\n\nFor 'properties/%s', %s is not %s.", key, repr(v), want)
}

// repr renders a value the way GitHub's validator quotes it.
func repr(v any) string {
	if v == nil {
		return "nil"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// str returns the string at key; present is false when the key is absent.
func (o object) str(key string) (val string, present bool, err error) {
	v, ok := o[key]
	if !ok {
		return "", false, nil
	}
	s, isStr := v.(string)
	if !isStr {
		return "", true, invalidType(key, v, "a string")
	}
	return s, true, nil
}

// boolean returns the boolean at key.
func (o object) boolean(key string) (val bool, present bool, err error) {
	v, ok := o[key]
	if !ok {
		return false, false, nil
	}
	b, isBool := v.(bool)
	if !isBool {
		return false, true, invalidType(key, v, "a boolean")
	}
	return b, true, nil
}
