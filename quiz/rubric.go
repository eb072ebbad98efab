package quiz

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// keywordListCap is the most a list of keywords can score, as a share of
// the pass mark: naming the terms is a start, not an explanation.
const keywordListCap = 0.5

type compiledPoint struct {
	Point
	claims []compiledClaim
}

type compiledRubric struct {
	points   []compiledPoint
	requires []Requirement
	topics   [][]phrase // per requirement: its Topic's phrases, nil without one
	total    float64    // sum of positive weights
	outOf    float64    // weight that earns full marks
	lx       lexicon

	// stores are the phrases naming PostgreSQL and Redis (the @pg and
	// @redis concepts), and conceptWords every word of any concept: an
	// analogy's words may stand for a store, never the rubric's own.
	stores       [2][]phrase
	roles        [2][]phrase     // everyday nouns that play each store in an unmapped analogy
	storeFirst   map[string]bool // first words (and stems) of stores' phrases
	conceptWords map[string]bool
}

func (b *Bank) lexicon() lexicon {
	if b.rubricLex == nil {
		b.rubricLex = lexicon{}
		for w := range commonWords {
			b.rubricLex[w] = true
		}
		for w := range functionWords {
			b.rubricLex[w] = true
		}
		for _, w := range b.english {
			b.rubricLex[w] = true
		}
		for _, ps := range b.concepts {
			for _, p := range ps {
				for _, w := range p.words {
					b.rubricLex[w] = true
				}
			}
		}
	}
	return b.rubricLex
}

func (b *Bank) compileRubric(r *Rubric) (*compiledRubric, []error) {
	var errs []error
	cr := &compiledRubric{requires: r.Requires, lx: b.lexicon(), stores: [2][]phrase{b.concepts["pg"], b.concepts["redis"]}, conceptWords: map[string]bool{}}
	for name, ps := range b.concepts {
		if name == roleConcepts[0] || name == roleConcepts[1] {
			continue // an analogy's own nouns, which a mapping may still assign
		}
		for _, p := range ps {
			for _, w := range p.words {
				cr.conceptWords[w] = true
			}
		}
	}
	for k, name := range roleConcepts {
		cr.roles[k] = b.concepts[name]
	}
	cr.storeFirst = map[string]bool{}
	for _, ps := range cr.stores {
		for _, p := range ps {
			cr.storeFirst[p.words[0]], cr.storeFirst[p.stems[0]] = true, true
		}
	}
	ids := map[string]bool{}
	positives := 0
	for _, p := range r.Points {
		if !validID(p.ID) || ids[p.ID] {
			errs = append(errs, fmt.Errorf("point %q: ID must be unique, lower-case letters, digits and dashes", p.ID))
		}
		ids[p.ID] = true
		if p.Weight == 0 || math.IsNaN(p.Weight) || math.Abs(p.Weight) > 10 {
			errs = append(errs, fmt.Errorf("point %s: weight must be non-zero and within ±10", p.ID))
		}
		if strings.TrimSpace(p.Summary) == "" || strings.TrimSpace(p.Found) == "" {
			errs = append(errs, fmt.Errorf("point %s: needs a summary and found feedback", p.ID))
		}
		if p.Weight > 0 {
			positives++
			cr.total += p.Weight
			if strings.TrimSpace(p.Hint) == "" || strings.TrimSpace(p.Missed) == "" {
				errs = append(errs, fmt.Errorf("point %s: a key point needs a hint and missed feedback", p.ID))
			}
			if p.BlocksPass {
				errs = append(errs, fmt.Errorf("point %s: only a misconception can block a pass", p.ID))
			}
		}
		if len(p.Claims) == 0 {
			errs = append(errs, fmt.Errorf("point %s: no claims", p.ID))
		}
		cp := compiledPoint{Point: p}
		for _, c := range p.Claims {
			cc, err := b.compileClaim(c, cr.lx, p.Misconception())
			if err != nil {
				errs = append(errs, fmt.Errorf("point %s: %w", p.ID, err))
				continue
			}
			cp.claims = append(cp.claims, cc)
		}
		cr.points = append(cr.points, cp)
	}
	if r.OutOf < 0 || r.OutOf > cr.total {
		errs = append(errs, fmt.Errorf("outOf %v must be within 0..%v (the sum of the key points)", r.OutOf, cr.total))
	} else if r.OutOf > 0 {
		cr.outOf = r.OutOf
	} else {
		cr.outOf = cr.total
	}
	if positives < 3 {
		errs = append(errs, fmt.Errorf("rubric needs at least 3 key points"))
	}
	for _, req := range r.Requires {
		if req.Min < 1 || req.Min > len(req.Points) || req.Missing == "" {
			errs = append(errs, fmt.Errorf("requirement %v: min must be 1..%d and missing feedback given", req.Points, len(req.Points)))
		}
		for _, id := range req.Points {
			if !ids[id] {
				errs = append(errs, fmt.Errorf("requirement names unknown point %q", id))
			}
		}
		topic, err := b.resolveTerms(Claim{Terms: req.Topic}, req.Topic, cr.lx)
		if err != nil {
			errs = append(errs, fmt.Errorf("requirement %v topic: %w", req.Points, err))
		}
		cr.topics = append(cr.topics, topic)
	}
	return cr, errs
}

