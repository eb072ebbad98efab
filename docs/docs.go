// Package docs holds the guides that ship inside the binary as well as in
// the repository, so a facilitator with only the binary on a USB stick can
// still print the workshop guide (`cqrslab export guide`).
package docs

import _ "embed"

// Workshop is docs/workshop.md, the facilitator's guide.
//
//go:embed workshop.md
var Workshop string
