package ui

import (
	"fmt"
	"strings"
	"sync"

	"charm.land/lipgloss/v2"
	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"

	"cqrslab/lessons"
)

// seedCode is the seed's code as styled lines, once per chroma style: the
// code never changes, so it is highlighted once and each page only picks
// its lines. Each line exists twice: as is, and on the highlight background
// for the lines the page is about.
type seedCode struct {
	plain, marked []string
}

var (
	seedCodeMu    sync.Mutex
	seedCodeCache = map[string]*seedCode{}
)

// highlightedSeed returns the seed code styled with a theme's code palette, or
// without colour ("" style) where only the marked lines are bold.
func highlightedSeed(st Styles) *seedCode {
	name := st.codeStyle
	if st.NoColor {
		name = ""
	}
	seedCodeMu.Lock()
	defer seedCodeMu.Unlock()
	if c, ok := seedCodeCache[name]; ok {
		return c
	}
	src := strings.ReplaceAll(lessons.SeedCode(), "\t", "    ")
	c := &seedCode{}
	if name == "" {
		for _, l := range strings.Split(strings.TrimSuffix(src, "\n"), "\n") {
			c.plain = append(c.plain, l)
			c.marked = append(c.marked, st.codeLine.Render(l))
		}
		seedCodeCache[name] = c
		return c
	}
	style := codePalettes[Theme(name)].chromaStyle("cqrslab-" + name)
	it, err := lexers.Get("go").Tokenise(nil, src)
	if err != nil {
		return &seedCode{plain: strings.Split(src, "\n"), marked: strings.Split(src, "\n")}
	}
	for _, line := range chroma.SplitTokensIntoLines(it.Tokens()) {
		var p, m strings.Builder
		for _, tok := range line {
			text := strings.TrimRight(tok.Value, "\n")
			if text == "" {
				continue
			}
			ts := tokenStyle(style.Get(tok.Type))
			p.WriteString(ts.Render(text))
			m.WriteString(ts.Inherit(st.codeLine).Render(text))
		}
		c.plain = append(c.plain, p.String())
		c.marked = append(c.marked, m.String())
	}
	seedCodeCache[name] = c
	return c
}

func tokenStyle(e chroma.StyleEntry) lipgloss.Style {
	s := lipgloss.NewStyle()
	if e.Colour.IsSet() {
		s = s.Foreground(lipgloss.Color(e.Colour.String()))
	}
	if e.Bold == chroma.Yes {
		s = s.Bold(true)
	}
	if e.Italic == chroma.Yes {
		s = s.Italic(true)
	}
	return s
}

// CodeView draws the seed code lines a page is about, with a line of
// context around each run, on w×h cells: a title line (when titled), then
// numbered lines, the page's lines marked ▶ and highlighted. Runs far apart
// are separated by ⋮; when space is short the context goes first.
func CodeView(st Styles, p lessons.Page, w, h int, titled bool) string {
	code := highlightedSeed(st)
	n := len(code.plain)
	ranges := p.Highlight
	title := "The seed's code"
	if len(ranges) == 0 {
		ranges = []lessons.LineRange{{Start: 31, End: 31}}
	} else {
		var rs []string
		for _, r := range ranges {
			rs = append(rs, r.String())
		}
		noun := "lines"
		if len(ranges) == 1 && ranges[0].Start == ranges[0].End {
			noun = "line" // "lines 31" read as a slip
		}
		title = fmt.Sprintf("The seed's code · %s %s marked ▶", noun, strings.Join(rs, ", "))
	}
	rows := h
	if titled {
		rows--
	}
	marked := 0
	for _, r := range ranges {
		marked += r.End - r.Start + 1
	}
	context := 1
	if marked+2*len(ranges) > rows {
		context = 0
	}
	var show []int // line numbers, 0 for a ⋮ row
	for _, r := range ranges {
		from, to := max(1, r.Start-context), min(n, r.End+context)
		if len(show) > 0 {
			last := show[len(show)-1]
			if from <= last+1 {
				from = last + 1
			} else {
				show = append(show, 0)
			}
		}
		for i := from; i <= to; i++ {
			show = append(show, i)
		}
	}
	// Fill the space with the lines that follow, so the code reads on.
	for len(show) < rows && show[len(show)-1] > 0 && show[len(show)-1] < n {
		show = append(show, show[len(show)-1]+1)
	}
	var b strings.Builder
	if titled {
		b.WriteString(st.Heading.Render(Cut(title, w)) + "\n")
	}
	for i, ln := range show {
		if i > 0 {
			b.WriteString("\n")
		}
		if ln == 0 {
			b.WriteString(st.gutter.Render("   ⋮"))
			continue
		}
		gutter, text := st.gutter.Render(fmt.Sprintf("%3d   ", ln)), code.plain[ln-1]
		if p.Highlighted(ln) {
			gutter = st.gutter.Render(fmt.Sprintf("%3d ", ln)) + st.marker.Render("▶") + " "
			text = code.marked[ln-1]
		}
		b.WriteString(Cut(gutter+text, w))
	}
	return Fit(b.String(), w, h)
}