// MaxAnswerBytes bounds what the grader reads: an answer is a paragraph or
// two, and the CLI refuses more. Anything past it is not graded, so the
// time a grade takes is bounded whatever a caller passes in.
const MaxAnswerBytes = 64 << 10

// Notes the grader gives in more than one place.
const (
	noteNotEnglish  = "The grader reads English; your instructor can grade this. (Write it in English to get feedback now.)"
	noteNeedsReview = "An instructor should look at this: the rest of the answer reaches the pass mark, but it misses something the question needs (see the note above)."
	noteUnaddressed = "The question asks for this and no sentence of the answer seems to touch it, so it cannot pass yet: add it and grade again."
	noteListPart    = "Part of this answer is a list of terms; points named only in a list are not counted. Say them in sentences."
)

// reading is what the grader works out about an answer once: its
// sentences, where negations reach, which words the learner does not
// assert, and which sentences are lists.
type reading struct {
	answer string
	sents  []sentence
	own    []sentence // the sentences in the learner's words only, before carrySubjects: what the list and language checks weigh
	negs   []negation
	heard  [][]bool
	list   []bool
	seen   []map[int][]span // per sentence: where each claim term occurs
	steps  [][]step         // the answer's runs of bullets, numbered lines or timeline entries
}

// read reads an answer. subject, when given, names the store a step's
// lead writes (see carrySubjects); nil reads each sentence on its own.
func read(answer string, lx lexicon, subject func([]token) (token, bool)) reading {
	r := reading{answer: answer, sents: split(answer)}
	for _, s := range r.sents {
		for k := range s.tokens {
			s.tokens[k].known = lx[s.tokens[k].word]
		}
	}
	r.own = append([]sentence(nil), r.sents...)
	headings := readTables(answer, r.sents)
	if subject != nil {
		stores := stepStores(readSteps(answer, r.sents), r.sents, subject)
		carrySubjects(answer, r.sents, subject)
		carryStepNames(stores, r.sents)
	}
	r.negs = make([]negation, len(r.sents))
	r.list = make([]bool, len(r.sents))
	r.seen = make([]map[int][]span, len(r.sents))
	for i, s := range r.sents {
		r.seen[i] = map[int][]span{}
		r.negs[i] = negationScope(s)
		r.list[i] = listSentence(r.own[i])
	}
	r.heard = heardScope(r.sents)
	for i, s := range r.sents {
		if k := listAfterColon(s); k >= 0 {
			for j := k; j < len(s.tokens); j++ {
				r.heard[i][j] = true
			}
		}
	}
	for i := range headings {
		for k := range r.heard[i] {
			r.heard[i][k] = r.heard[i][k] || headings[i]
		}
	}
	rejectHeadings(answer, r.sents, r.heard)
	r.steps = readSteps(answer, r.sents)
	placeFirsts(r.sents, r.heard)
	return r
}

