package quiz

// echoShare is the share of a sentence's word triples that, found in the
// question, make the sentence a copy of it rather than an answer.
const echoShare = 0.7

// muteEchoes marks every word of a sentence that repeats the question as
// not asserted, so it earns nothing: a learner who pastes the prompt back
// ("explain synchronous CQRS with two databases…") has said nothing yet,
// and must not be praised for the question's own words.
func muteEchoes(rd reading, prompt string) {
	if prompt == "" {
		return
	}
	asked := map[[3]string]bool{}
	for _, s := range split(prompt) {
		for i := 0; i+2 < len(s.tokens); i++ {
			asked[[3]string{s.tokens[i].stem, s.tokens[i+1].stem, s.tokens[i+2].stem}] = true
		}
	}
	for si, s := range rd.sents {
		n, hit := 0, 0
		for i := 0; i+2 < len(s.tokens); i++ {
			n++
			if asked[[3]string{s.tokens[i].stem, s.tokens[i+1].stem, s.tokens[i+2].stem}] {
				hit++
			}
		}
		if n >= 4 && float64(hit) >= echoShare*float64(n) {
			for k := range rd.heard[si] {
				rd.heard[si][k] = true
			}
		}
	}
}
