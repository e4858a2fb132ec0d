package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v92/github"
	"github.com/spf13/cobra"
)

func newRunCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "run", Short: "Follow and inspect workflow runs"}
	cmd.AddCommand(newRunViewCmd(), newRunWatchCmd())
	return cmd
}

// runRef is OWNER/REPO RUN_ID from the arguments.
type runRef struct {
	owner, repo string
	id          int64
}

func parseRunRef(args []string) (runRef, error) {
	owner, repo, err := splitRepo(args[0])
	if err != nil {
		return runRef{}, err
	}
	id, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil || id <= 0 {
		return runRef{}, fmt.Errorf("run id %q: use the number from the run's URL", args[1])
	}
	return runRef{owner, repo, id}, nil
}

// snapshot is a run with its jobs, as the API shows them.
type snapshot struct {
	run  *github.WorkflowRun
	jobs []*github.WorkflowJob
}

func fetchRun(ctx context.Context, c *github.Client, ref runRef) (snapshot, error) {
	run, _, err := c.Actions.GetWorkflowRunByID(ctx, ref.owner, ref.repo, ref.id)
	if err != nil {
		return snapshot{}, apiError(err)
	}
	jobs, _, err := c.Actions.ListWorkflowJobs(ctx, ref.owner, ref.repo, ref.id, &github.ListWorkflowJobsOptions{ListOptions: github.ListOptions{PerPage: 100}})
	if err != nil {
		return snapshot{}, apiError(err)
	}
	return snapshot{run: run, jobs: jobs.Jobs}, nil
}

func newRunViewCmd() *cobra.Command {
	var withLog, asJSON bool
	cmd := &cobra.Command{
		Use:   "view OWNER/REPO RUN_ID [--log]",
		Short: "Show a run, its jobs and steps, and with --log every job's log",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := parseRunRef(args)
			if err != nil {
				return err
			}
			c, err := newClient()
			if err != nil {
				return err
			}
			snap, err := fetchRun(cmd.Context(), c, ref)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(out).Encode(map[string]any{"run": snap.run, "jobs": snap.jobs})
			}
			for _, line := range renderRun(snap, time.Now()) {
				fmt.Fprintln(out, line)
			}
			if withLog {
				for _, j := range snap.jobs {
					if err := printJobLog(cmd.Context(), c, ref, j, out); err != nil {
						return err
					}
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&withLog, "log", false, "print every job's log, each line prefixed with the job's name")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the run and its jobs as JSON")
	return cmd
}

// renderRun lays out a run: a title line, then each job and its steps with
// their state and duration.
func renderRun(s snapshot, now time.Time) []string {
	r := s.run
	lines := []string{fmt.Sprintf("%s %s #%d (%s) — %s", mark(r.GetStatus(), r.GetConclusion()), r.GetDisplayTitle(),
		r.GetRunNumber(), r.GetEvent(), state(r.GetStatus(), r.GetConclusion()))}
	for _, j := range s.jobs {
		lines = append(lines, fmt.Sprintf("  %s %s  %s", mark(j.GetStatus(), j.GetConclusion()), j.GetName(),
			duration(j.StartedAt, j.CompletedAt, j.GetStatus(), now)))
		for _, st := range j.Steps {
			lines = append(lines, fmt.Sprintf("      %s %s  %s", mark(st.GetStatus(), st.GetConclusion()), st.GetName(),
				duration(st.StartedAt, st.CompletedAt, st.GetStatus(), now)))
		}
	}
	return lines
}

func state(status, conclusion string) string {
	if status == "completed" {
		return conclusion
	}
	return status
}

func mark(status, conclusion string) string {
	switch {
	case status != "completed":
		return "*"
	case conclusion == "success":
		return "✓"
	case conclusion == "skipped":
		return "-"
	}
	return "X"
}

func duration(start, end *github.Timestamp, status string, now time.Time) string {
	if start == nil || start.IsZero() || status == "queued" {
		return ""
	}
	stop := now
	if end != nil && !end.IsZero() {
		stop = end.Time
	}
	return stop.Sub(start.Time).Round(time.Second).String()
}

// printJobLog prints a job's log, each line behind the job's name.
func printJobLog(ctx context.Context, c *github.Client, ref runRef, j *github.WorkflowJob, out io.Writer) error {
	u, _, err := c.Actions.GetWorkflowJobLogs(ctx, ref.owner, ref.repo, j.GetID(), 2)
	if err != nil {
		return apiError(err)
	}
	req, err := http.NewRequestWithContext(ctx, "GET", u.String(), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if _, text, ok := strings.Cut(line, " "); ok && len(line) > 28 && line[4] == '-' {
			line = text // drop the timestamp
		}
		fmt.Fprintf(out, "%s | %s\n", j.GetName(), line)
	}
	return sc.Err()
}
