package main

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/google/go-github/v92/github"
	"github.com/spf13/cobra"
)

func newWorkflowRunCmd() *cobra.Command {
	var ref string
	var raw, typed []string
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "run OWNER/REPO WORKFLOW --ref REF",
		Short:   "Send a workflow_dispatch event (WORKFLOW is an id or a file name) and print the run",
		Example: `  dispatchd workflow run admin/hello greet.yml --ref main -f source=CLI`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			owner, repo, err := splitRepo(args[0])
			if err != nil {
				return err
			}
			inputs, err := parseFields(raw, typed)
			if err != nil {
				return err
			}
			c, err := newClient()
			if err != nil {
				return err
			}
			yes := true
			body := github.CreateWorkflowDispatchEventRequest{Ref: ref, Inputs: inputs, ReturnRunDetails: &yes}
			var details *github.WorkflowDispatchRunDetails
			if id, perr := strconv.ParseInt(args[1], 10, 64); perr == nil {
				details, _, err = c.Actions.CreateWorkflowDispatchEventByID(cmd.Context(), owner, repo, id, body)
			} else {
				details, _, err = c.Actions.CreateWorkflowDispatchEventByFileName(cmd.Context(), owner, repo, args[1], body)
			}
			if err != nil {
				return apiError(err)
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(details)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "run %d  %s\n", details.GetWorkflowRunID(), details.GetHTMLURL())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&ref, "ref", "", "branch or tag to run the workflow at (required)")
	f.StringArrayVarP(&raw, "raw-field", "f", nil, "a string input key=value")
	f.StringArrayVarP(&typed, "field", "F", nil, "a typed input key=value (true, false, numbers, @file)")
	f.BoolVar(&asJSON, "json", false, "print the run details as JSON")
	cmd.MarkFlagRequired("ref")
	return cmd
}
