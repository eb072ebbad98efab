package main

import "image/color"

// lineArms says which way a light box-drawing character reaches from its
// cell's centre: up, right, down, left. Rounded corners are drawn square;
// at screenshot size the difference is a pixel.
var lineArms = map[rune][4]bool{
	'─': {false, true, false, true}, '│': {true, false, true, false},
	'┌': {false, true, true, false}, '╭': {false, true, true, false},
	'┐': {false, false, true, true}, '╮': {false, false, true, true},
	'└': {true, true, false, false}, '╰': {true, true, false, false},
	'┘': {true, false, false, true}, '╯': {true, false, false, true},
	'├': {true, true, true, false}, '┤': {true, false, true, true},
	'┬': {false, true, true, true}, '┴': {true, true, false, true},
	'┼': {true, true, true, true},
}

// drawShape draws box-drawing lines and block elements as rectangles,
// reporting whether r was one of them.
func (c *canvas) drawShape(r rune, x, y int, fg color.Color) bool {
	if arms, ok := lineArms[r]; ok {
		cx, cy := x+c.cw/2, y+c.ch/2
		if arms[0] {
			c.fill(cx, y, 1, cy-y+1, fg)
		}
		if arms[2] {
			c.fill(cx, cy, 1, y+c.ch-cy, fg)
		}
		if arms[3] {
			c.fill(x, cy, cx-x+1, 1, fg)
		}
		if arms[1] {
			c.fill(cx, cy, x+c.cw-cx, 1, fg)
		}
		return true
	}
	switch {
	case r == '█':
		c.fill(x, y, c.cw, c.ch, fg)
	case r >= '▁' && r <= '▇': // lower eighths
		h := c.ch * int(r-'▁'+1) / 8
		c.fill(x, y+c.ch-h, c.cw, h, fg)
	case r >= '▉' && r <= '▏': // left eighths, seven down to one
		w := c.cw * int('▏'-r+1) / 8
		c.fill(x, y, max(w, 1), c.ch, fg)
	case r == '▀':
		c.fill(x, y, c.cw, c.ch/2, fg)
	case r == '▐':
		c.fill(x+c.cw/2, y, c.cw-c.cw/2, c.ch, fg)
	default:
		return false
	}
	return true
}
