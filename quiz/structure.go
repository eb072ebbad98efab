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
		seg := s.tokens[:0:0]
		flush := func() {
			if len(seg) >= minClauseWords && hasVerb(seg) {
				inClauses += len(seg)
			}
			seg = seg[:0]
		}
		for _, t := range s.tokens {
			if t.softBefore {
				flush()
			}
			seg = append(seg, t)
			total++
			if functionWords[t.word] {
				function++
			}
		}
		flush()
	}
	if total == 0 {
		return false
	}
	fShare := float64(function) / float64(total)
	cShare := float64(inClauses) / float64(total)
	return fShare < listFunctionMax || (cShare < minClauseShare && fShare < minFunctionShare)
}

func hasVerb(ts []token) bool {
	for _, t := range ts {
		if t.arrow || verbStems[t.stem] || verbStems[t.word] {
			return true
		}
	}
	return false
}
