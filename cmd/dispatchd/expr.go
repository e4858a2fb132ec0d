package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dispatchd/dispatchd/expr"
	"github.com/spf13/cobra"
)

// exprModes are the --mode values of dispatchd expr.
var exprModes = []string{"expr", "template", "step-if", "job-if", "if-raw"}

func newExprCmd() *cobra.Command {
	var contextFile, mode, jobStatus, workspace string
	cmd := &cobra.Command{
		Use:   "expr [flags] [--] EXPRESSION",
		Short: "Evaluate a ${{ }} expression as GitHub Actions does and print the result as JSON",
		Long: `Evaluate an expression and print its result as JSON, in the form of GitHub's
toJSON() (key order kept; NaN and Infinity appear bare, as toJSON writes them).

Modes:
  expr      EXPRESSION is the text inside ${{ }} (the default)
  template  EXPRESSION is a string that may contain ${{ }}
  step-if   EXPRESSION is the value of a step's if:, with the implicit success() &&
  job-if    the same for a job's if:, with --job-status the ancestors' status
  if-raw    the raw value of a step's if:, which may contain ${{ }}

An invalid expression, or one that fails to evaluate, prints line:col: message on
stderr and exits 1. Put -- before an expression that starts with '-'.`,
		Example: `  dispatchd expr "contains(fromJSON('[\"a\",\"b\"]'), 'A')"
  dispatchd expr --context ctx.json --mode template 'Deploy ${{ inputs.env }}'
  dispatchd expr --mode step-if --job-status failure 'failure() && github.ref_name == ''main'''`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := exprContext(cmd.InOrStdin(), contextFile, jobStatus, workspace)
			if err != nil {
				return err
			}
			result, err := evalExprMode(mode, args[0], c)
			var exprErr *expr.Error
			if errors.As(err, &exprErr) {
				fmt.Fprintln(cmd.ErrOrStderr(), exprErr.Error())
				return exitError{code: 1}
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), expr.ToJSON(result))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&contextFile, "context", "", `JSON object of contexts, e.g. {"github": {...}, "inputs": {...}} ("-" for stdin)`)
	f.StringVar(&mode, "mode", "expr", "how to read EXPRESSION: "+strings.Join(exprModes, "|"))
	f.StringVar(&jobStatus, "job-status", "", "job.status at step level, the ancestors' status at job level: success|failure|cancelled")
	f.StringVar(&workspace, "workspace", "", "directory hashFiles() searches (GITHUB_WORKSPACE)")
	return cmd
}

// exprContext builds the evaluation context from the flags.
func exprContext(stdin io.Reader, contextFile, jobStatus, workspace string) (*expr.Context, error) {
	switch jobStatus {
	case "", expr.StatusSuccess, expr.StatusFailure, expr.StatusCancelled:
	default:
		return nil, fmt.Errorf("--job-status must be success, failure or cancelled, not %q", jobStatus)
	}
	c := &expr.Context{Values: map[string]any{}, JobStatus: jobStatus, Workspace: workspace}
	if contextFile == "" {
		return c, nil
	}
	var data []byte
	var err error
	if contextFile == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(contextFile)
	}
	if err != nil {
		return nil, err
	}
	v, err := expr.FromJSON(data)
	if err != nil {
		return nil, fmt.Errorf("--context %s: %w", contextFile, err)
	}
	obj, ok := v.(*expr.Object)
	if !ok {
		return nil, fmt.Errorf("--context %s: want a JSON object of contexts", contextFile)
	}
	for name, value := range obj.All() {
		c.Values[strings.ToLower(name)] = value
	}
	return c, nil
}

// evalExprMode evaluates src as --mode says.
func evalExprMode(mode, src string, c *expr.Context) (any, error) {
	switch mode {
	case "expr":
		return expr.Evaluate(src, c)
	case "template":
		return expr.EvalTemplate(src, c)
	case "step-if", "if-raw":
		return expr.EvalIf(src, c)
	case "job-if":
		c.Level = expr.JobLevel
		return expr.EvalIf(src, c)
	}
	return nil, fmt.Errorf("--mode must be one of %s, not %q", strings.Join(exprModes, ", "), mode)
}
