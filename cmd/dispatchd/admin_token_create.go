package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/sqlite"
	"github.com/spf13/cobra"
)

type tokenCreateOptions struct {
	user, name, expires string
	scopes, repos       []string
	permissions         []string
}

func newAdminTokenCreateCmd() *cobra.Command {
	var o tokenCreateOptions
	cmd := &cobra.Command{
		Use:   "create --user NAME",
		Short: "Create a token and print it (only the token, on stdout)",
		Long: `Create a personal access token. Without --repo it is a classic token with
--scopes; with --repo it is a fine-grained token limited to those repositories
with the --permission grants (metadata:read is always included).`,
		Example: `  dispatchd admin token create --user alice --scopes repo,workflow
  dispatchd admin token create --user alice --repo acme/app --permission contents:write --permission actions:write --expires 30d`,
		Args: cobra.NoArgs,
		RunE: withAdminStore(func(cmd *cobra.Command, _ []string, db *sqlite.DB) error {
			ctx := cmd.Context()
			u, err := db.FindUserByLogin(ctx, o.user)
			if err != nil || u.IsOrg() {
				return fmt.Errorf("user %q not found", o.user)
			}
			t, err := o.token(cmd, db, u)
			if err != nil {
				return err
			}
			secret, err := createToken(ctx, db, t)
			if err != nil {
				return cliError(err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), secret)
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.user, "user", "", "owner of the token (required)")
	f.StringVar(&o.name, "name", "", "a label for the token")
	f.StringSliceVar(&o.scopes, "scopes", nil, "classic scopes: "+strings.Join(dispatchd.ClassicScopes, ","))
	f.StringArrayVar(&o.repos, "repo", nil, "OWNER/REPO the fine-grained token may reach (repeatable)")
	f.StringArrayVar(&o.permissions, "permission", nil, "AREA:LEVEL for the --repo repositories, e.g. contents:write (repeatable)")
	f.StringVar(&o.expires, "expires", "", "lifetime (30d, 12h) or date (2027-01-31); default never")
	cmd.MarkFlagRequired("user")
	return cmd
}

func (o tokenCreateOptions) token(cmd *cobra.Command, db dispatchd.Store, u *dispatchd.User) (*dispatchd.Token, error) {
	t := &dispatchd.Token{UserID: u.ID, Name: o.name, Kind: dispatchd.TokenClassic}
	exp, err := parseExpiry(o.expires, time.Now())
	if err != nil {
		return nil, err
	}
	t.ExpiresAt = exp
	if len(o.repos) == 0 {
		if len(o.permissions) > 0 {
			return nil, fmt.Errorf("--permission needs --repo: permissions belong to fine-grained tokens")
		}
		for _, s := range o.scopes {
			if !validScope(s) {
				return nil, fmt.Errorf("unknown scope %q: use %s", s, strings.Join(dispatchd.ClassicScopes, ", "))
			}
		}
		t.Scopes = o.scopes
		return t, nil
	}
	if len(o.scopes) > 0 {
		return nil, fmt.Errorf("--scopes belong to classic tokens; a token with --repo uses --permission")
	}
	perms, err := dispatchd.ParsePermissions(strings.Join(o.permissions, ","))
	if err != nil {
		return nil, cliError(err)
	}
	t.Kind = dispatchd.TokenFineGrained
	for _, full := range o.repos {
		owner, name, ok := strings.Cut(full, "/")
		if !ok {
			return nil, fmt.Errorf("--repo %q: use OWNER/REPO", full)
		}
		repo, err := db.FindRepo(cmd.Context(), owner, name)
		if err != nil {
			return nil, fmt.Errorf("repository %s not found", full)
		}
		t.Repos = append(t.Repos, dispatchd.RepoGrant{RepoID: repo.ID, Permissions: perms})
	}
	return t, nil
}

func validScope(s string) bool {
	for _, x := range dispatchd.ClassicScopes {
		if s == x {
			return true
		}
	}
	return false
}

// parseExpiry reads "30d", a Go duration ("12h"), or a date ("2027-01-31").
func parseExpiry(s string, now time.Time) (time.Time, error) {
	switch {
	case s == "":
		return time.Time{}, nil
	case strings.HasSuffix(s, "d"):
		if n, err := strconv.Atoi(strings.TrimSuffix(s, "d")); err == nil && n > 0 {
			return now.Add(time.Duration(n) * 24 * time.Hour).UTC(), nil
		}
	default:
		if d, err := time.ParseDuration(s); err == nil && d > 0 {
			return now.Add(d).UTC(), nil
		}
		if t, err := time.Parse("2006-01-02", s); err == nil && t.After(now) {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("--expires %q: use a positive lifetime such as 30d or 12h, or a future date such as 2027-01-31", s)
}
