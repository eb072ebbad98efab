package quiz

import "strings"

// A learner who explains by analogy names the lesson's stores once and
// then talks about the analogy: "the clerk writes it in the ledger
// (PostgreSQL)... customers only look at the board (Redis)". The rubric's
// claims are about PostgreSQL and Redis, so without help every later
// sentence about the ledger or the board earns nothing, and a sound answer
// fails. aliasStores reads the answer's own mappings and lets the words of
// the analogy stand for the store they were mapped to, in every sentence.
// Quotes still show the learner's words: only the tokens' matching forms
// change, never their positions.
//
// A mapping is one of:
//
//	the ledger book (PostgreSQL)          a noun phrase, then the store in brackets
//	the board out front — that's Redis    a noun phrase, a dash (or colon), maybe "that's", the store
//	think of Redis as an index card box   the store, "as"/"like"/"is like", a noun phrase
//
// Only nouns of the analogy are taken: not the rubric's own words, not
// verbs, not small words. A word mapped to both stores stands for neither.

// roleConcepts name the concepts (in concepts.json) of everyday nouns that
// play PostgreSQL and Redis in an analogy that never maps them: a book of
// record (ledger, register, logbook) is written and kept, a board (notice
// board, whiteboard, kitchen rail) is what people glance at. "Every sale
// goes in the ledger first; customers only look at the price board" says
// where writes go and where reads come from without naming either store,
// and an answer that says it is an analogy is read that way. A mapping the
// answer makes itself ("the board (PostgreSQL)") wins.
var roleConcepts = [2]string{"recordbook", "noticeboard"}

func mappedHere(alias map[string]int, w string) bool {
	_, ok := alias[w]
	return ok
}

// maxAliasWords is how far back from a bracket (or forward from "as") the
// analogy's noun phrase may reach.
const maxAliasWords = 8

// aliasLeads introduce the store after a dash: "— that's PostgreSQL".
var aliasLeads = phraseList(`that is|that's|thats|i.e.|ie|aka|also known as|which is|namely|meaning|read|in other words|=`)

// aliasLinks introduce the analogy after the store: "think of Redis as ...".
var aliasLinks = phraseList(`as|like|is like|are like|acts as|acts like|works like|plays|plays the role of|is your|is our`)

// castLinks cast a store as a thing of the analogy, store first: "Redis is
// the screen". Read only in an answer that says it is an analogy, where a
// store "is the" something of the story; elsewhere "Redis is the read
// model" states a fact.
var castLinks = phraseList(`is the|is a|is an|would be the|would be a|is basically the|is basically a`)

// analogyCues say the answer explains by analogy, so "the screen is
// Redis" maps a word of the analogy rather than stating a fact.
var analogyCues = phraseList(`think of|imagine|picture|it is like|it's like|its like|like a|like an|analogy|as if|compare it to|is like`)

// isLinkWords join an analogy's noun to the store named after them.
var isLinkWords = phraseList(`equals a|equals an|equals the|is a|is an|is the|stands for|is played by|would be|will be|is|are|equals`)

// isLink reports how many tokens of isLinkWords end just before the store
// at i, with no pause between: "the screen is | Redis".
func isLink(toks []token, i int) int {
	for l := 1; l <= 3 && l <= i; l++ {
		if matchAny(isLinkWords, toks, i-l) == l && !toks[i].softBefore && i-l > 0 {
			return l
		}
	}
	return 0
}

// aliasStop are nouns too general to stand for a store.
var aliasStop = set(`thing things stuff part parts side place way kind sort type system store stores data copy copies version
one ones bit lot end front back top bottom case time times step steps fallback backup`)

// storeOf reports which store (0 PostgreSQL, 1 Redis) a phrase of the
// rubric's store concepts names at toks[i], and how many tokens it takes.
// It matches exactly (no typo tolerance), and most words are ruled out by
// their first letters' lookup, so scanning every token stays cheap.
func (cr *compiledRubric) storeOf(toks []token, i int) (int, int, bool) {
	if !cr.storeFirst[toks[i].word] && !cr.storeFirst[toks[i].stem] {
		return 0, 0, false
	}
	for k, ps := range cr.stores {
		if n := matchAny(ps, toks, i); n > 0 {
			return k, n, true
		}
	}
	return 0, 0, false
}

