package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/google/go-github/v92/github"
)

// newClient returns a go-github client for the server at DISPATCHD_URL (its
// root URL; the API is beneath /api/v3) with the token DISPATCHD_TOKEN.
func newClient() (*github.Client, error) {
	base := os.Getenv("DISPATCHD_URL")
	if base == "" {
		base = "http://127.0.0.1:8080"
	}
	root := strings.TrimSuffix(base, "/") + "/"
	opts := []github.ClientOptionsFunc{
		github.WithHTTPClient(&http.Client{Timeout: 60 * time.Second}),
		github.WithEnterpriseURLs(root, root),
		github.WithUserAgent("dispatchd-cli/" + dispatchd.Version),
	}
	if tok := os.Getenv("DISPATCHD_TOKEN"); tok != "" {
		opts = append(opts, github.WithAuthToken(tok))
	}
	return github.NewClient(opts...)
}

// splitRepo splits OWNER/REPO.
func splitRepo(s string) (owner, repo string, err error) {
	owner, repo, ok := strings.Cut(s, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return "", "", fmt.Errorf("%q: use OWNER/REPO", s)
	}
	return owner, repo, nil
}

// apiError turns a go-github error into the server's message.
func apiError(err error) error {
	var ge *github.ErrorResponse
	if errors.As(err, &ge) {
		msg := ge.Message
		for _, e := range ge.Errors {
			if e.Message != "" {
				msg += ": " + e.Message
			}
		}
		return fmt.Errorf("%s (HTTP %d)", msg, ge.Response.StatusCode)
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("%w (is dispatchd running at DISPATCHD_URL?)", err)
}
