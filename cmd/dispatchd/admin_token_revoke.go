package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
)

func newAdminTokenRevokeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token: it answers 401 Bad credentials from now on",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("token id %q: use the ID column of 'dispatchd admin token list'", args[0])
			}
			db, err := openAdminStore(cmd)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := db.RevokeToken(cmd.Context(), id); err != nil {
				return cliError(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "revoked token %d\n", id)
			return nil
		},
	}
}
