package main

import (
	"context"

	"github.com/dispatchd/dispatchd/sqlite"
	"github.com/spf13/cobra"
)

// newAdminCmd groups the commands that work directly on a data directory,
// also while a server runs on it (SQLite in WAL mode allows that).
func newAdminCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Administer users, organizations and tokens directly on a data directory",
	}
	cmd.PersistentFlags().String("data", "./dispatchd-data", "data directory (also DISPATCHD_DATA)")
	user := &cobra.Command{Use: "user", Short: "Manage users"}
	user.AddCommand(newAdminUserCreateCmd())
	org := &cobra.Command{Use: "org", Short: "Manage organizations"}
	org.AddCommand(newAdminOrgCreateCmd(), newAdminOrgAddMemberCmd())
	token := &cobra.Command{Use: "token", Short: "Manage personal access tokens"}
	token.AddCommand(newAdminTokenCreateCmd(), newAdminTokenListCmd(), newAdminTokenRevokeCmd())
	cmd.AddCommand(user, org, token)
	return cmd
}

// openAdminStore opens the store of --data / DISPATCHD_DATA.
// cobra merges the inherited --data into cmd.Flags(), so bindEnv reaches it.
func openAdminStore(cmd *cobra.Command) (*sqlite.DB, error) {
	if err := bindEnv(cmd); err != nil {
		return nil, err
	}
	path, _ := cmd.Flags().GetString("data")
	db, _, err := dataDir{path}.open(context.WithoutCancel(cmd.Context()))
	return db, err
}

// withAdminStore runs an admin command with the store of --data open.
func withAdminStore(run func(cmd *cobra.Command, args []string, db *sqlite.DB) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		db, err := openAdminStore(cmd)
		if err != nil {
			return err
		}
		defer db.Close()
		return run(cmd, args, db)
	}
}
