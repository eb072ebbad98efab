package demo

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on input. A title is one line of text of at most MaxTitleRunes
// characters; IDs are short and made of characters that cannot break a Redis
// key or a log line.
const (
	MaxTitleRunes = 200
	MaxIDLength   = 64
)

// validate checks a NewPost before anything is written. It is pure (no I/O),
// so a bad request costs nothing and touches neither store.
func validate(p NewPost) error {
	if err := validateID("author", p.AuthorID); err != nil {
		return err
	}
	if p.ID != "" {
		if err := validateID("id", p.ID); err != nil {
			return err
		}
	}
	return validateTitle(p.Title)
}

func validateTitle(t string) error {
	switch {
	case !utf8.ValidString(t):
		return &ValidationError{Field: "title", Reason: "not valid UTF-8 text"}
	case strings.TrimSpace(t) == "":
		return &ValidationError{Field: "title", Reason: "empty or blank; give the post a title"}
	case utf8.RuneCountInString(t) > MaxTitleRunes:
		return &ValidationError{Field: "title",
			Reason: fmt.Sprintf("%d characters, over the limit of %d", utf8.RuneCountInString(t), MaxTitleRunes)}
	}
	for i, r := range t {
		if r == 0 {
			return &ValidationError{Field: "title", Reason: fmt.Sprintf("contains a NUL byte at offset %d", i)}
		}
		if unicode.IsControl(r) {
			return &ValidationError{Field: "title",
				Reason: fmt.Sprintf("contains control character %U at offset %d (titles are one line of plain text)", r, i)}
		}
	}
	return nil
}

// validateID accepts letters, digits, '-', '_' and '.': no spaces, colons or
// braces, so "feed:"+id is always exactly one key and never a Redis Cluster
// hash tag.
func validateID(field, id string) error {
	if id == "" {
		return &ValidationError{Field: field, Reason: "empty; give an ID such as alice"}
	}
	if len(id) > MaxIDLength {
		return &ValidationError{Field: field, Reason: fmt.Sprintf("%d bytes, over the limit of %d", len(id), MaxIDLength)}
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' {
			continue
		}
		return &ValidationError{Field: field,
			Reason: fmt.Sprintf("character %q at offset %d is not allowed (use letters, digits, '-', '_' or '.')", id[i:i+1], i)}
	}
	return nil
}
