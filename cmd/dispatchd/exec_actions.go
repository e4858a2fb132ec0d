package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/dispatchd/dispatchd/agent"
	"github.com/dispatchd/dispatchd/runner"
)

// execActions is where dispatchd exec fetches `uses: OWNER/REPO@REF`
// from: the git of the dispatchd server at DISPATCHD_URL, with
// DISPATCHD_TOKEN when it is set (anonymously otherwise: public
// repositories only). Without DISPATCHD_URL such steps fail saying so.
func execActions() runner.ActionFetcher {
	if u := strings.TrimSpace(os.Getenv("DISPATCHD_URL")); u != "" {
		return &agent.ServerActions{URL: u, Token: strings.TrimSpace(os.Getenv("DISPATCHD_TOKEN"))}
	}
	return noActionSource{}
}

// noActionSource fails every fetch with what to do.
type noActionSource struct{}

func (noActionSource) Fetch(_ context.Context, owner, repo, _, _ string) error {
	return fmt.Errorf("remote actions need DISPATCHD_URL: dispatchd exec fetches %s/%s from a dispatchd server's git; set DISPATCHD_URL to its root URL (and DISPATCHD_TOKEN to read private repositories)",
		owner, repo)
}
