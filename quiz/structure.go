package quiz

// Thresholds for telling a list of terms from an explanation. Prose runs at
// 30-50% function words; a comma-separated list of concepts at under 15%.
const (
	minClauseShare   = 0.5  // share of words that sit in clauses with a verb
	minFunctionShare = 0.25 // below this, with few clauses, it is a list
	listFunctionMax  = 0.12 // below this it is a list whatever else holds
	minClauseWords   = 3
)

// isKeywordList reports whether an answer is a bare list of terms rather
// than sentences: most of its comma- or line-separated pieces lack a verb,
// and it has almost none of the small words that join ideas together.
func isKeywordList(sents []sentence) bool {
	total, inClauses, function := 0, 0, 0
	for _, s := range sents {
		c := countClauses(s.tokens)
		total, inClauses, function = total+c.total, inClauses+c.inClauses, function+c.function
	}
	if total == 0 {
		return false
	}
	fShare := float64(function) / float64(total)
	cShare := float64(inClauses) / float64(total)
	return fShare < listFunctionMax || (cShare < minClauseShare && fShare < minFunctionShare)
}

// clauseCounts are what the list checks weigh: how many words, how many
// of them sit in comma-separated pieces that have a verb (clauses), how
// many are function words, and how many non-empty pieces there are.
type clauseCounts struct{ segs, total, inClauses, function int }

// countClauses splits tokens at soft breaks (commas, line ends) and counts
// them, once, for both the whole-answer and the per-sentence list checks.
func countClauses(tokens []token) clauseCounts {
	var c clauseCounts
	seg := tokens[:0:0]
	flush := func() {
		if len(seg) == 0 {
			return
		}
		c.segs++
		// A value after a label's colon ("commits first: PG INSERT",
		// "read path: Redis only") is said of the label, as a verb would
		// say it: terse notes relate, where a list only names.
		valued := seg[0].softBefore && seg[0].mark == ':' && c.total > len(seg) && len(seg) >= 2
		if len(seg) >= minClauseWords && hasVerb(seg) || valued {
			c.inClauses += len(seg)
		}
		seg = seg[:0]
	}
	for _, t := range tokens {
		// A parenthesis is an aside to the piece it follows ("still
		// return nil (success!)"), not another item of a list; a table's
		// bar parts cells of one row, which the list checks weigh whole.
		if t.softBefore && t.mark != '(' && t.mark != '[' && t.mark != '|' {
			flush()
		}
		seg = append(seg, t)
		c.total++
		if functionWords[t.word] {
			c.function++
		}
	}
	flush()
	return c
}

func hasVerb(ts []token) bool {
	for _, t := range ts {
		if t.arrow || verbStems[t.stem] || verbStems[t.word] {
			return true
		}
	}
	return false
}

// A sentence is a list when it has at least minListItems comma-separated
// pieces averaging at most maxListItemWords words and most lack a verb.
// Terse notes ("PG error: returned, nothing else happens.") have fewer,
// longer pieces and relate them; a list just names things.
const (
	minListItems     = 4
	maxListItemWords = 2.5
)

// jumbleWindow is the run of words checked for glue in a long sentence;
// a long sentence with about one comma per window or fewer and less than
// jumbleFunctionMax function words is a jumble. Run-on prose without
// commas still runs at 30% or more.
const (
	jumbleWindow      = 12
	jumbleFunctionMax = 0.2
)

// listSentence reports whether one sentence is a list of terms rather than
// a statement: comma-separated pieces without verbs ("Fixes: deadline,
// breaker, outbox."), or a long run of terms with no punctuation at all.
// Prose after a list does not make the list count, nor a list after prose.
// A short sentence with a verb ("GetFeed reads Redis only.") is terse, not
// a list.
func listSentence(s sentence) bool {
	if len(s.tokens) < 4 {
		return false
	}
	c := countClauses(s.tokens)
	segs, total, inClauses, function := c.segs, c.total, c.inClauses, c.function
	fShare := float64(function) / float64(total)
	cShare := float64(inClauses) / float64(total)
	avg := float64(total) / float64(segs)
	if segs >= minListItems && cShare < minClauseShare && (avg <= maxListItemWords || fShare < listFunctionMax) {
		return true
	}
	if segs >= minListItems && cShare >= minClauseShare {
		// Comma-separated notes most of which have a verb ("log + return
		// success, reconciler re-adds dropped posts from PG") are terse
		// prose: they say what happens, though with few small words. The
		// jumble check is for runs of terms that punctuation does not part.
		return false
	}
	return jumble(s)
}

// jumble reports whether a long sentence is terms strung together: little
// glue and no punctuation overall, or half its windows holding at most one
// function word, where prose holds three or more.
func jumble(s sentence) bool {
	if len(s.tokens) < 2*jumbleWindow {
		return false
	}
	function, soft := 0, 0
	for _, t := range s.tokens {
		if functionWords[t.word] {
			function++
		}
		if t.softBefore {
			soft++
		}
	}
	if soft*jumbleWindow < len(s.tokens) && float64(function) < jumbleFunctionMax*float64(len(s.tokens)) {
		return true // a long run, hardly a comma, and little glue: terms strung together
	}
	bad, n := 0, 0
	for i := 0; i+jumbleWindow <= len(s.tokens); i += jumbleWindow / 2 {
		f := 0
		for _, t := range s.tokens[i : i+jumbleWindow] {
			if functionWords[t.word] {
				f++
			}
		}
		n++
		if f <= 1 {
			bad++
		}
	}
	return bad*2 >= n
}

// Thresholds for a list that follows a colon inside a sentence of prose:
// "CQRS means: commands and queries, the write model and the read model,
// PostgreSQL and Redis, projections, consistency, latency" names terms
// after a verb, so the sentence as a whole has its clause, yet what the
// colon opens only enumerates. Terse fixes ("Fix: 20 ms budget on the
// ZADD, breaker, outbox row, reconciler") run to fewer, longer pieces.
const (
	minColonListItems     = 6
	maxColonListItemWords = 3.0
)

// listAfterColon reports where a list that fills the rest of a sentence
// after its colon starts, or -1: its words enumerate and assert nothing.
func listAfterColon(s sentence) int {
	for k := 1; k < len(s.tokens); k++ {
		if !s.tokens[k].softBefore || s.tokens[k].mark != ':' {
			continue
		}
		// Pieces are parted by commas only: numbered steps after a colon
		// ("quick version: 1) check input 2) zadd …") are a sequence, not
		// an enumeration of terms.
		segs, total := 1, len(s.tokens)-k
		for _, t := range s.tokens[k+1:] {
			if t.softBefore && t.mark == ',' {
				segs++
			}
		}
		if segs >= minColonListItems && float64(total) <= maxColonListItemWords*float64(segs) {
			return k
		}
	}
	return -1
}
