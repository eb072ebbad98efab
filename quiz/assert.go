package quiz

// A key point is earned by a clause that asserts it. A learner who writes
// "people say Redis is the source of truth" or lists the terms and then
// calls them "overkill" has not said those things, though the words are
// there. heardScope marks such tokens so that no claim holds on them.

// reportMarkers open a clause the learner attributes to someone else or
// doubts; the clause runs to the next comma or clause word.
var reportMarkers = phraseList(`people say|some people say|some say|they say|people think|some people think|some think|many think|many people think|
people hear|a lot of people hear|lots of people hear|many people hear|a lot of people think|lots of people think|people assume|people often think|
you might think|one might think|you may think|
it is tempting to think|tempting to think|it is tempting to assume|tempting to assume|tempting to believe|
i heard|i have heard|supposedly|allegedly|reportedly|a common mistake is|common misconception|
the misconception|a misconception|it is a myth|myth|wrongly|mistakenly|naively|in async cqrs|in asynchronous cqrs|with async cqrs|
with asynchronous cqrs|async cqrs|asynchronous cqrs|in an async|in an asynchronous|the async version|the asynchronous version|
the question says|the question asks|the prompt says|if anyone tells you|if someone tells you|anyone who tells you|whoever tells you|if anyone says|if someone says|
people describe|some describe|it is described as|is usually described as|the textbook answer|the textbook version|the textbook says|the standard answer|
the usual answer|the official answer|on paper|
with a cache|with a normal cache|with a plain cache|with a regular cache|with a classic cache|in a normal cache|with cache aside|in cache aside|in a cache aside`)

// guessMarkers open what the learner says others guess, to reject it: "a
// common student guess is that CreatePost should then roll back the
// INSERT", "one might assume that "two databases, same request" means a
// distributed transaction, but …". The guess runs on through commas and
// clause words (a report's scope would end at "then", or at the comma of a
// quoted phrase), to the sentence's end or its "but".
var guessMarkers = phraseList(`one might assume|you might assume|one may assume|you may assume|people might assume|
a common guess is|a common student guess is|a common wrong guess is|a typical guess is|a common wrong answer is|
the first instinct is|the first instinct of|a common instinct is|the usual instinct is`)

// guessEnds end a guess's scope: what follows is the learner's own word.
var guessEnds = set("but however whereas though although yet")

// otherDesignIntros open a sentence about a design the reader may know
// ("If you've seen CQRS done with Kafka: a consumer builds the read model
// later"): the sentence, colon and all, describes that design, not this
// one, up to its end when a colon opens the description.
var otherDesignIntros = phraseList(`if you have seen|if you've seen|if you have used|if you've used|if you are used to|if you're used to|if you have worked with|if you've worked with`)

// mentionMarkers introduce terms merely named ("you could talk about
// deadlines, breakers, ..."); they reach over the whole list, to the next
// clause word.
var mentionMarkers = phraseList(`you could talk about|one could talk about|you could mention|you can talk about|people talk about|people mention|
people go on about|buzzwords like|buzzwords such as|terms like|words like|fancy terms|textbooks talk about|textbooks say|blogs say|the books say`)

// dismissals reject what they refer to ("rolling back the insert isn't an
// option" does not propose a rollback); with an anaphor ("those are
// overkill") they reject what came before it too.
var dismissals = phraseList(`overkill|overcomplicated|over complicated|overengineered|over engineered|overengineering|over engineering|
unnecessary|not needed|pointless|useless|nonsense|buzzwords|a waste of time|waste of time|not worth it|not worth the|irrelevant|hype|
too complicated|too complex|silly|ceremony|bloat|cargo cult|
not an option|never an option|no option|not possible|impossible|out of the question|off the table|not allowed|a bad idea|is a mistake|
rules out|ruled out|rule out|is ruled out|the question forbids|forbidden|
can not be undone|can not be done|can not be reversed|
is wrong|is just wrong|is plain wrong|is backwards|are backwards|gets it backwards|get it backwards|that's backwards|that is backwards|would be backwards|seems wrong|seem wrong|sounds wrong|feels wrong|would be wrong|the wrong move|is the wrong move|wrong move|the wrong call|is the wrong answer|would be a mistake|seems like a bad idea|sounds like a bad idea|would be a bad idea|makes no sense|make no sense|doesn't make sense|does not make sense`)

// anaphors point back at what the learner said before.
var anaphors = phraseList(`those|these|all that|all this|all of that|all of this|that stuff|this stuff|it all|them|such things|any of that|
any of it|none of that|none of it|all of them|all these|all those|the lot|everything above|the above`)

