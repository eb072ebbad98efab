package quiz

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// compiledClaim is a Claim with its terms resolved to phrases.
type compiledClaim struct {
	terms          [][]phrase
	index          []termIndex // per term: its phrases by first word, for occurrences
	polarity       string
	ordered        bool
	clause         bool
	window         int
	unless         []phrase
	between        []phrase // NotBetween
	steps          bool
	with           []phrase
	unlessInClause []phrase // see Claim.UnlessInClause
	keys           []int    // one per term: the same term text has the same key across claims
}

// compileClaim resolves "@concept" and "a|b" terms against the bank.
// A misconception's claims are always clause-bound: a wrong idea must be
// stated in one clause, not assembled from words either side of a "but".
func (b *Bank) compileClaim(c Claim, lx lexicon, misconception bool) (compiledClaim, error) {
	clause := misconception
	if c.Clause != nil {
		clause = *c.Clause
	}
	cc := compiledClaim{polarity: c.Polarity, ordered: c.Ordered, window: c.Window, clause: clause, steps: c.Steps}
	if c.Steps && len(c.Terms) != 2 {
		return cc, fmt.Errorf("claim %v: a steps claim needs 2 terms, the earlier step's and the later step's", c.Terms)
	}
	switch cc.polarity {
	case "":
		cc.polarity = Positive
	case Positive, Negative, AnyPolar:
	default:
		return cc, fmt.Errorf("claim %v: polarity %q is not positive, negative or any", c.Terms, c.Polarity)
	}
	if cc.window == 0 {
		cc.window = DefaultWindow
	}
	if len(c.Terms) == 0 || len(c.Terms) > 5 {
		return cc, fmt.Errorf("claim %v: needs 1 to 5 terms", c.Terms)
	}
	var err error
	for _, f := range []struct {
		terms []string
		into  *[]phrase
	}{{c.With, &cc.with}, {c.Unless, &cc.unless}, {c.UnlessInClause, &cc.unlessInClause}, {c.NotBetween, &cc.between}} {
		if *f.into, err = b.resolveTerms(c, f.terms, lx); err != nil {
			return cc, err
		}
	}
	for _, term := range c.Terms {
		alts, err := b.resolveTerm(c, term, lx)
		if err != nil {
			return cc, err
		}
		cc.terms = append(cc.terms, alts)
		cc.index = append(cc.index, indexTerm(alts))
		if b.termKeys == nil {
			b.termKeys = map[string]int{}
		}
		key, ok := b.termKeys[term]
		if !ok {
			key = len(b.termKeys)
			b.termKeys[term] = key
		}
		cc.keys = append(cc.keys, key)
	}
	return cc, nil
}

// resolveTerms resolves a claim's list of alternatives (its With, Unless,
// UnlessInClause or NotBetween) into one list of phrases: each is a set
// of words that either qualifies or voids a match wherever it occurs, so
// which term a phrase came from no longer matters once compiled.
func (b *Bank) resolveTerms(c Claim, terms []string, lx lexicon) ([]phrase, error) {
	var out []phrase
	for _, term := range terms {
		alts, err := b.resolveTerm(c, term, lx)
		if err != nil {
			return nil, err
		}
		out = append(out, alts...)
	}
	return out, nil
}

// resolveTerm turns "@concept|literal phrase|..." into phrases.
func (b *Bank) resolveTerm(c Claim, term string, lx lexicon) ([]phrase, error) {
	var alts []phrase
	for _, alt := range strings.Split(term, "|") {
		alt = strings.TrimSpace(alt)
		if name, ok := strings.CutPrefix(alt, "@"); ok {
			ps, ok := b.concepts[name]
			if !ok {
				return nil, fmt.Errorf("claim %v: unknown concept @%s", c.Terms, name)
			}
			alts = append(alts, ps...)
			continue
		}
		p := newPhrase(alt)
		if len(p.words) == 0 {
			return nil, fmt.Errorf("claim %v: empty phrase in term %q", c.Terms, term)
		}
		for _, w := range p.words {
			lx[w] = true
		}
		alts = append(alts, p)
	}
	return alts, nil
}

