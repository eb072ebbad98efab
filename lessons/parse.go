package lessons

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"cqrslab/demo"
)

// A page file is a front matter and a markdown body:
//
//	---
//	id: insert
//	title: Step 2: the INSERT, the commit point
//	summary: One or two sentences.
//	step: postgres.insert
//	highlight: 32-38
//	postgres: The posts table has the new row, committed.
//	redis: Unchanged.
//	getfeed: Still the old feed.
//	hint: A nudge.
//	show_me: $ cqrslab feed --author alice
//	---
//	The body, in markdown.
//
// Each front matter line is "key: value", split at the first colon; the value
// runs to the end of the line and is taken as written (no quoting, no
// continuation lines). Blank lines and lines starting with '#' are ignored.
// The format is this small on purpose: it needs no dependency, and every
// mistake in it can be named with its file and line.

const fence = "---"

// frontMatterKeys are the keys a page may set, in the order the docs list
// them.
var frontMatterKeys = []string{
	"id", "title", "summary", "step", "outcome", "highlight",
	"postgres", "redis", "getfeed", "hint", "show_me",
}

// requiredKeys must be set, with a value, on every page.
var requiredKeys = []string{"id", "title", "summary", "hint", "show_me"}

// snapshotKeys must be set on every page with a step; snapshotPanels names
// the live panel each one describes.
var (
	snapshotKeys   = []string{"postgres", "redis", "getfeed"}
	snapshotPanels = map[string]string{"postgres": "PostgreSQL", "redis": "Redis", "getfeed": "GetFeed"}
)

var (
	idPattern    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	keyPattern   = regexp.MustCompile(`^[a-z_]+$`)
	rangePattern = regexp.MustCompile(`^([0-9]+)(?:-([0-9]+))?$`)
)

// field is one front matter value and the line it was on.
type field struct {
	value string
	line  int
}

