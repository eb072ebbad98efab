package lessons

import (
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// fixtureCode has 10 lines, the bound for highlights in the fixtures.
const fixtureCode = "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tx := 1\n\ty := 2\n\tfmt.Println(x + y)\n}\n// end\n"

const goodPage = `---
id: insert
title: The INSERT
summary: The commit point.
step: postgres.insert
highlight: 6-7, 2
postgres: The row, committed.
redis: Unchanged.
getfeed: The old feed.
hint: Look at both panels.
show_me: $ cqrslab feed --author alice
---
The body.

### A section
More.
`

const plainPage = `---
id: why
title: Why
summary: The idea.
hint: Think.
show_me: A thing to reveal.
---
Why it matters.
`

// removed, as a file's content in fixture, removes the file.
const removed = "\x00"

// fixture is a valid lesson with the given files replaced, added or
// removed.
func fixture(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		SeedFile:               {Data: []byte(fixtureCode)},
		"lessons/01-why.md":    {Data: []byte(plainPage)},
		"lessons/02-insert.md": {Data: []byte(goodPage)},
		PromptsFile:            {Data: []byte("# comment\nFirst\nline.\n\nSecond.\n")},
	}
	for name, data := range files {
		if data == removed {
			delete(fsys, name)
			continue
		}
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

func TestLoadParsesAValidLesson(t *testing.T) {
	pages, err := Load(fixture(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 2 || pages[0].ID != "why" || pages[1].ID != "insert" {
		t.Fatalf("pages out of file order: %+v", pages)
	}
	p := pages[1]
	want := Page{
		ID: "insert", Title: "The INSERT", Summary: "The commit point.", Step: "postgres.insert",
		Highlight: []LineRange{{2, 2}, {6, 7}},
		After:     Snapshot{Postgres: "The row, committed.", Redis: "Unchanged.", GetFeed: "The old feed."},
		Hint:      "Look at both panels.", ShowMe: "$ cqrslab feed --author alice",
		Body: "The body.\n\n### A section\nMore.",
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("parsed\n%+v\nwant\n%+v", p, want)
	}
	if cmd, ok := p.ShowMeCommand(); !ok || cmd != "cqrslab feed --author alice" {
		t.Errorf("ShowMeCommand = %q, %v", cmd, ok)
	}
	if _, ok := pages[0].ShowMeCommand(); ok {
		t.Error("plain show_me text taken for a command")
	}
	for line, want := range map[int]bool{1: false, 2: true, 3: false, 6: true, 7: true, 8: false} {
		if p.Highlighted(line) != want {
			t.Errorf("Highlighted(%d) = %v", line, !want)
		}
	}
}

// replaceLine returns goodPage with the line starting with prefix replaced
// (or removed, when repl is "").
func replaceLine(prefix, repl string) string {
	var out []string
	for _, l := range strings.Split(goodPage, "\n") {
		if strings.HasPrefix(l, prefix) {
			if repl == "" {
				continue
			}
			l = repl
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// Each broken fixture must be refused with an error naming the file, the
// line and the mistake.
func TestLoadNamesEachMistake(t *testing.T) {
	const f = "lessons/02-insert.md"
	tests := []struct {
		name  string
		files map[string]string
		want  string // file:line: message fragment
	}{
		{"unknown step", map[string]string{f: replaceLine("step:", "step: postgres.insrt")},
			f + `:5: unknown step "postgres.insrt" (the engine's steps: validate, postgres.insert, encode, redis.zadd, done)`},
		{"missing title", map[string]string{f: replaceLine("title:", "")}, f + ":1: the front matter has no title"},
		{"empty title", map[string]string{f: replaceLine("title:", "title:")}, f + ":3: the front matter has no title"},
		{"missing hint", map[string]string{f: replaceLine("hint:", "")}, f + ":1: the front matter has no hint"},
		{"not a range", map[string]string{f: replaceLine("highlight:", "highlight: six")},
			f + `:6: highlight: "six" is not a line or a range`},
		{"backwards range", map[string]string{f: replaceLine("highlight:", "highlight: 7-6")},
			f + ":6: highlight: 7-6 ends before it starts"},
		{"line zero", map[string]string{f: replaceLine("highlight:", "highlight: 0-2")},
			f + ":6: highlight: 0-2: lines are numbered from 1"},
		{"overlapping ranges", map[string]string{f: replaceLine("highlight:", "highlight: 5-7, 2-5")},
			f + ":6: highlight: 2-5 and 5-7 overlap"},
		{"range outside the code", map[string]string{f: replaceLine("highlight:", "highlight: 9-11")},
			f + ":6: highlight: 9-11 is outside the seed code (it has 10 lines)"},
		{"huge line number", map[string]string{f: replaceLine("highlight:", "highlight: 99999999999999999999")},
			"is outside the seed code"},
		{"duplicate id", map[string]string{"lessons/03-again.md": strings.Replace(plainPage, "id: why", "id: insert", 1)},
			`lessons/03-again.md:2: duplicate id "insert" (first used at lessons/02-insert.md:2)`},
		{"empty body", map[string]string{f: goodPage[:strings.Index(goodPage, "The body.")]},
			f + ":13: the page has no body"},
		{"unknown key", map[string]string{f: replaceLine("hint:", "hint: x\ncolour: red")},
			f + `:11: unknown front matter key "colour"`},
		{"key set twice", map[string]string{f: replaceLine("hint:", "hint: x\nhint: y")},
			f + ":11: hint is set twice (first on line 10)"},
		{"not key value", map[string]string{f: replaceLine("hint:", "hint: x\njust words")},
			f + `:11: want key: value, got "just words"`},
		{"no front matter", map[string]string{f: "Just a body.\n"}, f + ":1: a page starts with a front matter"},
		{"front matter never closed", map[string]string{f: "---\nid: x\n"}, f + ":1: the front matter is never closed"},
		{"bad id", map[string]string{f: replaceLine("id:", "id: The_Insert")}, f + `:2: id "The_Insert": use lowercase`},
		{"bad outcome", map[string]string{f: replaceLine("step:", "step: postgres.insert\noutcome: broken")},
			f + `:6: outcome "broken"`},
		{"outcome without step", map[string]string{"lessons/01-why.md": strings.Replace(plainPage, "hint:", "outcome: error\nhint:", 1)},
			"lessons/01-why.md:5: outcome needs a step"},
		{"step without snapshot", map[string]string{f: replaceLine("redis:", "")},
			f + ":1: a page with a step needs redis: what the Redis panel shows right after the step"},
		{"two pages for one step", map[string]string{"lessons/03-again.md": strings.Replace(goodPage, "id: insert", "id: again", 1)},
			`lessons/03-again.md:5: step "postgres.insert" already has a page (lessons/02-insert.md:5)`},
		{"top-level heading in body", map[string]string{f: strings.Replace(goodPage, "### A section", "## A section", 1)},
			f + ":15: headings in a body start at ###"},
		{"empty show me command", map[string]string{f: replaceLine("show_me:", "show_me: $ ")},
			f + ":11: show_me starts with \"$ \" but names no command"},
		{"badly named file", map[string]string{"lessons/intro.md": plainPage}, "lessons/intro.md: not a lesson page"},
		{"not a page", map[string]string{"lessons/README": "x"}, "lessons/README: not a lesson page"},
		{"no pages folder", map[string]string{"lessons/01-why.md": removed, f: removed}, "lesson: read the pages"},
		{"no seed code", map[string]string{SeedFile: removed}, "lesson: read the seed code"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pages, err := Load(fixture(tc.files))
			if err == nil {
				t.Fatalf("loaded %d pages; want an error containing %q", len(pages), tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tc.want)
			}
			if pages != nil {
				t.Error("a broken lesson returned pages")
			}
		})
	}
}

// A heading inside a fenced code block is code, not a heading.
func TestNoPages(t *testing.T) {
	fsys := fixture(map[string]string{"lessons/01-why.md": removed, "lessons/02-insert.md": removed})
	fsys[PagesDir] = &fstest.MapFile{Mode: fs.ModeDir}
	if _, err := Load(fsys); err == nil || !strings.Contains(err.Error(), "lessons: no pages") {
		t.Errorf("err = %v, want lessons: no pages", err)
	}
}

func TestHeadingsInCodeBlocksAreAllowed(t *testing.T) {
	page := strings.Replace(goodPage, "### A section", "```sh\n# a shell comment\n```", 1)
	if _, err := Load(fixture(map[string]string{"lessons/02-insert.md": page})); err != nil {
		t.Fatal(err)
	}
}

// Every mistake is reported at once, each as an *Error, so one test run
// shows the author all of them.
func TestLoadReportsEveryMistake(t *testing.T) {
	broken := replaceLine("step:", "step: nope")
	broken = strings.Replace(broken, "highlight: 6-7, 2", "highlight: 40", 1)
	_, err := Load(fixture(map[string]string{"lessons/02-insert.md": broken}))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"unknown step", "outside the seed code"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error misses %q:\n%v", want, err)
		}
	}
	var le *Error
	if !errors.As(err, &le) || le.File != "lessons/02-insert.md" || le.Line == 0 {
		t.Errorf("errors.As(*Error) = %+v", le)
	}
}

func TestLoadPrompts(t *testing.T) {
	got, err := LoadPrompts(fixture(nil))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"First line.", "Second."}; !reflect.DeepEqual(got, want) {
		t.Errorf("prompts = %q, want %q", got, want)
	}
	if _, err := LoadPrompts(fixture(map[string]string{PromptsFile: "# only a comment\n\n"})); err == nil {
		t.Error("a prompts file with no prompt was accepted")
	}
}

func TestStepPage(t *testing.T) {
	pages := []Page{
		{ID: "zadd", Step: "redis.zadd"},
		{ID: "zadd-fails", Step: "redis.zadd", Outcome: OutcomeError},
		{ID: "encode", Step: "encode"},
	}
	for _, tc := range []struct {
		step   string
		failed bool
		want   string
	}{
		{"redis.zadd", false, "zadd"},
		{"redis.zadd", true, "zadd-fails"},
		{"encode", false, "encode"},
		{"encode", true, "encode"}, // no failure page: the step's own page
		{"done", false, ""},
	} {
		p, ok := StepPage(pages, tc.step, tc.failed)
		if p.ID != tc.want || ok != (tc.want != "") {
			t.Errorf("StepPage(%q, %v) = %q, %v; want %q", tc.step, tc.failed, p.ID, ok, tc.want)
		}
	}
}
