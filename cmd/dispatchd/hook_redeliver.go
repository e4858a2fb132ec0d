package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/go-github/v92/github"
	"github.com/spf13/cobra"
)

func newHookRedeliverCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "redeliver OWNER/REPO HOOK_ID DELIVERY_ID",
		Short: "Send a delivery again: same payload and X-GitHub-Delivery, marked as a redelivery",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			owner, repo, err := splitRepo(args[0])
			if err != nil {
				return err
			}
			hookID, err := parseHookID("hook", args[1])
			if err != nil {
				return err
			}
			deliveryID, err := parseHookID("delivery", args[2])
			if err != nil {
				return err
			}
			c, err := newClient()
			if err != nil {
				return err
			}
			// The answer is 202, which go-github reports as an AcceptedError.
			var accepted *github.AcceptedError
			if _, _, err := c.Repositories.RedeliverHookDelivery(cmd.Context(), owner, repo, hookID, deliveryID); err != nil &&
				!errors.As(err, &accepted) {
				return apiError(err)
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(map[string]any{"hook_id": hookID, "delivery_id": deliveryID, "queued": true})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "redelivery of delivery %d queued; follow it with: dispatchd hook deliveries %s %d\n",
				deliveryID, args[0], hookID)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the outcome as JSON")
	return cmd
}
