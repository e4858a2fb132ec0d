package main

import (
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/spf13/cobra"
)

// workflowView is GitHub's workflow object plus dispatchd's `problems`.
type workflowView struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Path     string `json:"path"`
	State    string `json:"state"`
	HTMLURL  string `json:"html_url"`
	Problems []struct {
		Line     int    `json:"line"`
		Column   int    `json:"column"`
		Message  string `json:"message"`
		Kind     string `json:"kind"`
		Severity string `json:"severity"`
	} `json:"problems"`
}

func newWorkflowViewCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "view OWNER/REPO WORKFLOW",
		Short: "Show a workflow (by id or file name) and the problems found in it",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			owner, repo, err := splitRepo(args[0])
			if err != nil {
				return err
			}
			c, err := newClient()
			if err != nil {
				return err
			}
			// go-github's Workflow has no `problems`, so this request is raw.
			req, err := c.NewRequest(cmd.Context(), "GET", fmt.Sprintf("repos/%s/%s/actions/workflows/%s", owner, repo, url.PathEscape(args[1])), nil)
			if err != nil {
				return err
			}
			var wf workflowView
			if _, err := c.Do(req, &wf); err != nil {
				return apiError(err)
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(wf)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s\nID: %d\nPath: %s\nState: %s\n", wf.Name, wf.ID, wf.Path, wf.State)
			if len(wf.Problems) == 0 {
				fmt.Fprintln(out, "\nNo problems found.")
				return nil
			}
			fmt.Fprintf(out, "\n%d problem(s):\n", len(wf.Problems))
			for _, p := range wf.Problems {
				fmt.Fprintf(out, "  %s:%d:%d: %s: %s [%s]\n", wf.Path, p.Line, p.Column, p.Severity, p.Message, p.Kind)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