// stepStore reports the store a step's lead names, as its token: a
// phrase of the store concepts, or the command that writes it ("INSERT",
// "ZADD").
func (cr *compiledRubric) stepStore(toks []token) (token, bool) {
	for i, t := range toks {
		if t.word == "insert" || t.word == "zadd" || t.word == "zadds" {
			return t, true
		}
		if _, _, ok := cr.storeOf(toks, i); ok {
			return t, true
		}
	}
	return token{}, false
}

// aliasStores rewrites the matching form of every word the answer maps to
// a store, so claims about the store hold on sentences about the analogy.
func (cr *compiledRubric) aliasStores(rd reading) {
	if len(cr.stores[0]) == 0 || len(cr.stores[1]) == 0 {
		return
	}

	analogy := false // "X is PostgreSQL" maps X only in an answer that says it is an analogy
	for _, s := range rd.sents {
		for i := range s.tokens {
			analogy = analogy || matchAny(analogyCues, s.tokens, i) > 0
		}
	}
	analogy = analogy || linksBothStores(cr, rd)
	alias := map[string]int{} // word -> store, or -1 when mapped to both
	add := func(k int, toks []token, from, to int) {
		for j := from; j < to; j++ {
			w := toks[j].word
			if len(w) < 3 || functionWords[w] || aliasStop[w] || cr.conceptWords[w] || verbStems[toks[j].stem] || !isAlpha(w) ||
				len(w) > 4 && strings.HasSuffix(w, "ing") {
				continue
			}
			if old, ok := alias[w]; ok && old != k {
				alias[w] = -1
			} else {
				alias[w] = k
			}
		}
	}
	for _, s := range rd.sents {
		toks := s.tokens
		for i := 0; i < len(toks); i++ {
			if toks[i].softBefore && (toks[i].mark == '(' || toks[i].mark == '[') && i > 0 {
				// "the ledger book (PostgreSQL)", "the noticeboard (GetFeed
				// only reads Redis)": the phrase before a bracket that names
				// one store.
				kinds, end := map[int]bool{}, i+1
				for end < len(toks) && !toks[end].softBefore {
					end++
				}
				k := 0
				for j := i; j < end; j++ {
					if kk, n, ok := cr.storeOf(toks, j); ok {
						kinds[kk], k = true, kk
						j += n - 1
					}
				}
				if len(kinds) == 1 {
					add(k, toks, phraseStart(toks, i), i)
				}
				continue
			}
			k, n, ok := cr.storeOf(toks, i)
			if !ok {
				continue
			}
			if lead, ok := leadBefore(toks, i); ok && !dashClause(toks, lead, i, n) {
				// "the board out front — that's Redis", "the archive:
				// PostgreSQL commits the row". Before the link below:
				// "— that's the" is a lead-in, and the link's own phrase
				// would end at the dash with nothing in it.
				add(k, toks, phraseStart(toks, lead), lead)
			} else if l := isLink(toks, i); l > 0 && analogy {
				// "the order book in the kitchen is PostgreSQL", in an
				// answer that says it is an analogy.
				add(k, toks, phraseStart(toks, i-l), i-l)
			} else if j := i + n; j < len(toks) && !toks[j].softBefore {
				// "think of Redis as an index card box".
				// A bare "as" maps only in an answer that says it is an
				// analogy: "it reads Postgres as a fallback" maps nothing.
				if l := matchAny(aliasLinks, toks, j); l > 0 && j+l < len(toks) && (analogy || l > 1 || toks[j].word != "as") {
					add(k, toks, j+l, nounRun(toks, j+l))
				} else if l := matchAny(castLinks, toks, j); l > 0 && j+l < len(toks) && analogy {
					// "In this pattern PostgreSQL is the booking system and
					// Redis is the screen": in an answer that says it is an
					// analogy, the store cast as a thing of the story.
					add(k, toks, j+l, nounRun(toks, j+l))
				}
			}
			i += n - 1
		}
	}
	if analogy {
		// A role's noun, or the head of a role's phrase ("order book"),
		// stands for its store throughout: the answer then says "the book".
		for _, s := range rd.sents {
			for i := range s.tokens {
				for k := range cr.roles {
					if n := matchAny(cr.roles[k], s.tokens, i); n > 0 {
						if w := s.tokens[i+n-1].word; !mappedHere(alias, w) {
							alias[w] = k
						}
					}
				}
			}
		}
	}
	if len(alias) == 0 {
		return
	}
	names := [2]string{"postgresql", "redis"}
	for _, s := range rd.sents {
		for j := range s.tokens {
			t := &s.tokens[j]
			if k, ok := alias[t.word]; ok && k >= 0 {
				t.word, t.stem, t.known = names[k], stem(names[k]), true
			}
		}
	}
}

