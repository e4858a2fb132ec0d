package main

import (
	"fmt"

	"github.com/dispatchd/dispatchd"
	"github.com/spf13/cobra"
)

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and commit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "dispatchd %s (commit %s)\n", dispatchd.Version, dispatchd.GitCommit)
			return nil
		},
	}
}
