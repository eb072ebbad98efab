package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// versionLine says which cqrslab this is, in one line an instructor can ask
// a student to paste: the module version (a release, a pseudo-version, or
// "(devel)" for `go run .`), the commit and its time when the binary was
// built from a git checkout, and the Go that built it.
func versionLine() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return fmt.Sprintf("cqrslab (unknown version) %s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	}
	return formatVersion(bi)
}

func formatVersion(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	parts := []string{"cqrslab " + v}
	if rev := settings["vcs.revision"]; rev != "" {
		commit := "commit " + rev[:min(len(rev), 12)]
		if t := settings["vcs.time"]; t != "" {
			commit += " of " + t
		}
		if settings["vcs.modified"] == "true" {
			commit += ", with local changes"
		}
		parts = append(parts, commit)
	}
	goVersion := bi.GoVersion
	if goVersion == "" {
		goVersion = runtime.Version()
	}
	goos, goarch := settings["GOOS"], settings["GOARCH"]
	if goos == "" || goarch == "" {
		goos, goarch = runtime.GOOS, runtime.GOARCH
	}
	parts = append(parts, fmt.Sprintf("built with %s for %s/%s", goVersion, goos, goarch))
	return strings.Join(parts, ", ")
}

func versionCmd(stdio Stdio) *cobra.Command {
	c := leaf("version\n\nPrints cqrslab's version, commit and Go version (same as cqrslab --version).",
		"print the version, commit and Go version (also --version)")
	c.RunE = func(cmd *cobra.Command, args []string) error {
		fmt.Fprintln(stdio.Out, versionLine())
		return nil
	}
	return c
}
