package main

import (
	"fmt"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/sqlite"
	"github.com/spf13/cobra"
)

func newAdminUserCreateCmd() *cobra.Command {
	var siteAdmin bool
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a user",
		Args:  cobra.ExactArgs(1),
		RunE: withAdminStore(func(cmd *cobra.Command, args []string, db *sqlite.DB) error {
			u := &dispatchd.User{Login: args[0], SiteAdmin: siteAdmin}
			if err := db.CreateUser(cmd.Context(), u); err != nil {
				return cliError(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created user %s (id %d)\n", u.Login, u.ID)
			return nil
		}),
	}
	cmd.Flags().BoolVar(&siteAdmin, "admin", false, "make the user a site administrator")
	return cmd
}

// cliError shows a domain error's message rather than its code.
func cliError(err error) error {
	if dispatchd.ErrorCode(err) == dispatchd.EINTERNAL {
		return err
	}
	msg := dispatchd.ErrorMessage(err)
	if e, ok := err.(*dispatchd.Error); ok {
		for _, fe := range e.Errors {
			if fe.Message != "" {
				msg += " " + fe.Message
			}
		}
	}
	return fmt.Errorf("%s", msg)
}
