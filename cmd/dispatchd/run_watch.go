package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/google/go-github/v92/github"
	"github.com/spf13/cobra"
)

func newRunWatchCmd() *cobra.Command {
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "watch OWNER/REPO RUN_ID",
		Short: "Follow a run until it ends, then print the failed jobs' logs; exits non-zero unless it succeeded",
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
			out := cmd.OutOrStdout()
			tty := isTerminal(out)
			var shown []string
			for {
				snap, err := fetchRun(cmd.Context(), c, ref)
				if err != nil {
					return err
				}
				lines := renderRun(snap, time.Now())
				if tty {
					// Redraw in place: up over what was drawn, clear, draw.
					if len(shown) > 0 {
						fmt.Fprintf(out, "\x1b[%dA\x1b[J", len(shown))
					}
					fmt.Fprintln(out, strings.Join(lines, "\n"))
				} else {
					printChanged(out, shown, lines)
				}
				shown = lines
				if snap.run.GetStatus() == "completed" {
					return finishWatch(cmd, c, ref, snap)
				}
				select {
				case <-cmd.Context().Done():
					return cmd.Context().Err()
				case <-time.After(interval):
				}
			}
		},
	}
	cmd.Flags().DurationVar(&interval, "interval", 500*time.Millisecond, "how often to refresh")
	return cmd
}

// printChanged prints the lines that are new or changed, for output that
// is not a terminal (a log file, CI).
func printChanged(out io.Writer, before, after []string) {
	seen := map[string]bool{}
	for _, l := range before {
		seen[l] = true
	}
	for _, l := range after {
		if !seen[l] {
			fmt.Fprintln(out, l)
		}
	}
}

// finishWatch prints the failed jobs' logs and sets the exit status.
func finishWatch(cmd *cobra.Command, c *github.Client, ref runRef, snap snapshot) error {
	out := cmd.OutOrStdout()
	for _, j := range snap.jobs {
		if j.GetConclusion() == "failure" {
			fmt.Fprintf(out, "\nLog of %s:\n", j.GetName())
			if err := printJobLog(cmd.Context(), c, ref, j, out); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(out, "Run %s\n", snap.run.GetConclusion())
	if snap.run.GetConclusion() != "success" {
		return exitError{code: 1}
	}
	return nil
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
