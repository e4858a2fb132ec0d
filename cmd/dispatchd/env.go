package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// bindEnv gives every flag of cmd a DISPATCHD_* environment equivalent
// (--external-url ↔ DISPATCHD_EXTERNAL_URL); a flag set on the command line wins.
func bindEnv(cmd *cobra.Command) error {
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed {
			return
		}
		name := "DISPATCHD_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s=%q: %w", name, v, e)
			}
		}
	})
	return err
}

// envUsage documents the environment equivalents in a command's help.
func envUsage(cmd *cobra.Command) {
	cmd.Long += "\n\nEvery flag can also be set with a DISPATCHD_* environment variable (--data ↔ DISPATCHD_DATA)."
}
