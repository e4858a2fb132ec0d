package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "dispatchd",
		Short:         "A self-hosted server for GitHub-style event-triggered workflows",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newVersionCmd(),
		newExprCmd(),
		newServeCmd(),
		newAdminCmd(),
		newRepoCmd(),
		newWorkflowCmd(),
		newDispatchCmd(),
		newExecCmd(),
		newSecretCmd(),
		newHookCmd(),
		newRunCmd(),
		newRunnerCmd(),
	)
	return root
}

// exitCoder is an error that carries the process exit status, for commands
// whose status means something (dispatchd expr exits 1 on a bad expression).
type exitCoder interface {
	error
	ExitCode() int
}

func asExitCoder(err error, target *exitCoder) bool { return errors.As(err, target) }

// exitError is an error that has already been reported and only sets the status.
type exitError struct{ code int }

func (e exitError) Error() string { return "exit status" }
func (e exitError) ExitCode() int { return e.code }
