package quiz

import "strings"

// An answer often gives the order of the two writes only by the order of
// its steps: bullets, numbered lines or a timeline ("t0: INSERT …", "t1:
// ZADD …"), with no "first" or "then" in any sentence. Claims hold inside
// one sentence, so without reading the steps such an answer said nothing
// about what commits first (a correct SRE timeline went to review), and a
// Redis-first list passed. readSteps finds the runs of steps; a Steps
// claim (see Claim.Steps) reads the order of what each step leads with.

// step is one bullet, numbered line or timeline entry: the sentence it
// opens and the token where its content starts, after its label.
type step struct {
	sent, body int
	ordered    bool // the run's order is the order of events (see readSteps)
}

// maxStepLead is how many tokens of a step's content its lead may be: the
// words that say what the step does ("INSERT into Postgres", "ZADD the
// item"), not the notes after it.
const maxStepLead = 8

// bulletMarks open a line as a bullet.
const bulletMarks = "-*•·+>–—"

// readSteps lists the answer's runs of steps. A run continues while each
// new line opens a step; sentences on a step's own line are its notes; a
// line that opens no step ends the run. A run is ordered when its steps
// are numbered or timed, or when its bullets follow a line that says they
// are a process ("Per request:", "Timeline:", "What happens:") or one of
// them opens with "then", "next" or "finally": bullets
// under "Two stores:" list parts, and their order says nothing.
func readSteps(answer string, sents []sentence) [][]step {
	var runs [][]step
	var cur []step
	prevEnd, header := 0, ""
	for i, s := range sents {
		gap := answer[prevEnd:s.start]
		prevEnd = s.end
		if i > 0 && !strings.Contains(gap, "\n") {
			if len(cur) == 0 && len(header) < maxHeader {
				header += " " + answer[s.start:s.end]
			}
			continue // a note on the step's line, or more of a header
		}
		lead := gap[strings.LastIndex(gap, "\n")+1:]
		if len(cur) > 0 && (lineIndent(answer, s.start) > lineIndent(answer, sents[cur[0].sent].start) || bracketLine(answer, s.start)) {
			continue // an indented sub-bullet, or a bracketed line: a note on the step above it
		}
		if body, bullet, ok := stepBody(strings.TrimSpace(lead), s); ok {
			ordered := !bullet && !adviceCue(header) || processCue(header) || body < len(s.tokens) && sequenceWords[s.tokens[body].word]
			if len(cur) > 0 {
				cur[0].ordered = cur[0].ordered || ordered // the run's first step speaks for it
			}
			cur = append(cur, step{sent: i, body: body, ordered: ordered})
			continue
		}
		if len(cur) > 0 {
			runs = append(runs, cur)
		}
		cur, header = nil, answer[s.start:s.end]
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	// A numbered list one item per line is read above, with its header;
	// read again as inline steps it would lose what the header says ("What
	// I'd do:" lists fixes, not the order of the writes).
	lined := map[int]bool{}
	for _, run := range runs {
		for _, st := range run {
			lined[st.sent] = true
		}
	}
	for _, run := range inlineSteps(sents) {
		again := true
		for _, st := range run {
			again = again && lined[st.sent]
		}
		if !again {
			runs = append(runs, run)
		}
	}
	return runs
}

// maxHeader bounds how much of the line before a run is kept as its
// header: only its cue words matter, and a 64 KiB answer on one line
// made of many sentences once grew it sentence by sentence, in time
// that grew with the square of the answer.
const maxHeader = 400

// processWords in the line before a run of bullets say the bullets are
// steps in order.
var processWords = set("step steps order ordering timeline flow sequence happens happen request call createpost walkthrough procedure process first then path lifecycle")

// sequenceWords opening a bullet ("- then insert it into Postgres") say the
// bullets are in order too.
var sequenceWords = set("then next finally first second third afterwards lastly")

func processCue(header string) bool { return headerHas(header, processWords) }

// headerHas reports whether the line before a run holds one of words.
func headerHas(header string, words map[string]bool) bool {
	for _, s := range split(header) {
		for _, t := range s.tokens {
			if words[t.word] {
				return true
			}
		}
	}
	return false
}

// adviceWords in the line before a numbered list say it lists what to do
// ("What I'd do:", "Mitigation:", "Action items:"), not steps of the
// request in the order they run: "1. deadline on the ZADD 2. outbox row
// in PG" is no Redis-then-PostgreSQL order.
var adviceWords = set("fix fixes fixing mitigation mitigations mitigate action actions remediation remedies remedy recommendations recommend recommended improvements handle handling prevention mitigating would i'd")

func adviceCue(header string) bool { return headerHas(header, adviceWords) }

// maxInlineStep is the highest step number read inside a line.
const maxInlineStep = 20

// inlineSteps lists the runs of steps numbered inside a line ("1) validate
// 2) pg INSERT -> commits … 3) ZADD", "1. insert into postgres 2. zadd"):
// a number set off by ")" (or ending a sentence, for "2."), numbered one
// more than the step before it, so that "between 2 and 3" or "returns 201"
// is no label.
func inlineSteps(sents []sentence) [][]step {
	var runs [][]step
	var cur []step
	last := 0
	for si, s := range sents {
		for k, t := range s.tokens {
			n := smallNumber(t.word)
			if n == 0 {
				continue
			}
			var st step
			switch {
			case k+1 < len(s.tokens) && s.tokens[k+1].softBefore && (s.tokens[k+1].mark == ')' || k == 0):
				st = step{sent: si, body: k + 1, ordered: true}
			case k == len(s.tokens)-1 && si+1 < len(sents) && k > 0:
				st = step{sent: si + 1, body: 0, ordered: true} // "… postgres 2. zadd …": the number ended a sentence
			default:
				continue
			}
			if n != last+1 {
				if len(cur) > 1 {
					runs = append(runs, cur)
				}
				cur = nil
				if n > 2 {
					last = 0
					continue // a run starts at step 1 or 2 (after an unnumbered first)
				}
			}
			cur, last = append(cur, st), n
		}
	}
	if len(cur) > 1 {
		runs = append(runs, cur)
	}
	return runs
}

// smallNumber is w as a step number, 1 to maxInlineStep, or 0.
func smallNumber(w string) int {
	if len(w) > 2 || !isDigits(w) {
		return 0
	}
	n := int(w[0] - '0')
	if len(w) == 2 {
		n = n*10 + int(w[1]-'0')
	}
	if n < 1 || n > maxInlineStep {
		return 0
	}
	return n
}

// stepBody reports whether a line opening sentence s is a step, given the
// punctuation before its first word, and where its content starts: after a
// bullet, or after a label set off by punctuation ("1.", "(2)", "Step 3 -",
// "t0:", "[5 ms]", "T+1:").
func stepBody(lead string, s sentence) (body int, bullet, ok bool) {
	if lead != "" && strings.Trim(lead, bulletMarks) == "" {
		return 0, true, true
	}
	toks := s.tokens
	n := 0
	switch {
	case len(toks) > 1 && (toks[0].word == "step" || toks[0].word == "phase" || toks[0].word == "stage") && isOrdinal(toks[1].word):
		n = 2
	case len(toks) > 1 && toks[0].word == "t" && isDigits(toks[1].word):
		n = 2 // "T+0"
	case len(toks) > 1 && isDigits(toks[0].word) && (toks[1].word == "ms" || toks[1].word == "s"):
		n = 2 // "[0 ms]"
	case len(toks) > 0 && (isOrdinal(toks[0].word) || isTimeLabel(toks[0].word)):
		n = 1
	default:
		return 0, false, false
	}
	if n >= len(toks) || !toks[n].softBefore && toks[0].word != "step" && !isTimeLabel(toks[0].word) {
		return 0, false, false // "2 writes happen…" is a sentence, not a label; "t1 ZADD…" is
	}
	return n, false, true
}

func isDigits(w string) bool {
	if w == "" || len(w) > 4 {
		return false
	}
	for _, c := range w {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isTimeLabel reports whether w labels a moment: "t0", "t1", "0ms", "50ms".
func isTimeLabel(w string) bool {
	if len(w) > 1 && w[0] == 't' && isDigits(w[1:]) {
		return true
	}
	num, unit := strings.TrimRight(w, "ms"), strings.TrimLeft(w, "0123456789")
	return num != "" && isDigits(num) && (unit == "ms" || unit == "s")
}

// leadEnd is where step st's lead ends: maxStepLead tokens of content, or
// earlier at a clause word other than "then" (which agrees with the step's
// place: "2. The post is then written to PostgreSQL") or a pause (a pause right after a one- or
// two-word heading, "Postgres: insert the row", does not end it).
func leadEnd(s sentence, st step) int {
	end, aside := st.body, 0
	for end < len(s.tokens) && end-st.body-aside < maxStepLead {
		t := s.tokens[end]
		if end > st.body && t.softBefore && t.mark == '(' {
			// "Marshal the item (postId, title, publishedAt) and ZADD
			// it": a bracketed aside is skipped, not counted, so the
			// step's verb after it stays in its lead.
			close := end + 1
			for close < len(s.tokens) && !(s.tokens[close].softBefore && s.tokens[close].mark == ')') && close-end <= maxStepLead {
				close++
			}
			if close < len(s.tokens) && close-end <= maxStepLead {
				aside += close - end
				end = close
				continue
			}
		}
		if end > st.body && (clauseWords[t.word] && t.word != "then" || t.softBefore && t.mark != ')' && end-st.body-aside > 2) {
			break
		}
		end++
	}
	return end
}

// matchSteps reports whether, in one run of steps, the first step whose
// lead holds one of the claim's two terms (with one of its With words,
// none of its Unless words, not negated and not reported) holds the
// first term, and a later step's lead holds the second. It returns the
// earlier step's sentence and the spans to quote.
func (c compiledClaim) matchSteps(lx lexicon, rd reading) (int, []span, bool) {
	for _, run := range rd.steps {
		if !run[0].ordered {
			continue
		}
		first, at := -1, []span(nil)
		for _, st := range run {
			s := rd.sents[st.sent]
			end := leadEnd(s, st)
			if at := afterSuccess(s, st.body); at > st.body {
				st.body, end = at, clauseEnd(s, at, maxCondLead)
			}
			found := [2][]span{}
			for k := range c.terms {
				found[k] = c.leadOccurrences(lx, rd, st, end, c.terms[k])
			}
			with := c.leadOccurrences(lx, rd, st, end, c.with)
			void := c.leadOccurrences(lx, rd, st, end, c.unless)
			if len(with) == 0 || len(void) > 0 || (len(found[0]) > 0) == (len(found[1]) > 0) {
				continue // not a write of one store alone
			}
			if first < 0 {
				if len(found[0]) == 0 {
					break // the second term's step comes first in this run
				}
				first, at = st.sent, append(found[0][:1], with[0])
				continue
			}
			if len(found[1]) > 0 {
				return first, at, true
			}
		}
	}
	return 0, nil, false
}

// leadOccurrences lists where any of phrases occurs, asserted and not
// negated, in step st's lead (tokens body to end).
func (c compiledClaim) leadOccurrences(lx lexicon, rd reading, st step, end int, phrases []phrase) []span {
	s := rd.sents[st.sent]
	var out []span
	for i := st.body; i < end; i++ {
		if rd.heard[st.sent][i] || rd.negs[st.sent].in[i] {
			continue
		}
		for _, p := range phrases {
			if n, ok := p.matchAt(lx, s.tokens, i); ok && i+n <= end {
				out = append(out, span{i, i + n})
				break
			}
		}
	}
	return out
}

// A step's notes often leave out what they are about: "- ZADD into Redis.
// On failure return a 500." says the ZADD's failure returns a 500, though
// the second sentence names no store, so no claim about Redis held there
// (a walkthrough failing the request on a Redis error passed at 0.75).
// carrySubjects gives each note of a bullet or labelled step that names
// no store and opens with a case (see carryOpeners) the store its step's
// lead writes, as a word of no width at the
// note's start: claims read it, quotes never show it.
func carrySubjects(answer string, sents []sentence, subject func([]token) (token, bool)) {
	for _, run := range readSteps(answer, sents) {
		for _, st := range run {
			lead := sents[st.sent]
			who, ok := subject(lead.tokens[st.body:leadEnd(lead, st)])
			if !ok {
				continue
			}
			for i := st.sent + 1; i < len(sents) && (!strings.Contains(answer[sents[i-1].end:sents[i].start], "\n") || lineIndent(answer, sents[i].start) > lineIndent(answer, lead.start)); i++ {
				if _, named := subject(sents[i].tokens); named {
					break // the note names its own subject, and so do the ones after it
				}
				if !opensCondition(sents[i].tokens) {
					continue // "Latency #1.": a remark, not what the step does when
				}
				who.start, who.end, who.softBefore, who.mark, who.arrow, who.carried = sents[i].start, sents[i].start, false, 0, false, true
				sents[i].tokens = append([]token{who}, sents[i].tokens...)
			}
		}
	}
}

// carryOpeners open a note that says what the step does in a case ("On
// failure…", "If it errors…", "Fails: …"): the notes whose subject is the
// step's store. Other notes ("Latency #1.", "Durable from here on.") are
// remarks, and carrying a store into them would let a claim quote them.
var carryOpeners = set("if when whenever on once unless fail fails failed failure error errors err down timeout timeouts")

// maxOpenerReach is how far into a note its opener may sit ("Then, if it
// errors…").
const maxOpenerReach = 3

func opensCondition(toks []token) bool {
	for i := 0; i < len(toks) && i < maxOpenerReach; i++ {
		if carryOpeners[toks[i].word] {
			return true
		}
	}
	return false
}

// A step often opens with the case in which it runs: "Step 3: if the save
// worked, the post is added to the feed in Redis". The case is the step
// before it succeeding, which is the order itself, and the step's lead is
// the clause after it; read from the "if", the lead held an exception
// word and the step ordered nothing (a correct stepwise walkthrough went
// to review at 0.50). A case of failure ("if it fails, …", "if Redis is
// not reachable, …") is still no write in order.

// successWords say, in a step's opening case, that the step before it
// went through.
var successWords = set("worked works succeeded succeeds succeed ok okay committed commits went landed")

// caseFailWords in that case say it did not.
var caseFailWords = set("fail fails failed failure error errors not never down unavailable timeout timed")

// maxCaseWords is how long that opening case may be; maxCondLead, how long
// the clause after it may run as the step's lead.
const (
	maxCaseWords = 6
	maxCondLead  = 12
)

// afterSuccess is where the clause after a step's opening case of success
// starts ("if the save worked, |the post …"), or body when the step opens
// with no such case.
func afterSuccess(s sentence, body int) int {
	toks := s.tokens
	if body >= len(toks) || !conditionWords[toks[body].word] {
		return body
	}
	success := false
	for j := body + 1; j < len(toks) && j-body <= maxCaseWords; j++ {
		if toks[j].softBefore {
			if success && toks[j].mark == ',' {
				return j
			}
			return body
		}
		if caseFailWords[toks[j].word] || clauseWords[toks[j].word] {
			return body
		}
		success = success || successWords[toks[j].word]
	}
	return body
}

// clauseEnd is where the clause starting at i ends: at a pause or a clause
// word, or after max tokens.
func clauseEnd(s sentence, i, max int) int {
	end := i
	for end < len(s.tokens) && end-i < max {
		if end > i && (s.tokens[end].softBefore || clauseWords[s.tokens[end].word]) {
			break
		}
		end++
	}
	return end
}

// lineIndent is how far the line holding byte pos is indented: its leading
// spaces and tabs (a tab counts as four). A line indented under a step
// ("   - failure here: return the error") is a note on that step, not a
// step of its own, and the step's store is its subject.
func lineIndent(answer string, pos int) int {
	start := strings.LastIndex(answer[:pos], "\n") + 1
	n := 0
	for _, r := range answer[start:pos] {
		switch r {
		case ' ':
			n++
		case '\t':
			n += 4
		default:
			return n
		}
	}
	return n
}

// bracketLine reports whether the line holding byte pos opens with a
// bracket: "(if the INSERT had errored: return the error)" between two
// timeline entries is an aside on the one above, not the end of the run.
func bracketLine(answer string, pos int) bool {
	start := strings.LastIndex(answer[:pos], "\n") + 1
	return strings.HasPrefix(strings.TrimLeft(answer[start:pos], " \t"), "(")
}
