package agent

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/dispatchd/dispatchd/runner"
)

// gitCheckout is the built-in actions/checkout of a remote runner: the git
// CLI fetches the commit from the server's git over smart HTTP with the
// job's token, which is sent as an HTTP header and never written to the
// repository's configuration (nor put in the URL).
type gitCheckout struct {
	repository string // owner/name: the only one the job's token may read
	url        string
	token      string
	sha        string // checked out when no ref is given
}

var _ runner.Checkouter = (*gitCheckout)(nil)

func (c *gitCheckout) Checkout(ctx context.Context, dir string, o runner.CheckoutOptions) error {
	if o.Repository != "" && !strings.EqualFold(o.Repository, c.repository) {
		return fmt.Errorf("checking out %s: the built-in actions/checkout checks out the run's own repository (%s) for now",
			o.Repository, c.repository)
	}
	if c.url == "" {
		return fmt.Errorf("checking out %s: the server gave no git URL for the job", c.repository)
	}
	ref := o.Ref
	if ref == "" {
		ref = c.sha
	}
	if ref == "" {
		return fmt.Errorf("checking out %s: no ref, and the server gave no commit for the job", c.repository)
	}
	if strings.HasPrefix(ref, "-") {
		return fmt.Errorf("checking out %s: %q is not a ref", c.repository, ref)
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := c.git(ctx, dir, nil, "-c", "init.defaultBranch=main", "init", "--quiet"); err != nil {
		return err
	}
	// origin is there for the steps' git commands, without credentials.
	if err := c.git(ctx, dir, nil, "remote", "add", "origin", c.url); err != nil {
		return err
	}
	fetch := []string{"fetch", "--quiet", "--no-tags", "--no-recurse-submodules"}
	if o.FetchDepth > 0 {
		fetch = append(fetch, "--depth", strconv.Itoa(o.FetchDepth))
	}
	fetch = append(fetch, "origin", ref)
	// The token travels in a -c option, for this command only.
	var config []string
	if c.token != "" {
		basic := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + c.token))
		config = []string{"-c", "http.extraHeader=Authorization: Basic " + basic}
	}
	if err := c.git(ctx, dir, config, fetch...); err != nil {
		return err
	}
	return c.git(ctx, dir, nil, "checkout", "--quiet", "--detach", "FETCH_HEAD")
}

// git runs git in dir, without the credential helpers and prompts of the
// machine: the job's token is the only credential. The error names the
// subcommand and carries git's output, never the -c options.
func (c *gitCheckout) git(ctx context.Context, dir string, config []string, args ...string) error {
	argv := append([]string{"-c", "credential.helper="}, config...)
	argv = append(argv, args...)
	cmd := exec.CommandContext(ctx, "git", argv...)
	cmd.Dir = dir
	cmd.Env = gitEnvironment(os.Environ())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return nil
}

// gitEnvironment is the environment of the checkout's git commands: the
// runner's, without the variables that would point git at another
// repository, and with no terminal prompt.
func gitEnvironment(base []string) []string {
	env := make([]string, 0, len(base)+1)
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
			"GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES", "GIT_TERMINAL_PROMPT", "GIT_ASKPASS",
			"GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "GIT_TERMINAL_PROMPT=0")
}