// anecdoteMarkers open a story about another system ("At my last job our
// ORM wrapped…"): what happened there is not what the learner says this
// code does, so a tangent's "the Redis write happened before the commit"
// is not a claim about CreatePost.
var anecdoteMarkers = phraseList(`at my last job|at my previous job|at my old job|at a previous job|at my last company|at my previous company|
at my old company|at a previous company|at my bootcamp|in my bootcamp|at bootcamp|in bootcamp|at uni|at university|in my course|in my last course|in class we|in my last job|in my previous job|in a previous job|in a previous project|on a previous project|
in my last project|on my last project|at my last place|at my old place|war story|back when i|once at work|where i used to work|where i worked before`)

// anecdoteEnds open the sentence that returns from a story to the lesson.
var anecdoteEnds = phraseList(`anyway|anyhow|back to|in this code|in this design|in this system|in the seed|in this lesson|in the lesson|
in our case|in this case|here|but here|but in this|in cqrslab|this code|the seed|in this one|for this code|now`)

// anecdoteApplies says the story is offered as this code's behaviour, so
// it is not set aside: "we rolled back, and you should do the same here".
var anecdoteApplies = phraseList(`should|same here|the same thing here|do the same|that is what|this is what|recommend|same as here|like here`)

// maxAnecdote is how many sentences a story may run before the sentence
// that returns to the lesson; a story with no return sets aside only the
// sentence that tells it.
const maxAnecdote = 4

// anecdoteScope marks the sentences of a story about another system as
// heard, up to the sentence that returns to the lesson.
func anecdoteScope(sents []sentence, heard [][]bool) {
	starts := func(s sentence, ps []phrase) bool {
		for i := 0; i < len(s.tokens) && i < 3; i++ {
			if matchAny(ps, s.tokens, i) > 0 {
				return true
			}
		}
		return false
	}
	has := func(s sentence, ps []phrase) bool {
		for i := range s.tokens {
			if matchAny(ps, s.tokens, i) > 0 {
				return true
			}
		}
		return false
	}
	for si := 0; si < len(sents); si++ {
		if !has(sents[si], anecdoteMarkers) || has(sents[si], anecdoteApplies) {
			continue
		}
		end := si + 1
		for k := si + 1; k < len(sents) && k <= si+maxAnecdote; k++ {
			if starts(sents[k], anecdoteEnds) {
				end = k
				break
			}
		}
		for k := si; k < end; k++ {
			if k > si && has(sents[k], anecdoteApplies) {
				break
			}
			for j := range heard[k] {
				heard[k][j] = true
			}
		}
		si = end - 1
	}
}

// continuers carry an attributed clause past a comma: "in async CQRS,
// where a worker updates Redis later".
var continuers = set("where which when whereby")

func phraseList(s string) []phrase {
	var out []phrase
	for _, alt := range splitAlts(s) {
		out = append(out, newPhrase(alt))
	}
	return out
}

func splitAlts(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '|' {
			if alt := trimSpace(s[start:i]); alt != "" {
				out = append(out, alt)
			}
			start = i + 1
		}
	}
	return out
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\n' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\n' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// matchAny returns the length of the first phrase of ps at tokens[i:], or 0.
// Markers match exactly (no typo tolerance): they decide what counts.
func matchAny(ps []phrase, toks []token, i int) int {
	for _, p := range ps {
		if i+len(p.words) > len(toks) {
			continue
		}
		ok := true
		for k := range p.words {
			if toks[i+k].word != p.words[k] && toks[i+k].stem != p.stems[k] {
				ok = false
				break
			}
		}
		if ok {
			return len(p.words)
		}
	}
	return 0
}

// rejectLabels, opening a line and followed by a colon, say that what
// follows is what not to do: "Never: DELETE the PG row", "Don't: roll
// back", "Non-action: rolling back PG writes". Engineers' notes list the
// tempting wrong moves so, and the misconception is what they reject.
var rejectLabels = phraseList(`never|never do|never ever|do not|do not do|dont|avoid|non action|non actions|not an action|anti pattern|antipattern|
anti patterns|antipatterns|what not to do|not to do|wrong|wrong move|bad|bad idea|bad ideas|no go|nogo|off limits|forbidden|would not do|will not do|rejected|ruled out`)