// parsePage parses one page file. file names it in errors; codeLines is the
// number of lines of the seed code, the bound for highlights. It returns
// every mistake it finds, not just the first.
func parsePage(file string, data []byte, codeLines int) (Page, []error) {
	var errs []error
	fail := func(line int, format string, args ...any) {
		errs = append(errs, &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
	}

	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	if strings.TrimSpace(lines[0]) != fence {
		fail(1, "a page starts with a front matter: a line %q, then key: value lines, then %q", fence, fence)
		return Page{}, errs
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == fence {
			end = i
			break
		}
	}
	if end < 0 {
		fail(1, "the front matter is never closed: add a line %q after its last key", fence)
		return Page{}, errs
	}

	fields := map[string]field{}
	for i := 1; i < end; i++ {
		n := i + 1
		line := strings.TrimSpace(lines[i])
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		key = strings.TrimSpace(key)
		if !ok || !keyPattern.MatchString(key) {
			fail(n, "want key: value, got %q", line)
			continue
		}
		if !slices.Contains(frontMatterKeys, key) {
			fail(n, "unknown front matter key %q (known: %s)", key, strings.Join(frontMatterKeys, ", "))
			continue
		}
		if prev, dup := fields[key]; dup {
			fail(n, "%s is set twice (first on line %d)", key, prev.line)
			continue
		}
		fields[key] = field{value: strings.TrimSpace(value), line: n}
	}
	get := func(key string) string { return fields[key].value }
	lineOf := func(key string) int {
		if f, ok := fields[key]; ok {
			return f.line
		}
		return 1
	}

	for _, key := range requiredKeys {
		if get(key) == "" {
			fail(lineOf(key), "the front matter has no %s", key)
		}
	}
	p := Page{
		ID:      get("id"),
		Title:   get("title"),
		Summary: get("summary"),
		Step:    get("step"),
		Outcome: get("outcome"),
		After:   Snapshot{Postgres: get("postgres"), Redis: get("redis"), GetFeed: get("getfeed")},
		Hint:    get("hint"),
		ShowMe:  get("show_me"),
	}
	if p.ID != "" && !idPattern.MatchString(p.ID) {
		fail(lineOf("id"), "id %q: use lowercase letters and digits, words joined by '-'", p.ID)
	}
	if p.Step != "" && !knownStep(p.Step) {
		fail(lineOf("step"), "unknown step %q (the engine's steps: %s)", p.Step, stepList())
	}
	switch {
	case p.Outcome != "" && p.Outcome != OutcomeError:
		fail(lineOf("outcome"), "outcome %q: leave it out for a step that succeeded, or write %q", p.Outcome, OutcomeError)
	case p.Outcome != "" && p.Step == "":
		fail(lineOf("outcome"), "outcome needs a step: which step failed?")
	}
	if p.Step != "" {
		for _, key := range snapshotKeys {
			if get(key) == "" {
				fail(lineOf(key), "a page with a step needs %s: what the %s panel shows right after the step", key, snapshotPanels[key])
			}
		}
	}
	if cmd, ok := p.ShowMeCommand(); ok && cmd == "" {
		fail(lineOf("show_me"), "show_me starts with \"$ \" but names no command")
	}
	var rangeErrs []string
	p.Highlight, rangeErrs = parseHighlight(get("highlight"), codeLines)
	for _, msg := range rangeErrs {
		fail(lineOf("highlight"), "highlight: %s", msg)
	}

	bodyLine := end + 2
	p.Body = strings.TrimSpace(strings.Join(lines[end+1:], "\n"))
	if p.Body == "" {
		fail(bodyLine, "the page has no body: write the page's text after the closing %q", fence)
	}
	for _, n := range topHeadings(lines[end+1:]) {
		fail(bodyLine+n-1, "headings in a body start at ###: the page title is its heading")
	}
	return p, errs
}

// parseHighlight reads "32-38, 50-53" (or "15", or "") into sorted ranges
// and says what is wrong with any that are empty, backwards, overlapping or
// outside the seed code.
func parseHighlight(s string, codeLines int) ([]LineRange, []string) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []LineRange
	var bad []string
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		m := rangePattern.FindStringSubmatch(part)
		if m == nil {
			bad = append(bad, fmt.Sprintf("%q is not a line or a range (write 15 or 32-38, separated by commas)", part))
			continue
		}
		r := LineRange{Start: atoi(m[1])}
		r.End = r.Start
		if m[2] != "" {
			r.End = atoi(m[2])
		}
		switch {
		case r.Start < 1:
			bad = append(bad, fmt.Sprintf("%s: lines are numbered from 1", part))
		case r.End < r.Start:
			bad = append(bad, fmt.Sprintf("%s ends before it starts", part))
		case r.End > codeLines:
			bad = append(bad, fmt.Sprintf("%s is outside the seed code (it has %d lines)", part, codeLines))
		default:
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	for i := 1; i < len(out); i++ {
		if out[i].Start <= out[i-1].End {
			bad = append(bad, fmt.Sprintf("%s and %s overlap", out[i-1], out[i]))
		}
	}
	return out, bad
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return math.MaxInt // too many digits: reported as outside the code
	}
	return n
}

// topHeadings returns the 1-based line numbers of level 1 and 2 ATX
// headings in body lines, outside fenced code blocks.
func topHeadings(body []string) []int {
	var out []int
	inFence := ""
	for i, l := range body {
		t := strings.TrimSpace(l)
		switch {
		case inFence != "":
			if strings.HasPrefix(t, inFence) {
				inFence = ""
			}
		case strings.HasPrefix(t, "```"), strings.HasPrefix(t, "~~~"):
			inFence = t[:3]
		case t == "#" || t == "##" || strings.HasPrefix(t, "# ") || strings.HasPrefix(t, "## "):
			out = append(out, i+1)
		}
	}
	return out
}

func knownStep(s string) bool {
	for _, st := range demo.Steps {
		if string(st) == s {
			return true
		}
	}
	return false
}

func stepList() string {
	names := make([]string, len(demo.Steps))
	for i, st := range demo.Steps {
		names[i] = string(st)
	}
	return strings.Join(names, ", ")
}
