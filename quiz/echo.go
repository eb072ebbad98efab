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
	if paraphrasesPrompt(rd, prompt) {
		for si := range rd.heard {
			for k := range rd.heard[si] {
				rd.heard[si][k] = true
			}
		}
		return
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

// echoWordShare is the share of an answer's content words that, all taken
// from the question, make the whole answer a rewording of it.
const echoWordShare = 0.85

// minEchoWords is the fewest content words an answer needs before it is
// judged a rewording: a two-line answer is judged sentence by sentence.
const minEchoWords = 8

// paraphrasesPrompt reports whether an answer says nothing the question
// did not: "the post went missing because after the failover it is missing
// from the feed … nothing reported an error because no error was
// reported" shuffles the question's words, so few of its word triples
// match the question's, yet it adds no word of its own. An explanation
// brings its own words (replication, promoted, reconciler); one made of
// the question's words alone has not been written yet.
func paraphrasesPrompt(rd reading, prompt string) bool {
	asked := map[string]bool{}
	for _, s := range split(prompt) {
		for _, t := range s.tokens {
			asked[t.stem] = true
		}
	}
	n, hit := 0, 0
	for _, s := range rd.own {
		for _, t := range s.tokens {
			if functionWords[t.word] || len(t.word) < 3 || t.carried {
				continue
			}
			n++
			if asked[t.stem] {
				hit++
			}
		}
	}
	return n >= minEchoWords && float64(hit) >= echoWordShare*float64(n)
}
