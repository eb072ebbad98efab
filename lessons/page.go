// Package lessons is the lesson's content model: the pages a learner reads
// beside the live lab, parsed from markdown files with a small front matter
// and checked against the engine's step names and the seed code they point
// at. It has no UI imports: the TUI renders pages, the CLI exports them, and
// both get content that a test has already proved well formed.
package lessons

import (
	"fmt"
	"strings"
)

// Page is one page of the lesson, in reading order.
type Page struct {
	// ID names the page for links and progress (lowercase words joined by
	// '-'); unique across the lesson.
	ID string
	// Title is the page's heading. The body does not repeat it.
	Title string
	// Summary is one or two sentences: the page in brief, for a table of
	// contents and for the AI prompt export.
	Summary string
	// Step is the engine step (a demo.Step value) the page explains, or ""
	// for pages about the pattern as a whole.
	Step string
	// Outcome says which result of Step the page is for: "" when the step
	// succeeded, OutcomeError when it failed. It lets the failure branch of
	// the ZADD have its own page.
	Outcome string
	// Highlight lists the seed code lines the page is about, sorted, not
	// overlapping, 1-based, within SeedCode.
	Highlight []LineRange
	// After says what each store holds, and what GetFeed returns, right
	// after Step has run with Outcome: text for the TUI to show beside the
	// live panels. Every field is set on a page with a Step.
	After Snapshot
	// Hint nudges the learner without giving the answer away.
	Hint string
	// ShowMe is what "show me" reveals: one line of markdown, or a command
	// to run when it starts with "$ " (see ShowMeCommand).
	ShowMe string
	// Body is the page's markdown. Its headings start at level 3, so the
	// page nests under its title in a longer document.
	Body string
}

// OutcomeError marks a page that explains a step that failed.
const OutcomeError = "error"

// Snapshot is the state of the lab at one moment of CreatePost, in words.
type Snapshot struct {
	Postgres string // what PostgreSQL holds
	Redis    string // what the author's feed key holds
	GetFeed  string // what GetFeed returns
}

// IsZero reports whether no field is set.
func (s Snapshot) IsZero() bool { return s == Snapshot{} }

// LineRange is a run of seed code lines, 1-based, both ends included.
type LineRange struct{ Start, End int }

// Contains reports whether line is in the range.
func (r LineRange) Contains(line int) bool { return line >= r.Start && line <= r.End }

// String is the range as a page writes it: "32-38", or "15" for one line.
func (r LineRange) String() string {
	if r.Start == r.End {
		return fmt.Sprint(r.Start)
	}
	return fmt.Sprintf("%d-%d", r.Start, r.End)
}

// Highlighted reports whether a seed code line (1-based) is one the page is
// about, so a code view can mark it.
func (p Page) Highlighted(line int) bool {
	for _, r := range p.Highlight {
		if r.Contains(line) {
			return true
		}
	}
	return false
}

// ShowMeCommand returns the command "show me" suggests, when ShowMe is one
// ("$ cqrslab feed --author alice" gives "cqrslab feed --author alice").
// Otherwise ShowMe is text to reveal and ok is false.
func (p Page) ShowMeCommand() (cmd string, ok bool) {
	if p.ShowMe == "$" {
		return "", true
	}
	cmd, ok = strings.CutPrefix(p.ShowMe, "$ ")
	return strings.TrimSpace(cmd), ok
}

// StepPage finds the page for a step's result: the failure page when failed
// and the lesson has one, else the step's page. The TUI calls it with each
// trace event (Step, Err != nil) to show the matching page.
func StepPage(pages []Page, step string, failed bool) (Page, bool) {
	var fallback *Page
	for i := range pages {
		p := &pages[i]
		if p.Step != step {
			continue
		}
		if (p.Outcome == OutcomeError) == failed {
			return *p, true
		}
		if fallback == nil && p.Outcome == "" {
			fallback = p
		}
	}
	if fallback != nil {
		return *fallback, true
	}
	return Page{}, false
}
