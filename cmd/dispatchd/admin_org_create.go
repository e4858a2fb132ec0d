package main

import (
	"fmt"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/sqlite"
	"github.com/spf13/cobra"
)

func newAdminOrgCreateCmd() *cobra.Command {
	var owner string
	cmd := &cobra.Command{
		Use:   "create NAME --owner USER",
		Short: "Create an organization with USER as its admin",
		Args:  cobra.ExactArgs(1),
		RunE: withAdminStore(func(cmd *cobra.Command, args []string, db *sqlite.DB) error {
			ctx := cmd.Context()
			u, err := db.FindUserByLogin(ctx, owner)
			if err != nil {
				return fmt.Errorf("owner %q: %w", owner, cliError(err))
			}
			org := &dispatchd.User{Login: args[0], Type: dispatchd.UserTypeOrg}
			if err := db.CreateUser(ctx, org); err != nil {
				return cliError(err)
			}
			if err := db.SetOrgMember(ctx, org.ID, u.ID, dispatchd.OrgRoleAdmin); err != nil {
				return cliError(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created organization %s (id %d) with admin %s\n", org.Login, org.ID, u.Login)
			return nil
		}),
	}
	cmd.Flags().StringVar(&owner, "owner", "", "user who administers the organization (required)")
	cmd.MarkFlagRequired("owner")
	return cmd
}
