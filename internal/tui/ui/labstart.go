package ui

import (
	"fmt"
	"strings"
	"time"

	"cqrslab/demo/lab"
	"cqrslab/internal/safetext"
)

// LabStatusView draws the lab's start as a learner needs to see it: one
// line per server with a spinner, its phase, what it is doing (pull
// progress, when there is a pull) and how long it has taken; then, once up,
// how to reach both stores from another terminal; or, when the start
// failed, what went wrong and what to do.
func LabStatusView(st Styles, s *labSession, now time.Time, frame int, animate bool, w int) string {
	var b strings.Builder
	switch s.Phase {
	case LabOff:
		b.WriteString(st.Dim.Render("The lab is not running. It starts PostgreSQL and Redis for you (Docker, or local servers)."))
	case LabStarting:
		fmt.Fprintf(&b, "%s %s\n", st.Heading.Render(fmt.Sprintf("Starting the lab (%s)", s.Provider)),
			st.Dim.Render(Elapsed(now.Sub(s.Began))))
		b.WriteString(serviceLines(st, s, now, frame, animate, w))
		b.WriteString(st.Dim.Render("q or ctrl+c cancels and removes whatever was started."))
	case LabStopping:
		fmt.Fprintf(&b, "%s %s", Spinner(frame, animate), st.Warn.Render("Stopping the lab… removing its containers and processes."))
	case LabFailed:
		b.WriteString(st.Bad.Render("The lab could not start.") + st.Dim.Render(failedWhen(s)) + "\n")
		b.WriteString(WrapText(errText(s.Err), w) + "\n")
		b.WriteString(st.Dim.Render("Fix that, then press enter to try again. `cqrslab doctor` checks this machine."))
	case LabUp:
		b.WriteString(ConnectionLines(st, s.Info, w))
	}
	return b.String()
}

// failedWhen says which try failed and when, so a retry that fails the
// same way still changes the screen.
func failedWhen(s *labSession) string {
	if s.Tries < 2 || s.FailedAt.IsZero() {
		return ""
	}
	return fmt.Sprintf(" (try %d, at %s)", s.Tries, s.FailedAt.Format("15:04:05"))
}

// LabFailedWhere is where a learner on another screen finds the whole of a
// failed start, the fix included.
const LabFailedWhere = "the Lab screen (esc, then 2) shows why and the fix"

// LabStatusViewIn is LabStatusView for a space of h lines. A failed start
// whose message does not fit keeps its first lines and says where the rest
// is: at 80×24 Learn has three lines for it, and a newcomer without images
// saw the Docker error cut off before the fix, under a status line saying
// "see above".
func LabStatusViewIn(st Styles, s *labSession, now time.Time, frame int, animate bool, w, h int) string {
	full := LabStatusView(st, s, now, frame, animate, w)
	if s.Phase != LabFailed || strings.Count(full, "\n")+1 <= h {
		return full
	}
	last := st.Dim.Render(Cut(strings.ToUpper(LabFailedWhere[:1])+LabFailedWhere[1:]+"; enter tries again.", w))
	if h <= 1 {
		return last
	}
	body := strings.Split(WrapText("The lab could not start"+failedWhen(s)+": "+errText(s.Err), w), "\n")
	if len(body) > h-1 {
		body = body[:h-1]
		body[h-2] = Cut(body[h-2]+" …", w)
	}
	return st.Bad.Render(strings.Join(body, "\n")) + "\n" + last
}

func serviceLines(st Styles, s *labSession, now time.Time, frame int, animate bool, w int) string {
	var b strings.Builder
	for _, sv := range s.services {
		mark := Spinner(frame, animate)
		took := now.Sub(s.Began)
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
		line := fmt.Sprintf("  %s %-9s %-9s %6s  %s", mark, sv.name, phase, Elapsed(max(0, took)), sv.detail)
		b.WriteString(Cut(line, w) + "\n")
	}
	return b.String()
}

// ConnectionLines are the commands that reach the lab's stores. They lead
// through the lab's proxy, so the faults the learner injects apply to them
// too.
func ConnectionLines(st Styles, info lab.Info, w int) string {
	var b strings.Builder
	b.WriteString(st.Good.Render("✓ ") + fmt.Sprintf("Lab up (%s). From another terminal (y copies them):", info.Provider) + "\n")
	// Wrapped between words only, each broken line ending in " \": a
	// learner copies these whole, and pasted they still run.
	b.WriteString(Indent(strings.Join(wrapCommand(psqlWords(info.Postgres), w-2), "\n"), "  ") + "\n")
	b.WriteString(Indent(strings.Join(wrapCommand(redisWords(info.Redis), w-2), "\n"), "  "))
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

func Indent(s, pad string) string {
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}