// span is where one term matched: tokens [start, end).
type span struct{ start, end int }

// match looks for the claim in one sentence and returns where it holds with
// the claim's polarity. heard marks the tokens the learner reports, doubts or
// dismisses rather than asserts; a claim never holds on them. seen caches
// where each term occurs in this sentence, since many claims share terms.
func (c compiledClaim) match(lx lexicon, s sentence, neg negation, heard []bool, seen map[int][]span) ([]span, bool) {
	occ := make([][]span, len(c.terms))
	for k, alts := range c.terms {
		o, ok := seen[c.keys[k]]
		if !ok {
			o = c.index[k].occurrences(lx, alts, s.tokens)
			seen[c.keys[k]] = o
		}
		if len(o) == 0 {
			return nil, false
		}
		occ[k] = o
	}
	var voids []span
	for i := range s.tokens {
		for _, p := range c.between {
			if n, ok := p.matchAt(lx, s.tokens, i); ok {
				voids = append(voids, span{i, i + n})
			}
		}
	}
	chosen := make([]span, len(c.terms))
	var try func(k int) bool
	try = func(k int) bool {
		if k == len(c.terms) {
			return c.fits(s, chosen, neg, heard, voids)
		}
		cands := occ[k]
		if k > 0 {
			// Only occurrences that can fit the window with those chosen:
			// their start lies in [hi-window, lo+window]. occ is sorted by
			// start, so this is a binary search, and a sentence repeating a
			// claim's terms thousands of times costs the window, not the
			// sentence, at every level after the first.
			lo, hi := chosen[0].start, chosen[0].end
			for _, o := range chosen[1:k] {
				lo, hi = min(lo, o.start), max(hi, o.end)
			}
			from := sort.Search(len(cands), func(i int) bool { return cands[i].start >= hi-c.window })
			to := sort.Search(len(cands), func(i int) bool { return cands[i].start > lo+c.window })
			cands = cands[from:max(from, to)]
		}
		for _, sp := range cands {
			if c.ordered && k > 0 && sp.start < chosen[k-1].end {
				continue
			}
			if overlaps(chosen[:k], sp) || !within(chosen[:k], sp, c.window) {
				continue
			}
			chosen[k] = sp
			if try(k + 1) {
				return true
			}
		}
		return false
	}
	if !try(0) {
		return nil, false
	}
	// The exceptions are looked for only once the claim holds: most claims
	// fail on their terms, and scanning every exception on every sentence
	// is most of the cost of a long rubric.
	for i := range s.tokens {
		for _, p := range c.unless {
			// An exception the learner denies is no exception: "instead of
			// rolling back, repair from PostgreSQL" still repairs.
			if _, ok := p.matchAt(lx, s.tokens, i); ok && !neg.in[i] {
				return nil, false
			}
		}
	}
	if len(c.unlessInClause) > 0 {
		lo, hi := clauseAround(s.tokens, chosen)
		for i := lo; i < hi; i++ {
			for _, p := range c.unlessInClause {
				if _, ok := p.matchAt(lx, s.tokens, i); ok && !neg.in[i] {
					return nil, false
				}
			}
		}
	}
	return append([]span(nil), chosen...), true
}

// clauseAround is the stretch of tokens a claim's UnlessInClause terms
// are looked for in: from the start of the clause holding the claim's first term to the end of
// the clause holding its last. "Deletes the row it just inserted, so the
// read path never shows a post missing from the feed" rolls back
// PostgreSQL; the "from the feed" of a later clause does not make it a
// ZREM.
func clauseAround(toks []token, spans []span) (int, int) {
	lo, hi := spans[0].start, spans[0].end
	for _, sp := range spans {
		lo, hi = min(lo, sp.start), max(hi, sp.end)
	}
	for lo > 0 && !toks[lo].softBefore && !clauseWords[toks[lo].word] {
		lo--
	}
	for hi < len(toks) && !toks[hi].softBefore && !clauseWords[toks[hi].word] {
		hi++
	}
	return lo, hi
}

