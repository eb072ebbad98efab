package quiz

import "strings"

// maxNegationScope is how many words a "not" reaches when no comma or
// conjunction stops it first.
const maxNegationScope = 8

// negationScope marks every token that a negator reaches: from the word after
// "not" (or "instead of") to the next comma, conjunction or clause word, at
// most maxNegationScope words; or, when the negator ends its clause, back to
// the start of that clause.
func negationScope(s sentence) negation {
	in := make([]bool, len(s.tokens))
	by := make([]int, len(s.tokens))
	var linking []int
	toks := s.tokens
	for n := 0; n < len(toks); n++ {
		w := toks[n].word
		first := n + 1
		switch {
		case w == "non" && n+1 < len(toks) && !toks[n+1].softBefore:
			// "non-atomic", "non-blocking": the prefix denies the one word
			// it is joined to, not the clause after it.
			in[n+1], by[n+1] = true, n
			continue
		case negators[w]:
			if w == "not" && n+1 < len(toks) && (toks[n+1].word == "only" || toks[n+1].word == "just") {
				continue // "not only ... but also" affirms
			}
		case negationPairs[w] != "" && n+1 < len(toks) && toks[n+1].word == negationPairs[w]:
			first = n + 2
		default:
			continue
		}
		if first >= len(toks) || toks[first].softBefore || scopeEnders[toks[first].word] {
			// A negator ending its clause looks back: "Redis is the
			// source of truth and Postgres is not".
			for j := n - 1; j >= 0 && n-j <= maxNegationScope; j-- {
				if scopeEnders[toks[j].word] || negators[toks[j].word] {
					break
				}
				in[j], by[j] = true, n
				if toks[j].softBefore {
					break
				}
			}
			continue
		}
		conditional := inCondition(toks, n)
		for j := first; j < len(toks) && j < first+maxNegationScope; j++ {
			if j > first && first > n+1 && pairSubjects[toks[j].word] {
				// "Instead of one database doing everything you have
				// Postgres where…": what "instead of" sets aside is a
				// phrase, and a subject pronoun starts the clause it fronts.
				break
			}
			if j > first && conditional && mainClauseSubjects[toks[j].word] {
				// "When the post isn't in Redis GetFeed falls back…": a
				// condition written without its comma ends where the main
				// clause's subject begins; the "not" denies the condition only.
				break
			}
			if j > first && toks[j].softBefore && toks[j].mark == '(' && restatement(toks[j:]) {
				// "The fix isn't a refund (rolling back Postgres)": a
				// bracket that renames what is denied is denied with it.
				in[j], by[j] = true, n
				continue
			}
			if j > first && toks[j].softBefore && toks[j].mark == ',' && listTail(toks, j) {
				// "rather than via CDC, a broker or event sourcing": the
				// denial reaches the rest of its list.
				in[j], by[j] = true, n
				continue
			}
			if j > first && (toks[j].softBefore || scopeEnders[toks[j].word]) {
				if !toks[j].softBefore && relationWords[toks[j].word] {
					linking = append(linking, n)
				}
				break
			}
			in[j], by[j] = true, n
		}
	}
	return negation{in: in, by: by, linking: linking}
}

// maxListTail is the longest piece read as the close of a denied list,
// and listJoinReach how far into it the joining "or" may sit.
const (
	maxListTail   = 10
	listJoinReach = 3
)

// listTail reports whether the piece after the comma at j closes a list
// ("…, a broker or event sourcing", "no queue, stream or background
// worker between the two writes"): its last items are joined by "or",
// "nor" or "and" near its start, and no verb comes before the item after
// the join.
func listTail(toks []token, j int) bool {
	k := j + 1
	for k < len(toks) && !toks[k].softBefore && !clauseWords[toks[k].word] {
		k++
	}
	if k-j > maxListTail {
		return false
	}
	for c := j; c < k && c-j <= listJoinReach; c++ {
		if w := toks[c].word; w == "or" || w == "nor" || w == "and" {
			return !hasVerb(toks[j:min(k, c+2)])
		}
	}
	return false
}

// restatement reports whether a bracket opening at toks[0] renames the
// phrase before it ("(rolling back Postgres)", "(i.e. a 2PC)") rather than
// saying something of its own ("(it reads Redis only)").
func restatement(toks []token) bool {
	w := toks[0].word
	switch w {
	case "ie", "eg", "i", "e", "aka", "meaning", "that":
		return true
	}
	return strings.HasSuffix(w, "ing") && len(w) > 5
}

// inCondition reports whether the negator at n sits in a clause opened by a
// condition word ("if", "when", …) with no comma or clause word between.
func inCondition(toks []token, n int) bool {
	for j := n - 1; j >= 0; j-- {
		if conditionWords[toks[j].word] {
			return true
		}
		if toks[j].softBefore || scopeEnders[toks[j].word] || clauseWords[toks[j].word] {
			return false
		}
	}
	return false
}

// mainClauseSubjects are the lesson's actors (and the pronouns standing for
// them: "whenever a post is not there it turns to PostgreSQL"), which start the main clause
// after a condition that a hurried writer left without its comma.
var mainClauseSubjects = set("getfeed createpost reconciler relay repairer service handler api app application it they")

// pairSubjects start the main clause after a fronted "instead of …" or
// "rather than …" left without its comma.
var pairSubjects = set("you we they")

// negation is what negationScope found in one sentence: the tokens inside a
// negation, and the negators that deny a relation between two things ("Redis
// is not touched before PostgreSQL commits" denies "Redis before
// PostgreSQL", though neither word is itself negated).
type negation struct {
	in      []bool
	by      []int // for each token in a negation, the negator that reaches it
	linking []int
}