// linksBothStores reports whether the answer names a thing of its own as
// each store ("the official scoresheet is PostgreSQL … the big screen over
// the lanes is Redis"): an answer that casts both stores so is an analogy,
// though it never says "imagine".
func linksBothStores(cr *compiledRubric, rd reading) bool {
	var cast [2]bool
	for _, s := range rd.sents {
		toks := s.tokens
		for i := 1; i < len(toks); i++ {
			k, _, ok := cr.storeOf(toks, i)
			if !ok {
				continue
			}
			l := isLink(toks, i)
			if l == 0 {
				continue
			}
			for j := phraseStart(toks, i-l); j < i-l; j++ {
				w := toks[j].word
				if len(w) >= 3 && isAlpha(w) && !functionWords[w] && !aliasStop[w] && !cr.conceptWords[w] && !verbStems[toks[j].stem] {
					cast[k] = true
					break
				}
			}
		}
	}
	return cast[0] && cast[1]
}

// articles may open the store's phrase after a lead-in.
var articles = set("the a an our its")

// leadBefore reports whether the store at i follows a dash or colon,
// directly or after a lead-in like "that's" ("… the price board — that's
// Redis", "the archive: PostgreSQL commits"), and where that pause is.
func leadBefore(toks []token, i int) (int, bool) {
	for j := i; j >= 0 && i-j <= 4; j-- {
		if toks[j].softBefore {
			switch toks[j].mark {
			case '—', '–', '-':
				// "— that's the PostgreSQL INSERT": an article may sit
				// between the lead-in and the store.
				n := matchAny(aliasLeads, toks, j)
				return j, j == i || n == i-j || n > 0 && n == i-j-1 && articles[toks[i-1].word]
			case ':':
				return j, j == i
			}
			return 0, false
		}
	}
	return 0, false
}

// dashClause reports whether a store right after a dash opens a clause of
// its own ("GetFeed sees committed rows — Redis is only a speed-up") rather
// than naming what came before the dash ("the price board — Redis"): a
// verb follows it.
func dashClause(toks []token, lead, i, n int) bool {
	if lead != i || toks[lead].mark == ':' {
		return false
	}
	j := i + n
	for j < len(toks) && !toks[j].softBefore && adverbs[toks[j].word] {
		j++ // "— Redis only speeds it up"
	}
	return j < len(toks) && !toks[j].softBefore && verbStems[toks[j].stem]
}

// adverbs may stand between a clause's subject and its verb.
var adverbs = set("only just merely simply also then still really always never")

// phraseStart is where the noun phrase ending just before end begins:
// after the nearest verb ("the teller updates | the window display"), or
// at the nearest comma or clause word, at most maxAliasWords back. A
// participle ("a whiteboard showing the latest arrivals") stays in it.
func phraseStart(toks []token, end int) int {
	j := end - 1
	for ; j > 0 && end-j < maxAliasWords; j-- {
		w := toks[j].word
		if verbStems[toks[j].stem] && !strings.HasSuffix(w, "ing") {
			return j + 1
		}
		if toks[j].softBefore || clauseWords[w] || conditionWords[w] {
			break
		}
	}
	return max(j, 0)
}

// nounRun is where the noun phrase starting at from ends: after its
// leading small words, at the next small word, pause or verb.
func nounRun(toks []token, from int) int {
	j := from
	for j < len(toks) && functionWords[toks[j].word] && j-from < 3 {
		j++
	}
	for k := j; k < len(toks) && k-from < maxAliasWords; k++ {
		if k > j && (toks[k].softBefore || functionWords[toks[k].word] || verbStems[toks[k].stem]) {
			return k
		}
	}
	return min(len(toks), from+maxAliasWords)
}
