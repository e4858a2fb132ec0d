package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/google/go-github/v92/github"
	"github.com/spf13/cobra"
)

func newWorkflowCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "workflow", Short: "Inspect the workflows of a repository"}
	cmd.AddCommand(newWorkflowListCmd(), newWorkflowViewCmd(), newWorkflowRunCmd())
	return cmd
}

func newWorkflowListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list OWNER/REPO",
		Short: "List the workflows of a repository",
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
			var all []*github.Workflow
			opts := &github.ListOptions{PerPage: 100}
			for {
				page, resp, err := c.Actions.ListWorkflows(cmd.Context(), owner, repo, opts)
				if err != nil {
					return apiError(err)
				}
				all = append(all, page.Workflows...)
				if resp.NextPage == 0 {
					break
				}
				opts.Page = resp.NextPage
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(all)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tNAME\tPATH\tSTATE")
			for _, wf := range all {
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", wf.GetID(), wf.GetName(), wf.GetPath(), wf.GetState())
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
