package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/google/go-github/v92/github"
	"github.com/spf13/cobra"
)

func newHookDeliveriesCmd() *cobra.Command {
	var limit int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "deliveries OWNER/REPO HOOK_ID",
		Short: "List a webhook's deliveries, newest first, with the outcome of each one's latest attempt",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			owner, repo, err := splitRepo(args[0])
			if err != nil {
				return err
			}
			hookID, err := parseHookID("hook", args[1])
			if err != nil {
				return err
			}
			c, err := newClient()
			if err != nil {
				return err
			}
			all := []*github.HookDelivery{}
			opts := &github.ListCursorOptions{PerPage: min(max(limit, 1), 100)}
			for len(all) < limit {
				page, resp, err := c.Repositories.ListHookDeliveries(cmd.Context(), owner, repo, hookID, opts)
				if err != nil {
					return apiError(err)
				}
				all = append(all, page...)
				if resp.Cursor == "" {
					break
				}
				opts.Cursor = resp.Cursor
			}
			all = all[:min(len(all), limit)]
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(all)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tGUID\tEVENT\tSTATUS\tCODE\tAT\tREDELIVERY")
			for _, d := range all {
				event := d.GetEvent()
				if d.GetAction() != "" {
					event += "." + d.GetAction()
				}
				code := "-"
				if d.GetStatusCode() != 0 {
					code = fmt.Sprint(d.GetStatusCode())
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%v\n", d.GetID(), d.GetGUID(), event, d.GetStatus(), code,
					d.GetDeliveredAt().Format(time.RFC3339), d.GetRedelivery())
			}
			return w.Flush()
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 30, "list at most this many deliveries")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the deliveries as JSON")
	return cmd
}
