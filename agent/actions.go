package agent

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"

	"github.com/dispatchd/dispatchd/runner"
	"github.com/dispatchd/dispatchd/runnerproto"
)

// ServerActions is the runner.ActionFetcher of jobs that run against a
// dispatchd server: `uses: OWNER/REPO[/PATH]@REF` is fetched from the
// server's git over smart HTTP, <URL>/OWNER/REPO.git, at REF, with git
// (init, a shallow fetch of REF, a detached checkout), as the built-in
// actions/checkout does. The token travels as an HTTP header of the
// fetch only, never in the URL nor in the repository's configuration.
type ServerActions struct {
	URL   string // the server's root URL
	Token string // sent as Basic credentials (x-access-token:TOKEN); empty: anonymous
	// JobToken tells that Token is a job's: it reads the run's own
	// repository and public ones, which a not-found error then says.
	JobToken bool
}

var _ runner.ActionFetcher = (*ServerActions)(nil)

// shaRE is a commit name that a server may refuse to send by itself
// (git only serves what refs point to unless configured otherwise).
var shaRE = regexp.MustCompile(`^[0-9a-fA-F]{7,64}$`)

// Fetch places OWNER/REPO at REF in dir. A repository or ref the server
// does not have (or will not show) is an error wrapping
// runner.ErrActionNotFound.
func (s *ServerActions) Fetch(ctx context.Context, owner, repo, ref, dir string) error {
	if s.URL == "" {
		return fmt.Errorf("this runner has no server URL to fetch %s/%s from", owner, repo)
	}
	if strings.HasPrefix(ref, "-") {
		return fmt.Errorf("%q is not a ref", ref)
	}
	url := strings.TrimRight(s.URL, "/") + "/" + owner + "/" + repo + ".git"
	var g gitCheckout // for its git helper
	if err := g.git(ctx, dir, nil, "-c", "init.defaultBranch=main", "init", "--quiet"); err != nil {
		return err
	}
	var auth []string
	if s.Token != "" {
		basic := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + s.Token))
		auth = []string{"-c", "http.extraHeader=Authorization: Basic " + basic}
	}
	fetch := []string{"fetch", "--quiet", "--no-tags", "--no-recurse-submodules"}
	err := g.git(ctx, dir, auth, append(fetch, "--depth", "1", url, ref)...)
	checkout := "FETCH_HEAD"
	if err != nil && ctx.Err() == nil && shaRE.MatchString(ref) {
		// A commit no ref points to by name: fetch the branches and
		// tags, then look for it among them.
		err = g.git(ctx, dir, auth, append(fetch, url, "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*")...)
		checkout = ref
	}
	if err == nil {
		err = g.git(ctx, dir, nil, "checkout", "--quiet", "--detach", checkout)
		if err != nil && checkout == ref {
			err = fmt.Errorf("%w: %v", runner.ErrActionNotFound, err)
		}
		return err
	}
	if ctx.Err() == nil && notFound(err) {
		if s.JobToken && !strings.Contains(err.Error(), "couldn't find remote ref") {
			return fmt.Errorf("%w: %v (a job's token reads the run's own repository and public ones; a private action repository can't be read with it)",
				runner.ErrActionNotFound, err)
		}
		return fmt.Errorf("%w: %v", runner.ErrActionNotFound, err)
	}
	return err
}

// notFound reports whether git's error says that the repository or the ref
// is not there, or may not be read, rather than that the server could not
// be reached.
func notFound(err error) bool {
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"not found", "couldn't find remote ref", "could not read username", "authentication failed",
		"returned error: 403", "returned error: 404", "returned error: 401", "not our ref", "unadvertised object"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// serverRoot is the server's root URL for a job: its git URL without the
// run's repository (the address the server gave), else the runner's URL.
func serverRoot(pj *runnerproto.Job, fallback string) string {
	if root, ok := strings.CutSuffix(pj.Checkout.GitURL, "/"+pj.Repository+".git"); ok && pj.Repository != "" && root != "" {
		return root
	}
	return fallback
}
