package dispatchd

import (
	"errors"
	"fmt"
)

// Error codes. The API maps each code to GitHub's status and body in one place
// (api/error.go); nothing else decides an HTTP status.
const (
	ECONFLICT       = "conflict"        // 409, or 422 already_exists for creations
	EINTERNAL       = "internal"        // 500
	EINVALID        = "invalid"         // 422 Validation Failed / Invalid request
	EBADREQUEST     = "bad_request"     // 400
	ENOTFOUND       = "not_found"       // 404
	EUNAUTHORIZED   = "unauthorized"    // 401
	EFORBIDDEN      = "forbidden"       // 403
	ETOOLARGE       = "too_large"       // 413
	ENOTIMPLEMENTED = "not_implemented" // 501
)

// Error is a domain error with a code and a message meant for the caller.
type Error struct {
	Code    string
	Message string
	// Errors is GitHub's validation `errors` array, for EINVALID.
	Errors []FieldError
}

// FieldError is one entry of a GitHub validation error's `errors` array.
type FieldError struct {
	Resource string `json:"resource,omitempty"`
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Message  string `json:"message,omitempty"`
	Value    any    `json:"value,omitempty"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("dispatchd error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, EINTERNAL otherwise.
// (e is declared past the nil check: errors.As moves it to the heap, and
// most callers pass nil.)
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the caller-facing message of err, hiding internal details.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
