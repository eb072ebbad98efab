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
	muteQuestionPhrases(rd, prompt)
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

// minEchoRun is the shortest run of the question's own words, in its
// order, that earns nothing when an answer repeats it.
const minEchoRun = 3

// muteQuestionPhrases marks as not asserted every run of at least
// minEchoRun words that the question has in the same order, with at least
// two words of substance: "the failover between the primary and the
// replicas behind Sentinel" restates the question's setting, and its
// "replicas behind" is no lag. The learner's own words around the run
// still count.
func muteQuestionPhrases(rd reading, prompt string) {
	var asked [][]string
	for _, s := range split(prompt) {
		var st []string
		for _, t := range s.tokens {
			st = append(st, t.stem)
		}
		asked = append(asked, st)
	}
	runAt := func(toks []token, i int) int {
		best := 0
		for _, q := range asked {
			for j := range q {
				n := 0
				for i+n < len(toks) && j+n < len(q) && toks[i+n].stem == q[j+n] {
					n++
				}
				best = max(best, n)
			}
		}
		return best
	}
	for si, s := range rd.sents {
		toks := s.tokens
		for i := 0; i < len(toks); {
			n := runAt(toks, i)
			if n < minEchoRun {
				i++
				continue
			}
			content := 0
			for k := i; k < i+n; k++ {
				if !functionWords[toks[k].word] {
					content++
				}
			}
			// "What commits first: the PostgreSQL INSERT": the question's
			// words as a heading label the answer that follows them.
			heading := i <= 1 && (i+n == len(toks) || toks[i+n].softBefore && (toks[i+n].mark == ':' || toks[i+n].mark == '?'))
			if content >= 2 && !heading {
				for k := i; k < i+n; k++ {
					rd.heard[si][k] = true
				}
			}
			i += n
		}
	}
}
