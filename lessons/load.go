package lessons

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"sync"

	"cqrslab/assets"
)

// Where the lesson lives in an FS laid out like assets/.
const (
	// PagesDir holds the pages, one markdown file each, read in file name
	// order: NN-name.md, so the order is visible in a directory listing.
	PagesDir = "lessons"
	// SeedFile is the seed lesson's demo code, the code under study. Page
	// highlights are line numbers in this file.
	SeedFile = "seed/createpost.go.txt"
	// PromptsFile holds the seed lesson's try-it prompts (see LoadPrompts).
	PromptsFile = "seed/try-it.txt"
)

// Title is the lesson's name, for headings and exports.
const Title = "Synchronous CQRS with two databases"

var pageName = regexp.MustCompile(`^[0-9]{2,}-[a-z0-9-]+\.md$`)

// Error is one mistake in the lesson content, at a file and line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Load reads and validates the lesson from fsys, laid out like assets/:
// the pages under PagesDir and the seed code at SeedFile. A lesson with any
// mistake is refused as a whole, every mistake named with its file and
// line (errors.Join of *Error), so a typo fails a test instead of a page.
func Load(fsys fs.FS) ([]Page, error) {
	code, err := fs.ReadFile(fsys, SeedFile)
	if err != nil {
		return nil, fmt.Errorf("lesson: read the seed code: %w", err)
	}
	codeLines := len(codeLines(string(code)))

	entries, err := fs.ReadDir(fsys, PagesDir)
	if err != nil {
		return nil, fmt.Errorf("lesson: read the pages: %w", err)
	}
	var pages []Page
	var errs []error
	firstID := map[string]string{}   // id -> file:line
	firstStep := map[string]string{} // step+outcome -> file:line
	for _, e := range entries {
		file := path.Join(PagesDir, e.Name())
		if e.IsDir() || !pageName.MatchString(e.Name()) {
			errs = append(errs, &Error{File: file, Msg: "not a lesson page: name pages NN-name.md (two or more digits give the order)"})
			continue
		}
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			errs = append(errs, &Error{File: file, Msg: err.Error()})
			continue
		}
		p, perrs := parsePage(file, data, codeLines)
		errs = append(errs, perrs...)
		if p.ID != "" {
			at := fmt.Sprintf("%s:%d", file, keyLine(data, "id"))
			if prev, dup := firstID[p.ID]; dup {
				errs = append(errs, &Error{File: file, Line: keyLine(data, "id"),
					Msg: fmt.Sprintf("duplicate id %q (first used at %s)", p.ID, prev)})
			} else {
				firstID[p.ID] = at
			}
		}
		if p.Step != "" {
			k := p.Step + "/" + p.Outcome
			at := fmt.Sprintf("%s:%d", file, keyLine(data, "step"))
			if prev, dup := firstStep[k]; dup {
				errs = append(errs, &Error{File: file, Line: keyLine(data, "step"),
					Msg: fmt.Sprintf("step %q%s already has a page (%s): one page per step and outcome", p.Step, outcomeNote(p.Outcome), prev)})
			} else {
				firstStep[k] = at
			}
		}
		pages = append(pages, p)
	}
	if len(pages) == 0 && len(errs) == 0 {
		errs = append(errs, &Error{File: PagesDir, Msg: "no pages"})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return pages, nil
}

func outcomeNote(outcome string) string {
	if outcome == "" {
		return ""
	}
	return " with outcome " + outcome
}

// keyLine is the 1-based line of a front matter key, for errors that are
// found after parsing (1 when the key is missing).
func keyLine(data []byte, key string) int {
	for i, l := range strings.Split(string(data), "\n") {
		if i > 0 && strings.TrimSpace(l) == fence {
			break
		}
		if k, _, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == key {
			return i + 1
		}
	}
	return 1
}

// Default is the lesson shipped inside the binary.
func Default() ([]Page, error) { return Load(assets.FS) }

var seedCode = sync.OnceValue(func() string {
	b, _ := fs.ReadFile(assets.FS, SeedFile)
	return string(b)
})

// SeedCode is the seed lesson's demo code, the code the pages highlight:
// line n of this text is line n of every Highlight. It is embedded, so it
// is never missing; a test proves it parses as Go.
func SeedCode() string { return seedCode() }

// SeedLines is SeedCode split into lines, without the trailing empty one:
// SeedLines()[n-1] is line n.
func SeedLines() []string { return codeLines(SeedCode()) }

func codeLines(code string) []string {
	return strings.Split(strings.TrimSuffix(code, "\n"), "\n")
}
