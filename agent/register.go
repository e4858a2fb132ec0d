package agent

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/dispatchd/dispatchd/runnerproto"
)

// Register registers a runner named name with the server at serverURL (its
// root URL), with a registration token from the repository's or the
// organization's POST …/actions/runners/registration-token. labels are the
// custom ones; the server adds self-hosted, the OS and the architecture.
// The credentials hold the runner's own token: keep them, a registration
// token is good for a short while only.
func Register(ctx context.Context, serverURL, registrationToken, name string, labels []string) (*runnerproto.Credentials, error) {
	return register(ctx, serverURL, registrationToken, name, labels, nil)
}

func register(ctx context.Context, serverURL, registrationToken, name string, labels []string, hc *http.Client) (*runnerproto.Credentials, error) {
	if serverURL == "" {
		return nil, errors.New("registering the runner: no server URL")
	}
	if registrationToken == "" {
		return nil, errors.New("registering the runner: no registration token")
	}
	if labels == nil {
		labels = []string{}
	}
	c := newClient(serverURL, "", hc)
	var resp runnerproto.RegisterResponse
	_, err := c.post(ctx, runnerproto.PathRegister,
		runnerproto.RegisterRequest{Token: registrationToken, Name: name, Labels: labels}, &resp, requestTimeout, nil)
	if err != nil {
		switch statusOf(err) {
		case http.StatusUnauthorized, http.StatusForbidden:
			return nil, fmt.Errorf("registering the runner: the server refused the registration token: %w", err)
		}
		return nil, fmt.Errorf("registering the runner with %s: %w", serverURL, err)
	}
	if resp.Token == "" {
		return nil, fmt.Errorf("registering the runner with %s: the server answered without a runner token", serverURL)
	}
	return &runnerproto.Credentials{URL: strings.TrimSuffix(serverURL, "/"), ID: resp.ID, Name: resp.Name,
		Token: resp.Token, Labels: resp.Labels}, nil
}
