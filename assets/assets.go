// Package assets holds the content cqrslab ships inside its binary, so the
// lab works from a single file with nothing to install beside it.
//
// Each kind of content has its own folder, read through FS with that folder
// as the first path element: quiz/ holds the question bank (read by package
// quiz, which validates it). More folders (lessons/, the seed code shown in
// lessons) are added here as the lessons are written; add each one to the
// go:embed line below. `//go:embed` cannot reach a parent folder, which is
// why this is a package of its own at the top of the module.
package assets

import (
	"embed"
	"io/fs"
)

//go:embed quiz lessons seed
var files embed.FS

// FS is every embedded file, read-only.
var FS fs.FS = files
