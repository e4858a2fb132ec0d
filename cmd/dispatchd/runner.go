package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/dispatchd/dispatchd/agent"
	"github.com/dispatchd/dispatchd/runner"
	"github.com/dispatchd/dispatchd/runnerproto"
	"github.com/spf13/cobra"
)

type runnerOptions struct {
	url, token, name, work, credentials string
	labels                              []string
	capacity                            int
}

func newRunnerCmd() *cobra.Command {
	var o runnerOptions
	cmd := &cobra.Command{
		Use:   "runner",
		Short: "Run a self-hosted runner that takes jobs from a dispatchd server",
		Long: `Run a self-hosted runner: it takes the jobs whose runs-on labels it has from a
dispatchd server and executes them on this machine, as the server's embedded
runners do.

The first start registers the runner with a registration token (from
POST /repos/{owner}/{repo}/actions/runners/registration-token, or the
organization's) and keeps its credentials in the credentials file; later
starts use that file and need no token. SIGINT or SIGTERM stops the runner:
running jobs are cancelled and reported.`,
		Example: `  dispatchd runner --url http://dispatchd.example:8080 --token AABBCC --labels gpu,linux-big
  dispatchd runner                  # later: the credentials file knows the rest`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRunner(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.url, "url", "", "root URL of the dispatchd server (default: the one in the credentials file)")
	f.StringVar(&o.token, "token", "", "registration token, needed when there is no credentials file yet")
	f.StringVar(&o.name, "name", "", "the runner's name when registering (default: the host name)")
	f.StringSliceVar(&o.labels, "labels", nil, "custom labels when registering, comma-separated (self-hosted, the OS and the architecture are added)")
	f.IntVar(&o.capacity, "capacity", 1, "jobs executed at once")
	f.StringVar(&o.work, "work", "_work", "work directory: a directory per running job, removed after it")
	f.StringVar(&o.credentials, "credentials", ".dispatchd-runner.json", "credentials file, written at registration (mode 0600)")
	return cmd
}

func runRunner(ctx context.Context, o runnerOptions, stdout, stderr io.Writer) error {
	if o.capacity < 1 {
		return fmt.Errorf("--capacity %d: a runner executes at least one job at a time", o.capacity)
	}
	if o.url != "" {
		if err := checkServerURL(o.url); err != nil {
			return err
		}
	}
	creds, err := readCredentials(o.credentials)
	switch {
	case err == nil:
		if o.token != "" {
			fmt.Fprintf(stderr, "dispatchd: using the credentials in %s; --token is not needed (remove the file to register again)\n", o.credentials)
		}
	case errors.Is(err, fs.ErrNotExist):
		if creds, err = registerRunner(ctx, o); err != nil {
			return err
		}
	default:
		return err
	}
	serverURL := creds.URL
	if o.url != "" {
		serverURL = strings.TrimSuffix(o.url, "/")
	}

	var mu sync.Mutex // jobs end on their own goroutines
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stdout, format+"\n", args...)
	}
	labels := "(none)"
	if len(creds.Labels) > 0 {
		labels = strings.Join(creds.Labels, ", ")
	}
	err = agent.Run(ctx, agent.Config{
		URL: serverURL, Token: creds.Token, Capacity: o.capacity, WorkDir: o.work,
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Connected: func() {
			say("Runner %s (id %d) listening for jobs on %s with labels %s", creds.Name, creds.ID, serverURL, labels)
		},
		JobStarted: func(job *runnerproto.Job) { say("Job %s (id %d) started", job.Name, job.ID) },
		JobFinished: func(job *runnerproto.Job, res runner.Result, reported bool) {
			if reported {
				say("Job %s (id %d) completed: %s", job.Name, job.ID, res.Result)
			} else {
				say("Job %s (id %d) completed: %s (not reported: the server gave the job up or could not be reached)",
					job.Name, job.ID, res.Result)
			}
		},
	})
	if errors.Is(err, agent.ErrCredentialsRefused) {
		return fmt.Errorf("%w\n(remove %s and register the runner again with a new --token)", err, o.credentials)
	}
	return err
}

func checkServerURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--url %q: use the server's root URL, http://host:port or https://host", s)
	}
	return nil
}

// registerRunner registers with --token and writes the credentials file.
func registerRunner(ctx context.Context, o runnerOptions) (*runnerproto.Credentials, error) {
	if o.url == "" || o.token == "" {
		return nil, fmt.Errorf("no credentials file %s: register the runner with --url and --token (a registration token)", o.credentials)
	}
	name := o.name
	if name == "" {
		h, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("--name is needed: %w", err)
		}
		name = h
	}
	creds, err := agent.Register(ctx, o.url, o.token, name, o.labels)
	if err != nil {
		return nil, err
	}
	if err := writeCredentials(o.credentials, creds); err != nil {
		return nil, fmt.Errorf("the runner is registered (id %d) but its credentials could not be saved: %w", creds.ID, err)
	}
	return creds, nil
}

func readCredentials(path string) (*runnerproto.Credentials, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c runnerproto.Credentials
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("credentials file %s: %w", path, err)
	}
	if c.Token == "" || c.URL == "" {
		return nil, fmt.Errorf("credentials file %s: no url or token in it; remove it to register again", path)
	}
	return &c, nil
}

// writeCredentials creates the file, readable by its owner only; it does
// not overwrite one.
func writeCredentials(path string, c *runnerproto.Credentials) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}
