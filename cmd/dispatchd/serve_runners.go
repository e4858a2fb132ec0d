package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/agent"
)

// embeddedLabels are the embedded runners' labels: GitHub's hosted label
// too, so that workflows written for GitHub run out of the box.
var embeddedLabels = []string{"ubuntu-latest"}

// startEmbeddedRunners registers n runners of server scope afresh (the
// previous start's are removed) and runs them in this process. They take
// jobs through the runner protocol over loopback, like any remote runner.
// The returned stop cancels their jobs, waits for their last reports, and
// returns.
func startEmbeddedRunners(ctx context.Context, s dispatchd.Store, addr net.Addr, n int, work string, logger *slog.Logger) (stop func(), err error) {
	old, err := s.ListRunners(ctx, dispatchd.RunnerScopeServer, 0)
	if err != nil {
		return nil, err
	}
	for _, r := range old {
		if err := s.DeleteRunner(ctx, r.ID); err != nil {
			return nil, err
		}
	}
	reg := dispatchd.NewRegistrationToken()
	if err := s.CreateRegistrationToken(ctx, dispatchd.RunnerScopeServer, 0, dispatchd.HashToken(reg), time.Now().Add(time.Minute)); err != nil {
		return nil, err
	}
	url := "http://" + loopbackAddr(addr)
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	for i := 1; i <= n; i++ {
		secret := dispatchd.NewRunnerSecret()
		r := &dispatchd.Runner{Name: fmt.Sprintf("dispatchd-embedded-%d", i),
			Labels: append(append([]string(nil), dispatchd.DefaultRunnerLabels...), embeddedLabels...), TokenHash: dispatchd.HashToken(secret)}
		if err := s.RegisterRunner(ctx, dispatchd.HashToken(reg), r); err != nil {
			cancel()
			return nil, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := agent.Run(runCtx, agent.Config{URL: url, Token: secret, Capacity: 1,
				WorkDir: filepath.Join(work, r.Name), Logger: logger.With("runner", r.Name)})
			if err != nil {
				logger.Error("embedded runner stopped", "runner", r.Name, "err", err)
			}
		}()
	}
	return func() { cancel(); wg.Wait() }, nil
}

// loopbackAddr is where this process reaches its own listener: loopback
// when it listens on every address.
func loopbackAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("127.0.0.1", fmt.Sprint(tcp.Port))
}