// grade scores a free-text answer against the rubric.
func (cr *compiledRubric) grade(answer, prompt string, passMark float64) Result {
	res := Result{Kind: FreeText, PassMark: passMark, Found: []Finding{}, Missed: []Finding{}}
	answer = clip(answer, MaxAnswerBytes)
	rd := read(answer, cr.lx, cr.stepStore)
	cr.aliasStores(rd)
	muteEchoes(rd, prompt)
	missAll := func() {
		for _, p := range cr.points {
			if !p.Misconception() {
				res.Missed = append(res.Missed, missed(p.Point))
			}
		}
	}
	if len(rd.sents) == 0 {
		missAll()
		res.Notes = append(res.Notes, "The answer is empty. Write a few sentences in your own words; the hints below say where to start.")
		return res
	}
	if notEnglish(answer, rd.own) {
		missAll()
		res.NeedsReview = true
		res.Notes = append(res.Notes, noteNotEnglish)
		return res
	}
	// An answer that is all list is capped below the pass mark, and its
	// feedback still shows what it named; in an answer of sentences, a
	// list sentence earns nothing, so a few terms after some prose cannot
	// carry it over the pass mark.
	listed, total := 0, 0
	for i, s := range rd.own {
		total += len(s.tokens)
		if rd.list[i] {
			listed += len(s.tokens)
		}
	}
	res.KeywordList = isKeywordList(rd.own) || listed*2 >= total
	found := map[string]bool{}
	earned, penalty, blocked := 0.0, 0.0, false
	finds := make([]Finding, len(cr.points))
	oks := make([]bool, len(cr.points))
	wrong := map[string]bool{} // the clauses that asserted a misconception
	for i, p := range cr.points {
		finds[i], oks[i] = cr.find(p, rd, res.KeywordList)
		if oks[i] && p.Misconception() && finds[i].Quote != "" {
			wrong[finds[i].Quote] = true
		}
	}
	for i, p := range cr.points {
		f, ok := finds[i], oks[i]
		// A clause that asserts a misconception is no evidence for the
		// point it contradicts ("Redis gets the write first and later
		// copies it to postgres" does not say writes go to PostgreSQL):
		// crediting it would tell the student they said what they did not.
		if ok && !p.Misconception() && wrong[f.Quote] {
			ok = false
		}
		switch {
		case ok && p.Misconception():
			penalty += -p.Weight
			blocked = blocked || p.BlocksPass
			res.Misconceptions = append(res.Misconceptions, f)
		case ok:
			found[p.ID] = true
			earned += p.Weight
			res.Found = append(res.Found, f)
		case !p.Misconception():
			res.Missed = append(res.Missed, missed(p.Point))
		}
	}
	score := (earned - penalty) / cr.outOf
	capAt := 1.0
	below := math.Max(0, passMark-0.05)
	if blocked {
		capAt = min(capAt, below)
		res.Notes = append(res.Notes, "A misconception below keeps this answer from passing; fix that idea first.")
	}
	cost, unaddressed := 0.0, false
	for ri, req := range cr.requires {
		if earned == 0 {
			capAt = min(capAt, below)
			break // one note saying nothing was found says it better than each requirement
		}
		n := 0
		for _, id := range req.Points {
			if found[id] {
				n++
			}
		}
		if n < req.Min {
			c := req.Cost
			if c == 0 {
				c = DefaultRequirementCost
			}
			cost += c
			res.Notes = append(res.Notes, req.Missing)
			// A list is capped anyway; its notes already say what to add.
			if len(cr.topics[ri]) > 0 && !res.KeywordList && !rd.mentions(cr.lx, cr.topics[ri]) {
				unaddressed = true
				capAt = min(capAt, below)
				res.Notes = append(res.Notes, noteUnaddressed)
			}
		}
	}
	if res.KeywordList {
		capAt = min(capAt, passMark*keywordListCap)
		res.Notes = append(res.Notes, "This reads as a list of terms. Naming the ideas is a start; explain how they connect, in sentences, to pass.")
	} else if listed > 0 {
		res.Notes = append(res.Notes, noteListPart)
	}
	if earned == 0 {
		res.Notes = append(res.Notes, "None of the key ideas showed up. Re-read the question: it is about this lesson's CreatePost, PostgreSQL and the Redis feed.")
	}
	round := func(x float64) float64 { return math.Round(min(max(x, 0), capAt)*100) / 100 }
	if res.KeywordList {
		cost = 0 // the list's cap is the verdict; the requirements' notes say what to add
	}
	res.Score = round(score - cost)
	res.Passed = res.Score >= passMark
	// Review is for the answer the grader cannot settle, and it never
	// passes (see Result.NeedsReview): one that fails only on the cost of
	// a required point it may have said in unforeseen words, or one whose
	// other points reach the pass mark while no sentence touches a part
	// the question asks for (the grader reads words, so a person decides
	// whether the omission is real). An answer that passes despite a cost
	// is not sent: the grader saw the subject addressed, and the note
	// still says what to add.
	if (cost > 0 && !res.Passed || unaddressed) && !blocked && !res.KeywordList && math.Round(min(score, 1)*100)/100 >= passMark {
		res.NeedsReview = true
		res.Notes = append(res.Notes, noteNeedsReview)
	}
	return res
}

// mentions reports whether any sentence (list or prose, asserted or not)
// uses one of the phrases: whether the learner touched a subject at all.
func (r reading) mentions(lx lexicon, phrases []phrase) bool {
	for _, s := range r.sents {
		for i := range s.tokens {
			for _, p := range phrases {
				if _, ok := p.matchAt(lx, s.tokens, i); ok {
					return true
				}
			}
		}
	}
	return false
}

