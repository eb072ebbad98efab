package quiz

// lexicon is the set of words the grader knows to be real words: the
// rubric's own vocabulary plus common English. A known word is never read as
// a misspelling of another ("state" is not a typo of "stale", nor "scale").
type lexicon map[string]bool

// MinTypoLength is the shortest word that may be matched with one typo.
// Shorter words are too close to each other ("read"/"reds", "pool"/"poll").
const MinTypoLength = 5

// typoOf reports whether got is plausibly want misspelt: both long enough,
// got not a word in its own right, and one edit apart (an insertion,
// deletion, substitution, or two neighbours swapped as in "frist").
func (lx lexicon) typoOf(got, want string) bool {
	d := len(got) - len(want)
	if len(got) < MinTypoLength || len(want) < MinTypoLength || d > 1 || d < -1 || lx[got] {
		return false
	}
	// One edit leaves one of the first two letters where it was, or moves
	// it by one: a cheap test that spares most pairs the full alignment,
	// which grading runs for every unknown word against every phrase.
	if got[0] != want[0] && got[1] != want[1] && got[0] != want[1] && got[1] != want[0] {
		return false
	}
	return editDistance(got, want, 1) <= 1
}

// editDistance is the optimal-string-alignment distance between a and b
// (Levenshtein plus adjacent transpositions), giving up once it must exceed
// limit. Twenty lines here instead of a dependency, because transpositions
// matter for typing slips and agnivade/levenshtein does not count them.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
