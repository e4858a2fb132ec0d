package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/google/go-github/v92/github"
	"github.com/spf13/cobra"
)

func newHookCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "hook", Short: "Manage a repository's webhooks and their deliveries"}
	cmd.AddCommand(newHookCreateCmd(), newHookListCmd(), newHookDeliveriesCmd(), newHookRedeliverCmd())
	return cmd
}

// parseHookID reads a hook's or a delivery's id from the arguments.
func parseHookID(what, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%s id %q: use the number that `dispatchd hook list` or `hook deliveries` prints", what, s)
	}
	return id, nil
}

// lastResponse renders a hook's last_response: "unused", "200 active", …
func lastResponse(h *github.Hook) string {
	status, _ := h.LastResponse["status"].(string)
	if code, ok := h.LastResponse["code"].(float64); ok && code != 0 {
		return fmt.Sprintf("%d %s", int(code), status)
	}
	if status == "" {
		return "-"
	}
	return status
}

func newHookListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list OWNER/REPO",
		Short: "List the webhooks of a repository",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			owner, repo, err := splitRepo(args[0])
			if err != nil {
				return err
			}
			c, err := newClient()
			if err != nil {
				return err
			}
			all := []*github.Hook{}
			opts := &github.ListOptions{PerPage: 100}
			for {
				page, resp, err := c.Repositories.ListHooks(cmd.Context(), owner, repo, opts)
				if err != nil {
					return apiError(err)
				}
				all = append(all, page...)
				if resp.NextPage == 0 {
					break
				}
				opts.Page = resp.NextPage
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(all)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tURL\tCONTENT TYPE\tEVENTS\tACTIVE\tLAST RESPONSE")
			for _, h := range all {
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%v\t%s\n", h.GetID(), h.GetConfig().GetURL(), h.GetConfig().GetContentType(),
					strings.Join(h.Events, ","), h.GetActive(), lastResponse(h))
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the hooks as JSON")
	return cmd
}
