// Command dispatchd is the one binary: the server, the runner, the admin
// commands that work on a data directory, and the client commands that talk
// to a server's API.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err != nil {
		var ec exitCoder
		if asExitCoder(err, &ec) {
			os.Exit(ec.ExitCode())
		}
		fmt.Fprintln(os.Stderr, "dispatchd:", err)
		os.Exit(1)
	}
}
