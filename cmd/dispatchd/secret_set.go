package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/dispatchd/dispatchd/seal"
	"github.com/google/go-github/v92/github"
	"github.com/spf13/cobra"
)

func newSecretCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "secret", Short: "Manage Actions secrets"}
	cmd.AddCommand(newSecretSetCmd())
	return cmd
}

func newSecretSetCmd() *cobra.Command {
	var repo, org string
	cmd := &cobra.Command{
		Use:   "set NAME (--repo OWNER/REPO | --org ORG)",
		Short: "Set a secret from standard input, sealed to the repository's or organization's public key",
		Example: `  printf %s "$TOKEN" | dispatchd secret set PAT_TOKEN --repo acme/app
  dispatchd secret set DEPLOY_KEY --org acme < key.pem`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (repo == "") == (org == "") {
				return fmt.Errorf("give exactly one of --repo OWNER/REPO and --org ORG")
			}
			value, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), 48<<10+1))
			if err != nil {
				return err
			}
			if len(value) > 48<<10 {
				return fmt.Errorf("a secret is at most 48 KB")
			}
			c, err := newClient()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var key *github.PublicKey
			var owner, name string
			if repo != "" {
				if owner, name, err = splitRepo(repo); err != nil {
					return err
				}
				key, _, err = c.Actions.GetRepoPublicKey(ctx, owner, name)
			} else {
				key, _, err = c.Actions.GetOrgPublicKey(ctx, org)
			}
			if err != nil {
				return apiError(err)
			}
			sealed, err := seal.SealFor(key.GetKey(), []byte(strings.TrimSuffix(string(value), "\n")))
			if err != nil {
				return err
			}
			if repo != "" {
				_, err = c.Actions.CreateOrUpdateRepoSecret(ctx, owner, name, args[0],
					github.SecretRequest{KeyID: key.GetKeyID(), EncryptedValue: sealed})
			} else {
				_, err = c.Actions.CreateOrUpdateOrgSecret(ctx, org, args[0],
					github.SecretOrgRequest{KeyID: key.GetKeyID(), EncryptedValue: sealed, Visibility: "all"})
			}
			if err != nil {
				return apiError(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "set secret %s for %s%s\n", strings.ToUpper(args[0]), repo, org)
			return nil
		},
	}
	cmd.Flags().StringVar(&repo, "repo", "", "the repository")
	cmd.Flags().StringVar(&org, "org", "", "the organization")
	return cmd
}
