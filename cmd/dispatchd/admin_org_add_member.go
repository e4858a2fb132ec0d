package main

import (
	"fmt"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/sqlite"
	"github.com/spf13/cobra"
)

func newAdminOrgAddMemberCmd() *cobra.Command {
	var role string
	cmd := &cobra.Command{
		Use:   "add-member ORG USER",
		Short: "Add a user to an organization (role member or admin)",
		Args:  cobra.ExactArgs(2),
		RunE: withAdminStore(func(cmd *cobra.Command, args []string, db *sqlite.DB) error {
			ctx := cmd.Context()
			org, err := db.FindUserByLogin(ctx, args[0])
			if err != nil || !org.IsOrg() {
				return fmt.Errorf("organization %q not found", args[0])
			}
			u, err := db.FindUserByLogin(ctx, args[1])
			if err != nil {
				return fmt.Errorf("user %q: %w", args[1], cliError(err))
			}
			if err := db.SetOrgMember(ctx, org.ID, u.ID, role); err != nil {
				return cliError(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s is now a %s of %s\n", u.Login, role, org.Login)
			return nil
		}),
	}
	cmd.Flags().StringVar(&role, "role", dispatchd.OrgRoleMember, "member or admin")
	return cmd
}
