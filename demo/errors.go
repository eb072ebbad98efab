package demo

import (
	"errors"
	"fmt"
)

// ValidationError says which field of a NewPost is wrong and how. CreatePost
// returns it before writing anything to either store.
type ValidationError struct {
	Field  string // "title", "author", "id"
	Reason string // what is wrong, and what would be accepted
}

func (e *ValidationError) Error() string { return fmt.Sprintf("invalid %s: %s", e.Field, e.Reason) }

// UnknownAuthorError means the author ID is well formed but not in the
// authors table.
type UnknownAuthorError struct{ AuthorID string }

func (e *UnknownAuthorError) Error() string {
	return fmt.Sprintf("invalid author: no author %q (try one of the lab's authors, e.g. alice, bob, carol)", e.AuthorID)
}

// ConflictError means a post with this ID exists with other content; the
// existing post is left as it was.
type ConflictError struct {
	ID       string
	Existing Post
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("invalid id: post %q already exists with other content (author %q, title %q); use a new ID",
		e.ID, e.Existing.AuthorID, e.Existing.Title)
}

// IsInvalidInput reports whether err is the caller's fault (a bad field, an
// unknown author, an ID conflict), as opposed to a store failing.
func IsInvalidInput(err error) bool {
	var v *ValidationError
	var u *UnknownAuthorError
	var c *ConflictError
	return errors.As(err, &v) || errors.As(err, &u) || errors.As(err, &c)
}
