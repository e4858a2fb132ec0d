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

// readObject reads a JSON object body. Bodies over MaxBody are refused with
// 413 without being read into memory; an empty body is an empty object.
func (s *Server) readObject(w http.ResponseWriter, r *http.Request) (object, error) {
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
		return object{}, nil
	}
	if !utf8.Valid(data) {
		return nil, errProblemsParsing
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