// within reports whether sp and the spans chosen so far fit in window
// tokens. Checking it while choosing, not only at the end, keeps the search
// linear in the sentence's length: a sentence repeating a term a thousand
// times must not try every combination.
func within(spans []span, sp span, window int) bool {
	lo, hi := sp.start, sp.end
	for _, o := range spans {
		lo, hi = min(lo, o.start), max(hi, o.end)
	}
	return hi-lo <= window
}

// termIndex files a term's phrases by their first word and stem, so that
// finding where the term occurs tries, at each token, only the phrases
// that can start there: those sharing its word or stem and, for a long
// word not in the lexicon (a possible typo), those whose first word is
// long enough to be misspelt. Phrases are tried in the term's order, so
// the result is the same as trying them all.
type termIndex struct {
	byWord  map[string][]int
	typable []int // phrases whose first word is long enough for a typo
}

func indexTerm(alts []phrase) termIndex {
	ix := termIndex{byWord: map[string][]int{}}
	for i, p := range alts {
		ix.byWord[p.words[0]] = append(ix.byWord[p.words[0]], i)
		if p.stems[0] != p.words[0] {
			ix.byWord[p.stems[0]] = append(ix.byWord[p.stems[0]], i)
		}
		if len(p.words[0]) >= MinTypoLength {
			ix.typable = append(ix.typable, i)
		}
	}
	return ix
}

// occurrences lists where any of alts occurs in toks, one span per start:
// at each token, the first phrase in alts' order that matches there.
func (ix termIndex) occurrences(lx lexicon, alts []phrase, toks []token) []span {
	var out []span
	var cands []int
	for i := range toks {
		t := toks[i]
		cands = append(cands[:0], ix.byWord[t.word]...)
		if t.stem != t.word {
			cands = append(cands, ix.byWord[t.stem]...)
		}
		if !t.known && len(t.word) >= MinTypoLength {
			cands = append(cands, ix.typable...)
		}
		if len(cands) == 0 {
			continue
		}
		slices.Sort(cands)
		prev := -1
		for _, a := range cands {
			if a == prev {
				continue
			}
			prev = a
			if n, ok := alts[a].matchAt(lx, toks, i); ok {
				out = append(out, span{i, i + n})
				break
			}
		}
	}
	return out
}

func overlaps(spans []span, sp span) bool {
	for _, o := range spans {
		if sp.start < o.end && o.start < sp.end {
			return true
		}
	}
	return false
}

// fits checks the window, the clause, the assertion and the polarity of one
// choice of term positions.
func (c compiledClaim) fits(s sentence, spans []span, neg negation, heard []bool, voids []span) bool {
	lo, hi := spans[0].start, spans[0].end
	negated := false
	for _, sp := range spans {
		lo, hi = min(lo, sp.start), max(hi, sp.end)
		// A negator inside one of the claim's own terms ("has no
		// effect", "never loses", "never disagree") is what the term
		// says, not a denial of the claim.
		if neg.in[sp.start] && !overlaps(spans, span{neg.by[sp.start], neg.by[sp.start] + 1}) {
			negated = true
		}
		for i := sp.start; i < sp.end; i++ {
			if heard[i] {
				return false
			}
		}
	}
	for _, v := range voids {
		if lo < v.start && v.end <= hi && !overlaps(spans, v) {
			return false
		}
	}
	for _, n := range neg.linking {
		if lo < n && n < hi && !overlaps(spans, span{n, n + 1}) {
			negated = true
		}
	}
	if hi-lo > c.window {
		return false
	}
	if c.clause && !inOneClause(s, spans, lo, hi) {
		return false
	}
	switch c.polarity {
	case Negative:
		return negated
	case AnyPolar:
		return true
	default:
		return !negated
	}
}

// clauseWords open a new clause even without a comma before them.
var clauseWords = set("but while whereas although though however so because since yet then which otherwise meaning hence thus therefore")

// conditionWords open a clause that the next one completes: "if the ZADD
// fails, the INSERT is rolled back" states one idea across its comma.
var conditionWords = set("if when whenever once unless")

