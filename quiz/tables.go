package quiz

import "strings"

// A state table ("step | PG row | Redis member | GetFeed shows post",
// then one line per step) says in its cells what prose says in clauses,
// but each cell alone is a word or two ("yes", "no", "old feed"): read row
// by row, no sentence of it names both a step and what the reader sees,
// and correct walkthroughs written as tables failed. readTables gives each
// cell its column's heading, as words of no width at the cell's start
// (like carrySubjects): "ZADD ok | yes" reads "ZADD ok, Redis member
// yes", and a "no" cell denies its heading ("no GetFeed shows post"), so
// claims read a row the way a person reads it, and quotes still show only
// what the learner wrote.

// minTableRows is the fewest lines, heading included, that make a table:
// two lines with a bar each are more likely prose that happens to use one.
const minTableRows = 3

// tableCell is one cell of a row: the tokens of its sentence between two
// bars (from == to for an empty cell).
type tableCell struct{ from, to int }

// tableRow is one line of a table: its sentence and its cells.
type tableRow struct {
	sent  int
	cells []tableCell
}

// readTables finds the answer's tables (runs of minTableRows or more lines
// with the same number of bars, at least one) and gives their rows'
// cells their headings. A line of dashes under the heading has no words,
// so it is no sentence and the run goes on past it. It reports which
// sentences are a table's heading, which asserts nothing.
func readTables(answer string, sents []sentence) (headings []bool) {
	headings = make([]bool, len(sents))
	var run []tableRow
	var lines barLines
	bars := -1
	flush := func() {
		if len(run) >= minTableRows {
			headRows(sents, run[0], run[1:])
			headings[run[0].sent] = true
		}
		run, bars = nil, -1
	}
	for i, s := range sents {
		from, to, n := lines.at(answer, s.start)
		if n == 0 || s.end > to {
			flush() // no bar between words, or a sentence running past its line
			continue
		}
		if i > 0 && sents[i-1].end > from || i+1 < len(sents) && sents[i+1].start < to {
			flush() // the line holds more than one sentence: prose, not a row
			continue
		}
		if bars >= 0 && n != bars {
			flush()
		}
		bars = n
		run = append(run, tableRow{sent: i, cells: cellsOf(answer, s, from, to)})
	}
	flush()
	return headings
}

// barLines answers, line by line, how many bars a line of text holds: the
// split asks at every stop and readTables at every sentence, and a 64 KiB
// answer on one line must not be scanned once per sentence.
type barLines struct {
	from, to    int
	bars, inner int // all the line's bars, and those between its cells (not framing it)
	ok          bool
}

// at returns the bounds of the line holding offset i and the number of
// bars between its cells.
func (b *barLines) at(text string, i int) (int, int, int) {
	if !b.ok || i < b.from || i > b.to {
		b.from, b.to = lineBounds(text, i)
		line := text[b.from:b.to]
		b.bars, b.inner, b.ok = strings.Count(line, "|"), strings.Count(strings.Trim(line, " \t|"), "|"), true
	}
	return b.from, b.to, b.inner
}

// onBarLine reports whether offset i is on a line with two bars or more:
// a stop there ("| old feed; caller gets the error") parts clauses of a
// table's cell, not sentences, so the row stays one sentence.
func (b *barLines) onBarLine(text string, i int) bool {
	b.at(text, i)
	return b.bars >= 2
}

// headRows gives each row's cells the heading's words.
func headRows(sents []sentence, head tableRow, rows []tableRow) {
	heads := head.cells
	for _, r := range rows {
		if len(r.cells) != len(heads) {
			continue
		}
		s := sents[r.sent]
		var out []token
		for c, cell := range r.cells {
			toks := s.tokens[cell.from:cell.to]
			heading := sents[head.sent].tokens[heads[c].from:heads[c].to]
			if c == 0 || len(toks) == 0 || len(heading) == 0 {
				out = append(out, toks...) // the row's own label, or nothing to head
				continue
			}
			denied := len(toks) == 1 && (toks[0].word == "no" || toks[0].word == "none" || toks[0].word == "nothing")
			if denied {
				out = append(out, toks[0]) // "no", then the heading it denies
			}
			k := 0
			for _, h := range heading {
				if isDigits(h.word) {
					continue // "Why it happens at 500 w/s": a figure sets the scene, it is no part of every cell
				}
				h.start, h.end, h.arrow, h.carried = toks[0].start, toks[0].start, false, true
				h.softBefore, h.mark = false, 0
				if k == 0 && !denied {
					h.softBefore, h.mark = true, '|'
				}
				out = append(out, h)
				k++
			}
			if denied {
				continue
			}
			first := toks[0]
			first.softBefore, first.mark = false, 0 // the heading and its value are one clause
			out = append(out, first)
			out = append(out, toks[1:]...)
		}
		sents[r.sent].tokens = out
	}
}

// cellsOf splits a row sentence's tokens at the bars of its line
// (from..to). Bars that open or close the line frame the row and make no
// empty cell; a bar with nothing before the next one ("| - |") does.
func cellsOf(answer string, s sentence, from, to int) []tableCell {
	line := answer[from:to]
	inner := strings.TrimSpace(line)
	at := from + strings.Index(line, inner)
	if strings.HasPrefix(inner, "|") {
		inner, at = inner[1:], at+1
	}
	inner = strings.TrimSuffix(inner, "|")
	var cells []tableCell
	k := 0
	for _, part := range strings.Split(inner, "|") {
		end := at + len(part)
		c := tableCell{from: k}
		for k < len(s.tokens) && s.tokens[k].start < end {
			k++
		}
		c.to = k
		cells = append(cells, c)
		at = end + 1
	}
	return cells
}

// lineBounds are the offsets of the line of answer that offset i is on,
// without its new line.
func lineBounds(answer string, i int) (int, int) {
	from := strings.LastIndexByte(answer[:i], '\n') + 1
	to := strings.IndexByte(answer[i:], '\n')
	if to < 0 {
		return from, len(answer)
	}
	return from, i + to
}
