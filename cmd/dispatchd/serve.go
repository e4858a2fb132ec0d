package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"

	"strings"
	"sync/atomic"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/api"
	"github.com/dispatchd/dispatchd/broker"
	"github.com/dispatchd/dispatchd/dispatch"
	"github.com/dispatchd/dispatchd/index"
	"github.com/dispatchd/dispatchd/internal/yield"
	"github.com/dispatchd/dispatchd/render"
	"github.com/dispatchd/dispatchd/scheduler"
	"github.com/dispatchd/dispatchd/seal"
	"github.com/spf13/cobra"
)

type serveOptions struct {
	addr, data, externalURL, logFormat string
	maxBody                            int64
	rateLimit                          int
	embeddedRunners                    int
	runnerTimeout                      time.Duration
	maxDispatchDepth                   int
	debugAddr                          string
	shutdownTimeout                    time.Duration
	idleTimeout                        time.Duration
	allowPrivateWebhooks               bool
}

func newServeCmd() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the dispatchd server on the embedded SQLite store",
		Long:  "Run the dispatchd server: the GitHub-compatible REST API under /api/v3 and git over HTTP at /{owner}/{repo}.git.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := bindEnv(cmd); err != nil {
				return err
			}
			return serve(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on")
	f.StringVar(&o.data, "data", "./dispatchd-data", "data directory: SQLite database, repositories, server key")
	f.StringVar(&o.externalURL, "external-url", "", "root URL clients use to reach this server (default: derived from --addr)")
	f.StringVar(&o.logFormat, "log-format", "text", "log format: text or json")
	f.Int64Var(&o.maxBody, "max-body", api.DefaultMaxBody, "largest REST request body in bytes; larger ones get 413")
	f.IntVar(&o.rateLimit, "rate-limit", api.DefaultRateLimit, "API requests per hour per user (anonymous: 60 per IP); 0 disables limits")
	f.IntVar(&o.embeddedRunners, "embedded-runners", runtime.NumCPU(), "runners inside the server, each taking one job at a time; 0 runs none here")
	f.IntVar(&o.maxDispatchDepth, "max-dispatch-depth", api.DefaultMaxDispatchDepth, "how many runs may dispatch each other in a chain; the next dispatch is refused with 422")
	f.DurationVar(&o.runnerTimeout, "runner-timeout", broker.DefaultTimeout, "how long a runner holding a job may stay silent before the job fails as lost")
	f.StringVar(&o.debugAddr, "debug-addr", "", "serve Go's pprof profiles on this address (keep it on loopback); off when empty")
	f.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long in-flight requests may finish after SIGINT/SIGTERM")
	f.DurationVar(&o.idleTimeout, "idle-timeout", 2*time.Minute, "how long a keep-alive connection may wait for its next request before the server closes it; 0 never closes it")
	f.BoolVar(&o.allowPrivateWebhooks, "allow-private-webhooks", false, "let webhooks reach loopback and private addresses (receivers on this machine or network)")
	envUsage(cmd)
	return cmd
}

func newLogger(format string, w io.Writer) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("--log-format %q: use text or json", format)
}

