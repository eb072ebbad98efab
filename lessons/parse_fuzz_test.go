package lessons

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParsePage feeds the page parser arbitrary files: pages are written by
// hand, and a typo must come back as an error naming a line of the file,
// never a panic or a page that breaks the screens. An accepted page has
// every required field, highlights inside the seed code, and a body.
func FuzzParsePage(f *testing.F) {
	f.Add([]byte(goodPage))
	f.Add([]byte(plainPage))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("---\nid: x\nid: y\n---\nbody\n"))
	f.Add([]byte("---\r\nid: a\r\ntitle: T\r\nsummary: S\r\nhint: H\r\nshow_me: $ \r\nhighlight: 3-1, 9-99, x\r\n---\r\n## h\r\n"))
	f.Add([]byte(""))
	f.Add([]byte("---"))
	f.Fuzz(func(t *testing.T, data []byte) {
		codeLines := len(codeLines(fixtureCode))
		p, errs := parsePage("lessons/01-fuzz.md", data, codeLines)
		lines := strings.Count(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") + 1
		for _, err := range errs {
			var le *Error
			if !errors.As(err, &le) {
				t.Fatalf("error is not a *Error: %v", err)
			}
			// A line one past the end names where the missing body goes.
			if le.Line < 0 || le.Line > lines+1 {
				t.Fatalf("error names line %d of a %d-line file: %v", le.Line, lines, err)
			}
		}
		if len(errs) > 0 {
			return
		}
		for name, v := range map[string]string{"id": p.ID, "title": p.Title, "summary": p.Summary,
			"hint": p.Hint, "show_me": p.ShowMe, "body": p.Body} {
			if strings.TrimSpace(v) == "" {
				t.Fatalf("accepted a page with no %s: %q", name, data)
			}
		}
		for _, r := range p.Highlight {
			if r.Start < 1 || r.End < r.Start || r.End > codeLines {
				t.Fatalf("accepted highlight %v outside the %d code lines", r, codeLines)
			}
		}
	})
}
