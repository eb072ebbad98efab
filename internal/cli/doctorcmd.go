package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"

	"github.com/spf13/cobra"

	"cqrslab/internal/doctor"
)

const doctorUsage = `doctor [--json] [--infra auto|docker|local|external] [--postgres-image IMG] [--redis-image IMG]

Checks that this machine can run the lab: Go, Docker (or Colima, Podman) and
which socket it answers on, the images, the local servers, loopback ports, the
terminal and the progress file. Each line is ok, warn or fail with the fix to
apply. Exits 1 when a check fails. Starts and pulls nothing; asks the registry
only whether it has an image the lab would have to pull.`

func doctorCmd(stdio Stdio) *cobra.Command {
	c := leaf(doctorUsage, "check this machine can run the lab, with the fix for each problem")
	fs := c.Flags()
	asJSON := fs.Bool("json", false, "print the checks as JSON: {status, checks: [{name, status, detail, fix}]}")
	infra := addInfraFlags(c)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		opts, err := infra.options()
		if err != nil {
			return err
		}
		rep := doctor.Run(ctx, doctor.Config{Provider: opts.Provider, PostgresImage: opts.PostgresImage,
			RedisImage: opts.RedisImage, Terminal: doctor.FindTerminal(stdio.Out, stdio.In, stdio.Err)})
		if err := ctx.Err(); err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(stdio.Out)
			enc.SetIndent("", "  ")
			if err := enc.Encode(rep); err != nil {
				return err
			}
		} else if err := doctor.WriteText(stdio.Out, rep, textOptions(stdio.Out)); err != nil {
			return err
		}
		if failed := rep.Names(doctor.Fail); len(failed) > 0 {
			return fmt.Errorf("doctor: %d check(s) failed: %s", len(failed), strings.Join(failed, ", "))
		}
		return nil
	}
	return c
}

// textOptions fits the report to the window it is printed in, and colours
// it only where colour will show (never into a pipe or with NO_COLOR).
func textOptions(w any) doctor.TextOptions {
	opt := doctor.TextOptions{Width: 80}
	f, ok := w.(fileWriter)
	if !ok || !term.IsTerminal(f.Fd()) {
		return opt
	}
	if width, _, err := term.GetSize(f.Fd()); err == nil && width > 0 {
		opt.Width = min(width, 100)
	}
	opt.Colour = colorprofile.Detect(f, os.Environ()) >= colorprofile.ANSI
	return opt
}