// clip cuts s to at most n bytes, at a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func missed(p Point) Finding {
	return Finding{ID: p.ID, Summary: p.Summary, Weight: p.Weight, Hint: p.Hint, Feedback: p.Missed}
}

// find reports whether any of the point's claims holds in a sentence that
// states it (not words the learner reports or dismisses, and not a list
// unless lists is set), and
// quotes that sentence: the quote always comes from where the point was
// earned.
func (cr *compiledRubric) find(p compiledPoint, rd reading, lists bool) (Finding, bool) {
	for i, s := range rd.sents {
		if rd.list[i] && !lists {
			continue
		}
		for _, c := range p.claims {
			if c.steps {
				continue
			}
			if spans, ok := c.match(cr.lx, s, rd.negs[i], rd.heard[i], rd.seen[i]); ok {
				if p.Misconception() {
					if asked := askedPart(rd.answer, s); reachesBefore(spans, asked) {
						// Read again with the question's words set aside: the
						// answer may still state the wrong idea on its own.
						heard := slices.Clone(rd.heard[i])
						for k := range asked {
							heard[k] = true
						}
						if spans, ok = c.match(cr.lx, s, rd.negs[i], heard, map[int][]span{}); !ok {
							continue
						}
					}
				}
				q := evidence(rd.answer, s, spans)
				idx := i
				return Finding{ID: p.ID, Summary: p.Summary, Weight: p.Weight, Evidence: q, Quote: q, Sentence: &idx, Feedback: p.Found}, true
			}
		}
	}
	for _, c := range p.claims {
		if !c.steps || lists {
			continue // a list of terms orders nothing
		}
		if i, spans, ok := c.matchSteps(cr.lx, rd); ok {
			q := evidence(rd.answer, rd.sents[i], spans)
			return Finding{ID: p.ID, Summary: p.Summary, Weight: p.Weight, Evidence: q, Quote: q, Sentence: &i, Feedback: p.Found}, true
		}
	}
	return Finding{}, false
}

// interrogatives open a question.
var interrogatives = set("what which where when who whom whose why how does do did is are was were can could should would will")

// askedPart is how many of a sentence's first tokens the learner asks
// rather than states: all of a sentence that opens with a question word
// and ends in a question mark, or the question of a line that answers
// itself ("What does a reader see right after the Postgres commit?
// Nothing new."); 0 when it asks nothing. A question claims nothing, so a
// wrong idea is flagged only from the words of an answer, while a right
// one may take its subject from the question it answers ("What commits
// first? Postgres.").
func askedPart(answer string, s sentence) int {
	lead := 0
	if len(s.tokens) > 1 && s.tokens[0].word == "q" {
		lead = 1 // "Q: So roll back Postgres to keep them equal? A: No."
	}
	if len(s.tokens) == 0 || lead == 0 && !interrogatives[s.tokens[0].word] {
		return 0
	}
	for k, t := range s.tokens {
		if k > 0 && t.softBefore && t.mark == '?' {
			return k
		}
	}
	if s.end < len(answer) && answer[s.end] == '?' {
		return len(s.tokens)
	}
	return 0
}

// reachesBefore reports whether any span starts before token n.
func reachesBefore(spans []span, n int) bool {
	for _, sp := range spans {
		if sp.start < n {
			return true
		}
	}
	return false
}

// maxEvidence is the longest quote of the learner's answer in feedback.
const maxEvidence = 120

// evidence quotes the sentence a claim held in, widened word by word
// around the matched terms while it stays short.
func evidence(answer string, s sentence, spans []span) string {
	a, b := spans[0].start, spans[0].end-1
	for _, sp := range spans {
		a, b = min(a, sp.start), max(b, sp.end-1)
	}
	for grew := true; grew; {
		grew = false
		if a > 0 && s.tokens[b].end-s.tokens[a-1].start <= maxEvidence {
			a, grew = a-1, true
		}
		if b < len(s.tokens)-1 && s.tokens[b+1].end-s.tokens[a].start <= maxEvidence {
			b, grew = b+1, true
		}
	}
	from, to := s.tokens[a].start, s.tokens[b].end
	if a == 0 {
		from = s.start
	}
	if b == len(s.tokens)-1 {
		to = s.end
	}
	q := strings.Join(strings.Fields(answer[from:to]), " ")
	if a > 0 {
		q = "…" + q
	}
	if b < len(s.tokens)-1 {
		q += "…"
	}
	return q
}