// rejectLabel reports where the words after a reject label's colon start
// (0 when the sentence opens with none), after an optional step number
// ("3. Don't: …").
func rejectLabel(toks []token) int {
	i := 0
	if len(toks) > 0 && isOrdinal(toks[0].word) {
		i = 1
	}
	if n := matchAny(rejectLabels, toks, i); n > 0 && i+n < len(toks) && toks[i+n].softBefore && toks[i+n].mark == ':' {
		return i + n
	}
	// A short label that denies doing ("Not doing:", "What we did not
	// do:") rejects what follows it; one that asks ("Why no error:")
	// heads an answer, and one that states ("Readers are never
	// affected:") is a claim of its own.
	for j := i + 1; j < len(toks) && j-i <= maxRejectLabel; j++ {
		if !toks[j].softBefore {
			continue
		}
		if toks[j].mark != ':' || askingWords[toks[i].word] {
			return 0
		}
		denies := false
		for _, t := range toks[i:j] {
			if !negators[t.word] && !rejectLabelWords[t.word] {
				return 0 // "Readers are never affected: …" states, it rejects nothing
			}
			denies = denies || negators[t.word]
		}
		if denies {
			return j
		}
		return 0
	}
	return 0
}

// rejectLabelWords may stand with a negator in a label that rejects what
// follows: it is about doing, not a statement of fact.
var rejectLabelWords = set("do does doing did done what we i you they to ever would will should must shall are were am explicitly definitely absolutely deliberately intentionally still also")

// maxRejectLabel is the longest label read as rejecting what follows it.
const maxRejectLabel = 6

// askingWords open a label that asks, so what follows answers it.
var askingWords = set("why how when where which who whose does do did is are can could should would will")

// boundary reports whether a clause starts at token i.
func boundary(toks []token, i int) bool {
	return toks[i].softBefore || clauseWords[toks[i].word]
}

// heardScope marks, sentence by sentence, the tokens the learner reports,
// doubts or dismisses rather than asserts.
func heardScope(sents []sentence) [][]bool {
	heard := make([][]bool, len(sents))
	for si, s := range sents {
		heard[si] = make([]bool, len(s.tokens))
	}
	for si, s := range sents {
		toks, h := s.tokens, heard[si]
		if matchAny(otherDesignIntros, toks, 0) > 0 {
			for j := 1; j < len(toks); j++ {
				if toks[j].softBefore && toks[j].mark == ':' {
					for k := range h {
						h[k] = true
					}
					break
				}
			}
		}
		if from := rejectLabel(toks); from > 0 {
			for k := range h {
				h[k] = true
			}
			continue
		}
		for i := 0; i < len(toks); i++ {
			if n := matchAny(mentionMarkers, toks, i); n > 0 {
				j := i
				for ; j < len(toks) && (j < i+n || !clauseWords[toks[j].word]); j++ {
					h[j] = true
				}
				i = j - 1
				continue
			}
			if n := matchAny(guessMarkers, toks, i); n > 0 {
				j := i
				for ; j < len(toks) && (j < i+n || !guessEnds[toks[j].word]); j++ {
					h[j] = true
				}
				i = j - 1
				continue
			}
			if n := matchAny(reportMarkers, toks, i); n > 0 {
				j := i
				for ; j < len(toks); j++ {
					if j >= i+n && boundary(toks, j) && !(toks[j].softBefore && continuers[toks[j].word]) {
						break
					}
					h[j] = true
				}
				i = j - 1
				continue
			}
			if n := matchAny(dismissals, toks, i); n > 0 {
				from := i
				for from > 0 && (!boundary(toks, from) || toks[from].softBefore && (toks[from].mark == '(' || toks[from].mark == ')')) {
					// A bracket inside the dismissed phrase is part of it:
					// "compensating (deleting the PG row) is the wrong move".
					from--
				}
				to := i + n
				for to < len(toks) && !boundary(toks, to) {
					to++
				}
				if to < len(toks) && toks[to].softBefore && toks[to].mark == ':' {
					// "The rollback policy is the one the question rules
					// out: it deletes the row": what follows the colon
					// says what the dismissed thing does.
					for to++; to < len(toks) && !boundary(toks, to); to++ {
					}
				}
				back := false
				for k := from; k < to; k++ {
					back = back || matchAny(anaphors, toks, k) > 0
				}
				if back {
					from = 0
					if si > 0 {
						for k := range heard[si-1] {
							heard[si-1][k] = true
						}
					}
				}
				for k := from; k < to; k++ {
					h[k] = true
				}
				i = to - 1
			}
		}
	}
	anecdoteScope(sents, heard)
	return heard
}
