package quiz

// A numbered walkthrough often comes back to its steps by number: "(1)
// record the post in PostgreSQL; (2) update the feed in Redis. If step 1
// fails the customer gets an error…". The case names no store, so no claim
// about PostgreSQL's failure held there, and a correct walkthrough went to
// review. carryStepNames gives each "step N" that a numbered step of the
// answer answers the store that step's lead writes, as a word of no width
// after the number, as carrySubjects does for a step's own notes.

// stepNumber is the number a step's label gives it ("1.", "(2)", "3)"), or
// 0 for a bullet or a timeline entry.
func stepNumber(sents []sentence, st step) int {
	if st.body > 0 {
		return smallNumber(sents[st.sent].tokens[st.body-1].word)
	}
	if st.sent > 0 { // "… postgres 2. zadd …": the number ended the sentence before
		if toks := sents[st.sent-1].tokens; len(toks) > 0 {
			return smallNumber(toks[len(toks)-1].word)
		}
	}
	return 0
}

// stepStores maps each step number to the store its step's lead writes. It
// runs before carrySubjects, so the steps' token positions are the
// learner's own.
func stepStores(runs [][]step, sents []sentence, subject func([]token) (token, bool)) map[int]token {
	stores := map[int]token{}
	for _, run := range runs {
		for _, st := range run {
			n := stepNumber(sents, st)
			if n == 0 {
				continue
			}
			lead := sents[st.sent]
			if who, ok := subject(lead.tokens[st.body:leadEnd(lead, st)]); ok {
				if _, dup := stores[n]; !dup {
					stores[n] = who
				}
			}
		}
	}
	return stores
}

// carryStepNames puts after each "step N" the store stores gives N; it
// builds new token slices, so the learner's own sentences stay as written.
func carryStepNames(stores map[int]token, sents []sentence) {
	if len(stores) < 2 {
		return // one numbered store says nothing about which step is which
	}
	for i := range sents {
		toks := sents[i].tokens
		for k := 0; k+1 < len(toks); k++ {
			if toks[k].word != "step" || toks[k+1].softBefore {
				continue
			}
			who, ok := stores[smallNumber(toks[k+1].word)]
			if !ok {
				continue
			}
			at := toks[k+1]
			who.start, who.end, who.softBefore, who.mark, who.arrow, who.carried = at.end, at.end, false, 0, false, true
			toks = append(append(append([]token(nil), toks[:k+2]...), who), toks[k+2:]...)
			k += 2
		}
		sents[i].tokens = toks
	}
}