// afterCondition reports whether the comma before token i closes a
// conditional clause that the clause at i completes.
func afterCondition(toks []token, i int) bool {
	j := i - 1
	for j > 0 && !toks[j].softBefore {
		j--
	}
	if toks[j].carried && j+1 < i {
		j++ // "[ZADD] if it errors: …": the condition opens after the carried subject
	}
	return conditionWords[toks[j].word]
}

// maxNameBracket is the longest bracket read as a name for what stands
// before it.
const maxNameBracket = 4

// nameBracket reports whether the pause at token i opens or closes a short
// bracket that names what stands before it ("the records system first
// (Postgres INSERT)"): such a bracket is part of its clause, not a pause
// between clauses.
func nameBracket(toks []token, i int) bool {
	switch toks[i].mark {
	case '(':
		for j := i + 1; j < len(toks) && j-i <= maxNameBracket; j++ {
			if toks[j].softBefore {
				return toks[j].mark == ')'
			}
		}
		return len(toks)-i <= maxNameBracket
	case ')':
		for j := i - 1; j >= 0 && i-j <= maxNameBracket; j-- {
			if toks[j].softBefore {
				return toks[j].mark == '('
			}
		}
	}
	return false
}

// inOneClause reports whether tokens lo..hi-1 sit in one clause: no comma,
// colon or dash between them, and no clause word other than the claim's
// own terms ("before" in "Redis before PostgreSQL" is the claim), nor a
// comma just before such a connective of the claim's own. A comma
// after a sentence's opening term is a discourse marker, not a clause
// break ("First, the post goes to Redis"), nor is the comma that closes an
// "if" clause.
func inOneClause(s sentence, spans []span, lo, hi int) bool {
	for i := lo + 1; i < hi; i++ {
		t := s.tokens[i]
		own := overlaps(spans, span{i, i + 1})
		if t.softBefore && nameBracket(s.tokens, i) {
			continue // "entered in the records system first (Postgres INSERT)"
		}
		if t.softBefore && t.mark == '?' {
			continue // "What commits first? Postgres.": a question and its answer, one idea
		}
		if t.softBefore {
			opening := false
			for _, sp := range spans {
				// The sentence's opening term, or a short step marker
				// opening a clause ("Steps: (1) insert the row").
				opening = opening || (sp.start == 0 && sp.end == i) ||
					(sp.end == i && sp.end-sp.start <= 2 && s.tokens[sp.start].softBefore && s.tokens[sp.start].mark == '(' && isOrdinal(s.tokens[sp.end-1].word))
			}
			// A pause just before a connective the claim names itself
			// (", so", ", then") is spanned on purpose: "use WAIT, so no
			// write is ever lost" states one idea across it.
			if !opening && !afterCondition(s.tokens, i) && !(own && clauseWords[t.word]) {
				return false
			}
		}
		if clauseWords[t.word] && !own && !arrowToPredicate(s.tokens, i) {
			return false
		}
	}
	return true
}

// arrowToPredicate reports whether the token at i is an arrow that leads
// from a subject to its own verb ("INSERT posts → commits first", "ZADD →
// fails"): in a note the arrow stands for the missing "which", so the verb
// after it is the subject's, one clause. An arrow to anything else ("ZADD
// → primary says OK", "fails → return error") still reads as "then".
func arrowToPredicate(toks []token, i int) bool {
	if !toks[i].arrow || i == 0 || i+1 >= len(toks) || toks[i+1].softBefore {
		return false
	}
	w := toks[i+1].word
	return len(w) > 2 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && verbStems[toks[i+1].stem]
}

// isOrdinal reports whether w numbers a step: a digit or two, or a word
// like "one" or "first".
func isOrdinal(w string) bool {
	if len(w) > 0 && len(w) <= 2 && w[0] >= '0' && w[0] <= '9' {
		return true
	}
	switch w {
	case "one", "first", "1st", "two", "second", "2nd", "three", "third", "3rd":
		return true
	}
	return false
}
