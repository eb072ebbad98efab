package demo

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzValidatePost feeds post validation arbitrary authors, IDs and titles,
// as the CLI, the TUI and the experiments pass them. It may not panic; an
// accepted post must really meet the rules the README states (so a Redis
// key or the screen cannot be broken by it), and a refusal must be a
// ValidationError naming a field, with no control character in its text.
func FuzzValidatePost(f *testing.F) {
	f.Add("alice", "", "Hello")
	f.Add("alice", "p-1.x_y", "Café ☕ 200 chars max")
	f.Add("bob", "id with space", "t")
	f.Add("feed:{x}", "", "t")
	f.Add("alice", "", "\x1b[2J\x1b]0;pwned\x07")
	f.Add("alice", "", "a\x00b")
	f.Add("alice", "", "\xff\xfe")
	f.Add("alice", "", "   ")
	f.Add("alice", "", "line\u2028sep\u0085")
	f.Add(strings.Repeat("a", 65), "", "t")
	f.Add("alice", "", strings.Repeat("é", 201))
	f.Fuzz(func(t *testing.T, author, id, title string) {
		err := validate(NewPost{AuthorID: author, ID: id, Title: title})
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("refusal is not a ValidationError: %v", err)
			}
			if ve.Field != "author" && ve.Field != "id" && ve.Field != "title" {
				t.Fatalf("refusal names field %q", ve.Field)
			}
			if !IsInvalidInput(err) {
				t.Fatalf("a ValidationError is not invalid input (exit 2): %v", err)
			}
			for _, r := range err.Error() {
				if unicode.IsControl(r) || r == utf8.RuneError {
					t.Fatalf("refusal text carries %U: %q", r, err)
				}
			}
			return
		}
		for _, v := range []string{author, id} {
			if len(v) > MaxIDLength {
				t.Fatalf("accepted a %d-byte ID", len(v))
			}
			if strings.ContainsFunc(v, func(r rune) bool {
				return !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_.", r)))
			}) {
				t.Fatalf("accepted ID %q with a character outside A-Z a-z 0-9 - _ .", v)
			}
		}
		if author == "" {
			t.Fatal("accepted an empty author")
		}
		if !utf8.ValidString(title) || strings.TrimSpace(title) == "" || utf8.RuneCountInString(title) > MaxTitleRunes {
			t.Fatalf("accepted title %q", title)
		}
		if strings.ContainsFunc(title, unicode.IsControl) {
			t.Fatalf("accepted title %q with a control character", title)
		}
	})
}