func serve(ctx context.Context, o serveOptions, stdout, stderr io.Writer) error {
	logOut := newLineWriter(stderr)
	defer logOut.Close()
	logger, err := newLogger(o.logFormat, logOut)
	if err != nil {
		return err
	}
	if o.idleTimeout < 0 {
		return fmt.Errorf("--idle-timeout %s: use a positive duration, or 0 to keep idle connections open", o.idleTimeout)
	}
	defer tuneRuntime(os.Getenv)()
	dir := dataDir{o.data}
	release, err := dir.lockServe()
	if err != nil {
		return err
	}
	defer release()
	key, err := dir.serverKey()
	if err != nil {
		return err
	}
	db, hub, err := dir.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	baseURL := strings.TrimSuffix(o.externalURL, "/")
	if baseURL == "" {
		baseURL = "http://" + ln.Addr().String()
	}
	if err := bootstrap(ctx, db, baseURL, stdout); err != nil {
		ln.Close()
		return err
	}

	// The scheduler runs whether or not runners run here: remote ones
	// take jobs as well.
	brk := broker.New(o.runnerTimeout)
	sched := scheduler.New(scheduler.Config{Store: db, Broker: brk, Keys: seal.New(key), TokenKey: key, BaseURL: baseURL, Logger: logger})
	schedCtx, stopSched := context.WithCancel(context.WithoutCancel(ctx))
	schedDone := make(chan error, 1)
	go func() { schedDone <- sched.Run(schedCtx) }()
	stopRuns := func() {
		// Runs still going are interrupted and queued again at the next start.
		brk.Close()
		stopSched()
		<-schedDone
	}

	var shuttingDown atomic.Bool
	dispatching := yield.New(dispatchQuiet) // the deliverer yields to dispatches
	srv := &api.Server{Dispatching: dispatching, Runs: sched, Broker: brk, MaxDispatchDepth: o.maxDispatchDepth, Store: db, Git: hub, Index: &index.Indexer{Store: db, Git: hub}, Logger: logger,
		Dispatch: dispatch.New(db, render.URLs{Base: baseURL}),
		BaseURL:  baseURL, MaxBody: o.maxBody, Key: key, RateLimit: o.rateLimit, Ready: func() bool { return !shuttingDown.Load() }}
	db.SetNoticeRenderer(srv.NoticePayload) // workflow_run and workflow_job webhook payloads
	defer startWebhooks(ctx, db, key, o.allowPrivateWebhooks, dispatching, logger)()
	httpServer := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: o.idleTimeout,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	logger.Info("dispatchd listening", "url", baseURL, "addr", ln.Addr().String(), "data", o.data, "version", dispatchd.Version)

	if o.debugAddr != "" {
		go servePprof(o.debugAddr, logger)
	}
	errc := make(chan error, 1)
	go func() { errc <- httpServer.Serve(ln) }()
	stopRunners := func() {}
	if o.embeddedRunners > 0 {
		if stopRunners, err = startEmbeddedRunners(ctx, db, ln.Addr(), o.embeddedRunners, dir.work(), logger); err != nil {
			httpServer.Close()
			stopRuns()
			return err
		}
	}
	select {
	case err := <-errc:
		stopRunners()
		stopRuns()
		return err
	case <-ctx.Done():
	}
	// The embedded runners report their cancelled jobs while the server
	// still answers; then the runs stop, and the long polls with them.
	stopRunners()
	stopRuns()
	// Stop accepting, let in-flight requests finish within the bound, then
	// close the store (deferred above) so SQLite checkpoints cleanly.
	shuttingDown.Store(true)
	logger.Info("shutting down", "timeout", o.shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), o.shutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(sctx); err != nil {
		logger.Warn("in-flight requests cut off", "err", err)
		httpServer.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}

// bootstrap creates the first admin user and a token on an empty data
// directory, and tells the operator what to do next.
func bootstrap(ctx context.Context, s dispatchd.Store, baseURL string, stdout io.Writer) error {
	n, err := s.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	admin := &dispatchd.User{Login: "admin", SiteAdmin: true}
	if err := s.CreateUser(ctx, admin); err != nil {
		return err
	}
	secret, err := createToken(ctx, s, &dispatchd.Token{UserID: admin.ID, Kind: dispatchd.TokenClassic, Name: "bootstrap",
		Scopes: []string{"repo", "workflow", "admin:repo_hook", "read:org"}})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, `dispatchd: first start on an empty data directory; created the admin user "admin".
Its token, shown only this once:

    %s

Next:
    export DISPATCHD_URL=%s DISPATCHD_TOKEN=%s
    dispatchd repo create admin/hello
    git clone %s/admin/hello.git   # user admin, the token as password

`, secret, baseURL, secret, baseURL)
	return nil
}

// createToken fills in the secret's hash and hint, stores the token, and
// returns the secret: the only time it exists outside the caller.
func createToken(ctx context.Context, s dispatchd.Store, t *dispatchd.Token) (string, error) {
	secret := dispatchd.NewTokenSecret(t.Kind)
	t.Hash, t.Hint = dispatchd.HashToken(secret), secret[len(secret)-4:]
	if err := s.CreateToken(ctx, t); err != nil {
		return "", err
	}
	return secret, nil
}
