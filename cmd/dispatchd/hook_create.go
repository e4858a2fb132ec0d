package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-github/v92/github"
	"github.com/spf13/cobra"
)

func newHookCreateCmd() *cobra.Command {
	var url, secret, contentType string
	var events []string
	var insecureSSL, inactive, asJSON bool
	cmd := &cobra.Command{
		Use:   "create OWNER/REPO --url URL [--events a,b] [--secret S] [--content-type json|form]",
		Short: "Create a webhook on a repository; the server pings it at once",
		Example: `  dispatchd hook create acme/app --url https://ci.example.com/hooks --events repository_dispatch,workflow_dispatch --secret "$HOOK_SECRET"
  dispatchd hook create acme/app --url https://example.com/all --content-type form`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			owner, repo, err := splitRepo(args[0])
			if err != nil {
				return err
			}
			if contentType != "json" && contentType != "form" {
				return fmt.Errorf("--content-type %q: use json or form", contentType)
			}
			c, err := newClient()
			if err != nil {
				return err
			}
			ssl, active := "0", !inactive
			if insecureSSL {
				ssl = "1"
			}
			cfg := &github.HookConfig{URL: &url, ContentType: &contentType, InsecureSSL: &ssl}
			if secret != "" {
				cfg.Secret = &secret
			}
			h, _, err := c.Repositories.CreateHook(cmd.Context(), owner, repo, &github.Hook{Config: cfg, Events: events, Active: &active})
			if err != nil {
				return apiError(err)
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(h)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "hook %d  %s  events %s\n", h.GetID(), h.GetConfig().GetURL(), strings.Join(h.Events, ","))
			if h.GetActive() {
				fmt.Fprintf(cmd.OutOrStdout(), "a ping is on its way; see it with: dispatchd hook deliveries %s %d\n", args[0], h.GetID())
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&url, "url", "", "the URL deliveries are POSTed to (required)")
	f.StringSliceVar(&events, "events", []string{"*"}, `events to deliver ("*" for every event)`)
	f.StringVar(&secret, "secret", "", "sign deliveries with this secret (X-Hub-Signature-256)")
	f.StringVar(&contentType, "content-type", "json", "json, or form (the JSON in a payload= form field)")
	f.BoolVar(&insecureSSL, "insecure-ssl", false, "do not verify the receiver's TLS certificate")
	f.BoolVar(&inactive, "inactive", false, "create the hook inactive: nothing is delivered until it is activated")
	f.BoolVar(&asJSON, "json", false, "print the hook as JSON")
	cmd.MarkFlagRequired("url")
	return cmd
}
