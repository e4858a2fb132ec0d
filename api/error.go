package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/dispatchd/dispatchd"
)

// errMethodNotAllowed is an HTTP-only condition, so its code lives here.
const errMethodNotAllowed = "method_not_allowed"

// statusOf maps a domain error code to its HTTP status: the one place that does.
func statusOf(code string) int {
	switch code {
	case dispatchd.EBADREQUEST:
		return http.StatusBadRequest
	case dispatchd.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case dispatchd.EFORBIDDEN:
		return http.StatusForbidden
	case dispatchd.ENOTFOUND:
		return http.StatusNotFound
	case errMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case dispatchd.ECONFLICT:
		return http.StatusConflict
	case dispatchd.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case dispatchd.EINVALID:
		return http.StatusUnprocessableEntity
	case dispatchd.ENOTIMPLEMENTED:
		return http.StatusNotImplemented
	}
	return http.StatusInternalServerError
}

// errorBody is GitHub's basic-error and validation-error shape.
type errorBody struct {
	Message          string                 `json:"message"`
	Errors           []dispatchd.FieldError `json:"errors,omitempty"`
	DocumentationURL string                 `json:"documentation_url"`
	Status           string                 `json:"status"`
}

// writeError answers with GitHub's error body. Internal errors are logged
// with the request id and never shown.
func writeError(w http.ResponseWriter, r *http.Request, err error, docURL string) {
	code := dispatchd.ErrorCode(err)
	status := statusOf(code)
	if status == http.StatusInternalServerError {
		loggerFrom(r.Context()).Error("internal error", "err", err)
	}
	if docURL == "" {
		docURL = "https://docs.github.com/rest"
	}
	body := errorBody{Message: dispatchd.ErrorMessage(err), DocumentationURL: docURL, Status: strconv.Itoa(status)}
	if e, ok := err.(*dispatchd.Error); ok {
		body.Errors = e.Errors
	}
	if status == http.StatusUnauthorized && r.URL.Path != "" && isGitPath(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="dispatchd"`)
	}
	writeJSON(w, status, body)
}

// writeJSON answers with a JSON body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
