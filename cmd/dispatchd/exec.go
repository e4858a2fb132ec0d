package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/engine"
	"github.com/dispatchd/dispatchd/workflow"
	"github.com/spf13/cobra"
)

type execOptions struct {
	workflows     []string
	payload       string
	eventType     string
	clientPayload string
	inputs        []string
	secrets       []string
	vars          []string
	ref           string
	jsonOut       string
	repository    string
	actor         string
	serverURL     string
	debug         bool
}

func newExecCmd() *cobra.Command {
	var o execOptions
	cmd := &cobra.Command{
		Use:   "exec EVENT",
		Short: "Run the workflows an event triggers, from the local checkout, without a server",
		Long: `Run workflows locally with the same engine as the server: like act, but with
GitHub's semantics and no container engine. EVENT is repository_dispatch or
workflow_dispatch. Workflow files are read from the working tree.`,
		Example: `  dispatchd exec repository_dispatch --event-type trigger-deploy --client-payload '{"image_tag":"sha-1"}'
  dispatchd exec workflow_dispatch -W .github/workflows/greet.yml -f source=CLI`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExec(cmd.Context(), o, args[0], cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.workflows, "workflow", "W", nil, "workflow file to run (repeatable; default: every file in .github/workflows)")
	f.StringVar(&o.payload, "payload", "", "the event payload as a JSON file (client_payload and event_type, or inputs, are taken from it)")
	f.StringVar(&o.eventType, "event-type", "", "repository_dispatch event_type")
	f.StringVar(&o.clientPayload, "client-payload", "", "repository_dispatch client_payload as JSON, or @file")
	f.StringArrayVarP(&o.inputs, "field", "f", nil, "workflow_dispatch input key=value (repeatable)")
	f.StringArrayVar(&o.secrets, "secret", nil, "a secret NAME=VALUE (repeatable); masked in the output")
	f.StringArrayVar(&o.vars, "var", nil, "a configuration variable NAME=VALUE for the vars context (repeatable)")
	f.StringVar(&o.ref, "ref", "", "branch or tag to run at (default: the checked-out branch)")
	f.StringVar(&o.jsonOut, "json", "", "write the run's result as JSON to this file")
	f.StringVar(&o.repository, "repository", "", "OWNER/REPO to report as github.repository (default: from the origin remote or the directory)")
	f.StringVar(&o.actor, "actor", "", "login to report as github.actor (default: the git user name)")
	f.StringVar(&o.serverURL, "server-url", "https://github.com", "GITHUB_SERVER_URL; GITHUB_API_URL derives from it")
	f.BoolVar(&o.debug, "debug", false, "show ::debug:: lines (ACTIONS_STEP_DEBUG)")
	return cmd
}

func runExec(ctx context.Context, o execOptions, event string, stdout, stderr io.Writer) error {
	if event != "repository_dispatch" && event != "workflow_dispatch" {
		return fmt.Errorf("event %q: dispatchd exec runs repository_dispatch and workflow_dispatch", event)
	}
	repo, err := openLocalRepo(ctx, o)
	if err != nil {
		return err
	}
	files, err := workflowFiles(repo.root, o.workflows)
	if err != nil {
		return err
	}
	trig, err := newLocalTrigger(o, event, repo)
	if err != nil {
		return err
	}
	runs, err := trig.plan(files)
	if err != nil {
		fmt.Fprintln(stderr, dispatchd.ErrorMessage(err))
		return exitError{code: 2}
	}
	if len(runs) == 0 {
		fmt.Fprintf(stdout, "No workflow in %s is triggered by this %s event.\n", filepath.Join(".github", "workflows"), event)
		return nil
	}
	out := newExecPrinter(stdout)
	var results []*engine.Result
	conclusion := "success"
	for _, r := range runs {
		work, err := os.MkdirTemp("", "dispatchd-exec")
		if err != nil {
			return err
		}
		defer os.RemoveAll(work)
		r.WorkDir = work
		res := engine.Execute(ctx, r, out)
		results = append(results, res)
		if res.Conclusion != "success" && conclusion == "success" {
			conclusion = res.Conclusion
		}
	}
	fmt.Fprintf(stdout, "Run %s\n", conclusion)
	if o.jsonOut != "" {
		if err := writeExecJSON(o.jsonOut, runs, results); err != nil {
			return err
		}
	}
	if conclusion != "success" {
		return exitError{code: 1}
	}
	return nil
}

// workflowFiles lists the files to consider: the given ones, or every
// .yml/.yaml directly in .github/workflows.
func workflowFiles(root string, given []string) ([]string, error) {
	if len(given) > 0 {
		return given, nil
	}
	entries, err := os.ReadDir(filepath.Join(root, ".github", "workflows"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yml") || strings.HasSuffix(e.Name(), ".yaml")) {
			out = append(out, filepath.Join(root, ".github", "workflows", e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

// parsedFile is a workflow file read from the working tree.
type parsedFile struct {
	path    string // relative to the repository: .github/workflows/x.yml
	summary dispatchd.WorkflowSummary
	model   *workflow.Workflow
}

func readWorkflow(root, file string) (*parsedFile, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(root, file)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = filepath.Join(".github", "workflows", filepath.Base(file))
	}
	f := &parsedFile{path: filepath.ToSlash(rel), summary: workflow.Summarize(rel, src)}
	f.model, _ = workflow.Parse(rel, src)
	return f, nil
}

func writeExecJSON(path string, runs []*engine.Run, results []*engine.Result) error {
	type jsonRun struct {
		Workflow   string              `json:"workflow"`
		Conclusion string              `json:"conclusion"`
		Jobs       []*engine.JobResult `json:"jobs"`
	}
	var out []jsonRun
	for i, r := range runs {
		out = append(out, jsonRun{Workflow: r.Workflow.Path, Conclusion: results[i].Conclusion, Jobs: results[i].Jobs})
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
