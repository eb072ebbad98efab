package lessons

import (
	"fmt"
	"io/fs"
	"strings"

	"cqrslab/assets"
)

// LoadPrompts reads the seed lesson's try-it prompts from fsys (at
// PromptsFile), in the order the lesson asks them: each builds on the one
// before, so the order is part of the content. The file holds one prompt
// per paragraph; lines starting with '#' are comments, and a paragraph's
// lines are joined with spaces.
func LoadPrompts(fsys fs.FS) ([]string, error) {
	b, err := fs.ReadFile(fsys, PromptsFile)
	if err != nil {
		return nil, fmt.Errorf("lesson: read the try-it prompts: %w", err)
	}
	var prompts []string
	var para []string
	flush := func() {
		if len(para) > 0 {
			prompts = append(prompts, strings.Join(para, " "))
			para = nil
		}
	}
	for l := range strings.SplitSeq(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "#"):
		case l == "":
			flush()
		default:
			para = append(para, l)
		}
	}
	flush()
	if len(prompts) == 0 {
		return nil, &Error{File: PromptsFile, Msg: "no prompts: write one per paragraph"}
	}
	return prompts, nil
}

// Prompts are the try-it prompts shipped inside the binary.
func Prompts() ([]string, error) { return LoadPrompts(assets.FS) }
