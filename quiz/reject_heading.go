package quiz

import "strings"

// A structured answer often ends with what not to do, under a heading of
// its own: "What I wouldn't do" on one line and "Roll back the Postgres
// row." on the next. The heading's negation does not reach across the line
// break, so the line under it read as a proposal and the answer failed on a
// misconception it rejects. rejectHeadings marks the lines under such a
// heading as not asserted, up to the next blank line or heading.

// rejectHeadingWords make a short line a heading that rejects what follows.
var rejectHeadingWords = phraseList(`what i would not do|what i'd not do|what i wouldn't do|what not to do|what to avoid|things to avoid|
avoid|avoid this|do not|don't|dont|don'ts|donts|never|never do|not this|anti patterns|anti-patterns|antipatterns|
what does not work|what doesn't work|what would not work|what won't work|bad ideas|wrong ways|not an option|not options|rejected|ruled out`)

// maxHeadingTokens is the longest line read as a heading.
const maxHeadingTokens = 6

// rejectHeadings marks as heard the sentences under a rejecting heading:
// a line of its own (the text after it is a line break, maybe after a
// colon) of at most maxHeadingTokens words that opens with one of
// rejectHeadingWords. The scope ends at a blank line, at the next short
// line ending in a colon or standing alone, or at the answer's end.
func rejectHeadings(answer string, sents []sentence, heard [][]bool) {
	for si := 0; si+1 < len(sents); si++ {
		s := sents[si]
		if len(s.tokens) > maxHeadingTokens || !lineEndsAfter(answer, s.end) {
			continue
		}
		if n := matchAny(rejectHeadingWords, s.tokens, 0); n == 0 || n < len(s.tokens) && !headingTail(s.tokens[n:]) {
			continue
		}
		for k := si + 1; k < len(sents); k++ {
			if strings.Contains(answer[sents[k-1].end:sents[k].start], "\n\n") {
				break
			}
			if k > si+1 && len(sents[k].tokens) <= maxHeadingTokens && lineEndsAfter(answer, sents[k].end) && isHeadingLine(answer, sents[k]) {
				break
			}
			for j := range heard[k] {
				heard[k][j] = true
			}
		}
	}
}

// headingTail allows a few words after the heading's opening ("Don't do
// this", "Avoid at all costs") but not a clause of its own with a store in
// it: "Never roll back PostgreSQL" is a sentence, not a heading.
func headingTail(toks []token) bool {
	return len(toks) <= 3
}

// lineEndsAfter reports whether the text after byte end, past spaces, a
// colon, bold or heading marks, is a line break.
func lineEndsAfter(answer string, end int) bool {
	rest := strings.TrimLeft(answer[end:], " \t*_:#")
	return strings.HasPrefix(rest, "\n") || strings.HasPrefix(rest, "\r\n")
}

// isHeadingLine reports whether a short sentence stands on a line of its
// own: a line break before it and after it.
func isHeadingLine(answer string, s sentence) bool {
	before := strings.TrimRight(answer[:s.start], " \t*_#")
	return (before == "" || strings.HasSuffix(before, "\n")) && lineEndsAfter(answer, s.end)
}
