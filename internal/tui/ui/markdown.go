package ui

import (
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"
	"charm.land/glamour/v2"
)

// MarkdownKey names one rendering of a page: the text depends on the page,
// the width it wraps at, the style, and whether the hint and "show me" are
// shown (they are part of the text, so they scroll with it).
type MarkdownKey struct {
	Page         int
	Width        int
	Style        string
	Hint, ShowMe bool
}

// MarkdownMsg carries a page rendered off the UI goroutine.
type MarkdownMsg struct {
	Key MarkdownKey
	Out string
}

var (
	renderersMu sync.Mutex
	renderers   = map[[2]any]*glamour.TermRenderer{}
)

// renderMarkdown renders a page's markdown in a theme's style (see
// glamourStyle: "dark", "light", "high-contrast", "notty") wrapped at width. Glamour v2 never looks at the
// terminal, so the output depends only on its inputs (which golden tests
// rely on). A page that fails to render is shown as its source.
func renderMarkdown(md, style string, width int) string {
	renderersMu.Lock()
	k := [2]any{style, width}
	r, ok := renderers[k]
	if !ok {
		var err error
		r, err = glamour.NewTermRenderer(glamour.WithStyles(glamourStyle(style)), glamour.WithWordWrap(width))
		if err != nil {
			renderersMu.Unlock()
			return md
		}
		renderers[k] = r
	}
	out, err := r.Render(md)
	renderersMu.Unlock()
	if err != nil {
		return md
	}
	return strings.Trim(out, "\n")
}

// RenderPage renders in a Cmd: glamour takes milliseconds, which a resize
// storm must not spend on the UI goroutine.
func RenderPage(k MarkdownKey, md string) tea.Cmd {
	return func() tea.Msg { return MarkdownMsg{Key: k, Out: renderMarkdown(md, k.Style, k.Width)} }
}
