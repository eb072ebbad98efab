package tui

import (
	"cqrslab/internal/tui/ui"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"cqrslab/demo/lab"
	"cqrslab/internal/safetext"
)

// labStatusView draws the lab's start as a learner needs to see it: one
// line per server with a spinner, its phase, what it is doing (pull
// progress, when there is a pull) and how long it has taken; then, once up,
// how to reach both stores from another terminal; or, when the start
// failed, what went wrong and what to do.
func labStatusView(st ui.Styles, s *labSession, now time.Time, frame int, animate bool, w int) string {
	var b strings.Builder
	switch s.phase {
	case labOff:
		b.WriteString(st.Dim.Render("The lab is not running. It starts PostgreSQL and Redis for you (Docker, or local servers)."))
	case labStarting:
		fmt.Fprintf(&b, "%s %s\n", st.Heading.Render(fmt.Sprintf("Starting the lab (%s)", s.provider)),
			st.Dim.Render(ui.Elapsed(now.Sub(s.began))))
		b.WriteString(serviceLines(st, s, now, frame, animate, w))
		b.WriteString(st.Dim.Render("q or ctrl+c cancels and removes whatever was started."))
	case labStopping:
		fmt.Fprintf(&b, "%s %s", ui.Spinner(frame, animate), st.Warn.Render("Stopping the lab… removing its containers and processes."))
	case labFailed:
		b.WriteString(st.Bad.Render("The lab could not start.") + "\n")
		b.WriteString(ui.WrapText(errText(s.err), w) + "\n")
		b.WriteString(st.Dim.Render("Fix that, then press enter to try again. `cqrslab doctor` checks this machine."))
	case labUp:
		b.WriteString(connectionLines(st, s.info, w))
	}
	return b.String()
}

func serviceLines(st ui.Styles, s *labSession, now time.Time, frame int, animate bool, w int) string {
	var b strings.Builder
	for _, sv := range s.services {
		mark := ui.Spinner(frame, animate)
		took := now.Sub(s.began)
		switch sv.phase {
		case lab.PhaseReady:
			mark, took = st.Good.Render("✓"), sv.elapsed
		case lab.PhaseFailed:
			mark, took = st.Bad.Render("✗"), sv.elapsed
		}
		phase := string(sv.phase)
		if phase == "" {
			phase = "queued"
		}
		line := fmt.Sprintf("  %s %-9s %-9s %6s  %s", mark, sv.name, phase, ui.Elapsed(max(0, took)), sv.detail)
		b.WriteString(ui.Cut(line, w) + "\n")
	}
	return b.String()
}

// connectionLines are the commands that reach the lab's stores. They lead
// through the lab's proxy, so the faults the learner injects apply to them
// too.
func connectionLines(st ui.Styles, info lab.Info, w int) string {
	var b strings.Builder
	b.WriteString(st.Good.Render("✓ ") + fmt.Sprintf("Lab up (%s). From another terminal:", info.Provider) + "\n")
	// Wrapped, never cut: a learner copies these whole.
	b.WriteString(indent(ansi.Hardwrap(info.Postgres.PsqlCommand(), w-2, true), "  ") + "\n")
	b.WriteString(indent(ansi.Hardwrap(info.Redis.RedisCliCommand(), w-2, true), "  "))
	return b.String()
}

// errText is an error as a learner reads it: each line kept, with any
// control character in it (an error can quote a store's data) made visible.
func errText(err error) string {
	if err == nil {
		return ""
	}
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		lines[i] = safetext.Visible(l)
	}
	return strings.Join(lines, "\n")
}

func indent(s, pad string) string {
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}
