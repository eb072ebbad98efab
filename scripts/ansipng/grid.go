package main

import (
	"bytes"
	"image/color"

	"github.com/charmbracelet/x/ansi"
)

// style is what SGR sequences set for the cells printed after them. A nil
// colour is the terminal's default, resolved by the palette at draw time.
type style struct {
	fg, bg                                  color.Color
	bold, faint, italic, underline, reverse bool
}

// cell is one column of the screen: a grapheme and its style. A wide
// grapheme fills its cell and the next, which is kept as a continuation
// (empty text, width 0) so that columns stay aligned.
type cell struct {
	text  string
	width int
	st    style
}

// parseScreen reads what `tmux capture-pane -e -p` prints (lines of text with
// SGR sequences and nothing that moves the cursor) into a grid of exactly
// rows × cols cells. Sequences other than SGR are dropped, never drawn: the
// picture shows what a terminal would show, not the bytes.
func parseScreen(data []byte, cols, rows int) [][]cell {
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	grid := make([][]cell, rows)
	var st style // tmux carries a style across lines only after a reset, so one state is right
	p := ansi.NewParser()
	for y := range rows {
		row := make([]cell, 0, cols)
		if y < len(lines) {
			var state byte
			b := lines[y]
			for len(b) > 0 {
				seq, width, n, newState := ansi.DecodeSequence(b, state, p)
				state = newState
				b = b[n:]
				switch {
				case width > 0:
					if len(row)+width > cols {
						b = nil
						break
					}
					row = append(row, cell{text: string(seq), width: width, st: st})
					for range width - 1 {
						row = append(row, cell{st: st})
					}
				case len(seq) > 1 && seq[0] == ansi.ESC && seq[len(seq)-1] == 'm' && ansi.Cmd(p.Command()).Final() == 'm':
					st = applySGR(st, p.Params())
				}
			}
		}
		for len(row) < cols {
			row = append(row, cell{text: " ", width: 1, st: style{bg: st.bg, reverse: st.reverse}})
		}
		grid[y] = row
	}
	return grid
}
