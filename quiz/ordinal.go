package quiz

// "First" orders the two writes only when it says which store is written
// first. It also counts attempts ("a retried ZADD whose first attempt
// reached Redis") and ranks posts in the feed ("after the ZADD, GetFeed
// shows the new post first", "newest first"); read as order, those correct
// sentences were flagged as the Redis-first misconception. placeFirsts
// marks such a "first" as not asserted, so no claim about order holds on it.

// countedNouns follow a "first" that numbers attempts or positions, not
// the order of the writes.
var countedNouns = set("attempt attempts try tries retry retries page pages few batch result results entry entries item items element elements position place rank slot slots 10 20 50 100 n k couple handful")

// rankWords put a post in the feed's order; a "first" they reach within
// its clause ranks the post ("shows the new post first", "sorted newest
// first", "it is listed first").
var rankWords = set("show shows showing shown appear appears appearing appeared listed rank ranks ranked sorted display displays displayed newest latest recent")

// rankStops end a rank word's reach: a store's place ("appears in Redis
// first") is order, not rank.
var rankStops = set("in into to on from at of before after then is are was goes go")

// absences say, in the clause of a "first", that a store does not have the
// post yet ("at first Redis has nothing new", "initially the feed still
// shows the old posts", "at first Redis only looks slow"): a state before
// the write, not a store written first. A bare "not" is not one of them:
// "Redis first and not Postgres" is still an order.
var absences = phraseList(`has nothing|has no|holds nothing|holds no|is empty|is unchanged|unchanged|still has|still shows|still holds|
nothing new|the old|the previous|old feed|is stale|stale|does not have|lacks|is missing|is behind|looks slow|is slow|seems slow|just slow`)

// maxRankReach is how many words back from "first" a rank word may be.
const maxRankReach = 4

func placeFirsts(sents []sentence, heard [][]bool) {
	for si, s := range sents {
		toks := s.tokens
		for i, t := range toks {
			if t.word != "first" {
				continue
			}
			if i+1 < len(toks) && !toks[i+1].softBefore && countedNouns[toks[i+1].word] {
				heard[si][i] = true
				continue
			}
			if absentInClause(toks, i) {
				heard[si][i] = true
				continue
			}
			for j := i - 1; j >= 0 && i-j <= maxRankReach; j-- {
				if rankWords[toks[j].word] {
					heard[si][i] = true
					break
				}
				if rankStops[toks[j].word] || toks[j+1].softBefore || clauseWords[toks[j].word] {
					break
				}
			}
		}
	}
}

// absenceStops end the reach of a "first" towards an absence: a new
// conjunct or another store may be what lacks the post ("Redis gets it
// first and Postgres still has the old rows" is an order).
var absenceStops = set("and or while postgres postgresql pg postgre psql database db sql")

// absentInClause reports whether the clause holding token i says a store
// lacks the post (one of absences), from i to the clause's end or a stop.
func absentInClause(toks []token, i int) bool {
	for j := i + 1; j < len(toks); j++ {
		if toks[j].softBefore || clauseWords[toks[j].word] || absenceStops[toks[j].word] {
			return false
		}
		if matchAny(absences, toks, j) > 0 {
			return true
		}
	}
	return false
}
