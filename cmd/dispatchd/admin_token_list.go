package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/sqlite"
	"github.com/spf13/cobra"
)

func newAdminTokenListCmd() *cobra.Command {
	var user string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--user NAME]",
		Short: "List tokens (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: withAdminStore(func(cmd *cobra.Command, _ []string, db *sqlite.DB) error {
			ctx := cmd.Context()
			var userID int64
			if user != "" {
				u, err := db.FindUserByLogin(ctx, user)
				if err != nil {
					return fmt.Errorf("user %q not found", user)
				}
				userID = u.ID
			}
			tokens, err := db.ListTokens(ctx, userID)
			if err != nil {
				return err
			}
			logins := map[int64]string{}
			for _, t := range tokens {
				if _, ok := logins[t.UserID]; !ok {
					if u, err := db.FindUserByID(ctx, t.UserID); err == nil {
						logins[t.UserID] = u.Login
					}
				}
			}
			if asJSON {
				return printTokensJSON(cmd, tokens, logins)
			}
			return printTokens(cmd, tokens, logins)
		}),
	}
	cmd.Flags().StringVar(&user, "user", "", "only this user's tokens")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func tokenStatus(t *dispatchd.Token, now time.Time) string {
	switch {
	case !t.RevokedAt.IsZero():
		return "revoked"
	case !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
		return "expired"
	}
	return "active"
}

func tokenGrant(t *dispatchd.Token) string {
	if t.Kind == dispatchd.TokenClassic {
		return strings.Join(t.Scopes, ",")
	}
	var parts []string
	for _, g := range t.Repos {
		parts = append(parts, fmt.Sprintf("repo %d: %s", g.RepoID, g.Permissions))
	}
	return strings.Join(parts, "; ")
}

func printTokens(cmd *cobra.Command, tokens []*dispatchd.Token, logins map[int64]string) error {
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tUSER\tKIND\tNAME\tTOKEN\tGRANT\tEXPIRES\tSTATUS")
	now := time.Now()
	for _, t := range tokens {
		exp := "never"
		if !t.ExpiresAt.IsZero() {
			exp = t.ExpiresAt.Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t…%s\t%s\t%s\t%s\n", t.ID, logins[t.UserID], t.Kind, t.Name, t.Hint,
			tokenGrant(t), exp, tokenStatus(t, now))
	}
	return w.Flush()
}

func printTokensJSON(cmd *cobra.Command, tokens []*dispatchd.Token, logins map[int64]string) error {
	type row struct {
		ID        int64    `json:"id"`
		User      string   `json:"user"`
		Kind      string   `json:"kind"`
		Name      string   `json:"name"`
		Hint      string   `json:"last4"`
		Scopes    []string `json:"scopes,omitempty"`
		Grant     string   `json:"grant"`
		ExpiresAt any      `json:"expires_at"`
		Status    string   `json:"status"`
	}
	out := []row{}
	now := time.Now()
	for _, t := range tokens {
		var exp any
		if !t.ExpiresAt.IsZero() {
			exp = t.ExpiresAt.Format(time.RFC3339)
		}
		out = append(out, row{t.ID, logins[t.UserID], t.Kind, t.Name, t.Hint, t.Scopes, tokenGrant(t), exp, tokenStatus(t, now)})
	}
	enc := json.NewEncoder(cmd.OutOrStdout())
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
