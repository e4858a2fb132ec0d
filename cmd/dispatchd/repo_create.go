package main

import (
	"encoding/json"
	"fmt"

	"github.com/google/go-github/v92/github"
	"github.com/spf13/cobra"
)

func newRepoCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "repo", Short: "Manage repositories on a dispatchd server"}
	cmd.AddCommand(newRepoCreateCmd())
	return cmd
}

func newRepoCreateCmd() *cobra.Command {
	var private, autoInit, asJSON bool
	var description, branch string
	cmd := &cobra.Command{
		Use:   "create OWNER/NAME",
		Short: "Create a repository for yourself or an organization",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			owner, name, err := splitRepo(args[0])
			if err != nil {
				return err
			}
			c, err := newClient()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			me, _, err := c.Users.Get(ctx, "")
			if err != nil {
				return apiError(err)
			}
			org := owner
			if owner == me.GetLogin() {
				org = "" // the authenticated user's own repository
			}
			req := &github.Repository{Name: &name, Private: &private, AutoInit: &autoInit}
			if description != "" {
				req.Description = &description
			}
			if branch != "" {
				req.DefaultBranch = &branch
			}
			repo, _, err := c.Repositories.Create(ctx, org, req)
			if err != nil {
				return apiError(err)
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(repo)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created %s\nclone: %s\n", repo.GetFullName(), repo.GetCloneURL())
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&private, "private", false, "make the repository private")
	f.BoolVar(&autoInit, "auto-init", false, "create an initial commit with a README")
	f.StringVar(&description, "description", "", "a short description")
	f.StringVar(&branch, "default-branch", "", "default branch (main when not given)")
	f.BoolVar(&asJSON, "json", false, "print the repository as JSON")
	return cmd
}
