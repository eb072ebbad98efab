package quiz

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is one word of an answer, normalised for matching but remembering
// where it came from so feedback can quote the learner's own sentence.
type token struct {
	word       string // lower case, contractions expanded ("isn't" gives "is", "not")
	stem       string // word with common endings removed
	start, end int    // byte offsets in the original answer
	softBefore bool   // a comma, colon, dash or bracket came just before it
	mark       rune   // that punctuation, when softBefore: '(' tells an aside from a pause
	arrow      bool   // an arrow, read as "then"
	known      bool   // a word of the lexicon, so never a typo of another
	carried    bool   // not the learner's: a step's subject carried into its note (see carrySubjects)
}

// sentence is a run of tokens between hard boundaries (. ! ? ; new line).
// Claims must hold inside one sentence; negation reaches only to the next
// soft boundary.
type sentence struct {
	tokens     []token
	start, end int
}

// split breaks an answer into sentences of tokens. It is deliberately
// forgiving: no capitals, no punctuation and odd spacing all give the same
// tokens as tidy prose.
func split(text string) []sentence {
	var (
		out   []sentence
		cur   sentence
		word  strings.Builder
		ws    int // start of the word being built
		soft  bool
		mark  rune // the punctuation that made soft
		qa    = -1 // the new line that an "A:" answer to the line's question follows
		lines barLines
	)
	cur.start = -1
	shouting := mostlyUpper(text)
	flushWord := func(end int) {
		if word.Len() == 0 {
			return
		}
		if text[ws:end] == "WAIT" && !shouting {
			// Redis's WAIT command, not waiting: see waitCommand.
			word.Reset()
			word.WriteString(waitCommand)
		}
		for i, w := range expand(word.String()) {
			t := token{word: w, stem: stem(w), start: ws, end: end, softBefore: soft && i == 0}
			if t.softBefore {
				t.mark = mark
			}
			if cur.start < 0 {
				cur.start = ws
			}
			cur.tokens = append(cur.tokens, t)
			cur.end = end
		}
		soft = false
		word.Reset()
	}
	flushSentence := func() {
		if len(cur.tokens) > 0 {
			out = append(out, cur)
		}
		cur = sentence{start: -1}
		soft = false
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		next, _ := utf8.DecodeRuneInString(text[i+size:])
		prev, _ := utf8.DecodeLastRuneInString(text[:i])
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if word.Len() == 0 {
				ws = i
			}
			word.WriteRune(unicode.ToLower(r))
		case (r == '\'' || r == '’') && word.Len() > 0 && unicode.IsLetter(next):
			word.WriteRune('\'')
		case r == '.' && unicode.IsDigit(prev) && unicode.IsDigit(next) && word.Len() > 0:
			word.WriteRune('.')
		case (r == '.' || r == ')') && listMarker(cur, word.String(), r):
			flushWord(i) // "1." or "2)" starting a step: part of the step
			soft = true
		case r == '?' && word.Len() > 0 && lowerOnLine(text[i+size:]):
			// "fails? return err": a one-line note asks its case and
			// answers it in lower case on the same line, as "if it
			// fails, return err" would; a question that ends a sentence is
			// followed by a capital or a new line.
			flushWord(i)
			if !soft {
				mark = r
			}
			soft = true
		case r == '?' && word.Len() > 0 && cur.start >= 0 && asksAndAnswers(text, cur.start, i+size, len(cur.tokens)):
			// "What commits first? Postgres.": a line that asks its own
			// question and answers it states one idea, as "Postgres
			// commits first" would (see asksAndAnswers).
			flushWord(i)
			if !soft {
				mark = r
			}
			soft = true
			if nl := strings.IndexByte(text[i:], '\n'); nl >= 0 && strings.TrimSpace(text[i+size:i+nl]) == "" {
				qa = i + nl
			}
		case (r == ';' || r == '.') && lines.onBarLine(text, i) && !(r == '.' && unicode.IsDigit(next)):
			flushWord(i) // a stop inside a table's cell: see onBarLine
			if !soft {
				mark = r
			}
			soft = true
		case r == '.' || r == '!' || r == '?':
			flushWord(i)
			if r == '.' && prev == '.' && ellipsisGoesOn(text[i+size:]) {
				// "INSERT INTO posts ... on PostgreSQL", "(timeout,
				// OOM...): log it": an ellipsis that the line goes on
				// from elides, it does not end the sentence.
				break
			}
			if next == utf8.RuneError || unicode.IsSpace(next) || strings.ContainsRune(`"')]`, next) {
				flushSentence()
			}
		case r == '\n' && i == qa:
			flushWord(i) // the question's own answer ("Q: … ?" then "A: …") follows
			if !soft {
				mark = '?'
			}
			soft = true
		case r == ';' || r == '\n' || r == '•':
			flushWord(i)
			flushSentence()
		case r == '-' && (unicode.IsLetter(prev) || unicode.IsDigit(prev)) && (unicode.IsLetter(next) || unicode.IsDigit(next)):
			flushWord(i) // read-only, in-flight: two words, no pause
		case strings.ContainsRune(",:()[]—–-|", r):
			flushWord(i)
			if !soft || r == '(' || r == '[' {
				mark = r
			}
			soft = true
		case r == '=' && next != '>' && next != '=' && !strings.ContainsRune("=!<>", prev) && letterAfter(text[i+size:]):
			// "archive = PostgreSQL": an equals sign before a word maps
			// one thing to another, so it is a word ("equals") that an
			// analogy's mapping can read; in arithmetic ("= 25") it is
			// dropped like other symbols.
			flushWord(i)
			word.WriteString("equals")
			ws = i
			flushWord(i + size)
		case r == '/' && word.String() == "w" && (next == 'o' || next == 'O') && !wordGoesOn(text[i+size+1:]):
			// "w/o": shorthand for without, a negation a misconception
			// must see ("handle it w/o rolling back postgres" rolls
			// nothing back). One token over the three characters.
			word.Reset()
			word.WriteString("without")
			flushWord(i + size + 1)
			i += size + 1
			continue
		case r == '→' || (r == '>' && (prev == '-' || prev == '=')):
			// An arrow relates what is either side of it: read it as "then".
			flushWord(i)
			soft = false
			word.WriteString("then")
			ws = i
			flushWord(i + size)
			cur.tokens[len(cur.tokens)-1].arrow = true
		default:
			flushWord(i)
		}
		i += size
	}
	flushWord(len(text))
	flushSentence()
	markWaitCommands(out)
	return out
}

// waitCommand is the word Redis's WAIT command reads as. "Send WAIT 1 50
// after every ZADD" is a replica's confirmation, not a write waiting: read
// as "wait" it counted as the requests piling up and the latency growing,
// and a wrong answer to the spike prompt passed. Written in capitals (in a
// text that is not all capitals), or as "wait" before two numbers ("wait 1
// 50"), it is the command; the rubric names it with this word.
const waitCommand = "waitcmd"

// markWaitCommands reads "wait 1 50" (lower case, its two arguments after
// it) as the WAIT command.
func markWaitCommands(sents []sentence) {
	for _, s := range sents {
		for i := 0; i+2 < len(s.tokens); i++ {
			if s.tokens[i].word == "wait" && isNumber(s.tokens[i+1].word) && isNumber(s.tokens[i+2].word) {
				s.tokens[i].word, s.tokens[i].stem = waitCommand, waitCommand
			}
		}
	}
}

func isNumber(w string) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		if (w[i] < '0' || w[i] > '9') && w[i] != '.' {
			return false
		}
	}
	return true
}

// mostlyUpper reports whether most of text's letters are capitals: an
// answer typed in capitals says "WAIT" as a word, not as a command.
func mostlyUpper(text string) bool {
	upper, letters := 0, 0
	for _, r := range text {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	return letters > 0 && upper*2 > letters
}

// ellipsisGoesOn reports whether the text after an ellipsis continues its
// sentence: past closing quotes and brackets, a comma, colon or semicolon,
// or a lower-case word on the same line.
func ellipsisGoesOn(s string) bool {
	rest := strings.TrimLeft(s, "\"'”’)]")
	if rest != "" && strings.ContainsRune(",:;", rune(rest[0])) {
		return true
	}
	return lowerOnLine(rest)
}

// lowerOnLine reports whether s goes on, on the same line and after spaces
// only, with a lower-case letter.
func lowerOnLine(s string) bool {
	spaced := false
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t':
			spaced = true
		case unicode.IsLower(r):
			return spaced
		default:
			return false
		}
	}
	return false
}

// maxAskedWords is the longest question read as the label of its answer.
const maxAskedWords = 12

// asksAndAnswers reports whether the question ending at end (its first
// word at from, n words long) is a learner's own question that the same
// line, or a next line labelled "A:", answers: Q&A notes and Socratic
// answers ("Is that where people read it from? No. From Redis.") put the
// subject in the question and the predicate in the answer, and read apart
// neither half says anything. The question must open its line (after a
// bullet or a "Q:" label) and be short, so a question asked mid-paragraph
// still ends its sentence.
func asksAndAnswers(text string, from, end, n int) bool {
	if n > maxAskedWords {
		return false
	}
	lineStart := strings.LastIndexByte(text[:from], '\n') + 1
	lead := strings.TrimSpace(text[lineStart:from])
	lead = strings.TrimSuffix(strings.TrimSuffix(lead, ":"), ".")
	if lead != "" && lead != "Q" && lead != "q" && strings.Trim(lead, "-*•0123456789.)") != "" {
		return false
	}
	rest := text[end:]
	nl := strings.IndexByte(rest, '\n')
	if nl < 0 {
		return strings.TrimSpace(rest) != ""
	}
	if strings.TrimSpace(rest[:nl]) != "" {
		return true
	}
	next := strings.TrimSpace(rest[nl+1:])
	return strings.HasPrefix(next, "A:") || strings.HasPrefix(next, "A.") || strings.HasPrefix(next, "Answer:")
}

// letterAfter reports whether the first non-space rune of s is a letter.
// wordGoesOn reports whether s starts with a letter or a digit: the word
// before it is not over.
func wordGoesOn(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func letterAfter(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) {
			return unicode.IsLetter(r)
		}
	}
	return false
}

// listMarker reports whether word, about to be ended by r ("." or ")"), is a
// step number or letter opening a sentence ("1.", "2)", "b)", "Step 3.")
// rather than the end of one.
func listMarker(cur sentence, word string, r rune) bool {
	if word == "" || len(word) > 2 {
		return false
	}
	if len(cur.tokens) > 1 || len(cur.tokens) == 1 && cur.tokens[0].word != "step" {
		return false
	}
	if len(word) == 1 && word[0] >= 'a' && word[0] <= 'h' {
		return r == ')'
	}
	for _, c := range word {
		if !unicode.IsDigit(c) {
			return false
		}
	}
	return true
}

// expand splits contractions so negation is visible as its own word.
func expand(w string) []string {
	if full, ok := contractions[w]; ok {
		return strings.Fields(full)
	}
	if !strings.Contains(w, "'") {
		return []string{w}
	}
	switch {
	case strings.HasSuffix(w, "n't"):
		base := strings.TrimSuffix(w, "n't")
		switch base {
		case "ca":
			base = "can"
		case "wo":
			base = "will"
		case "sha":
			base = "shall"
		}
		return []string{base, "not"}
	case strings.HasSuffix(w, "'re"):
		return []string{strings.TrimSuffix(w, "'re"), "are"}
	case strings.HasSuffix(w, "'ll"):
		return []string{strings.TrimSuffix(w, "'ll"), "will"}
	case strings.HasSuffix(w, "'ve"):
		return []string{strings.TrimSuffix(w, "'ve"), "have"}
	case strings.HasSuffix(w, "'d"):
		return []string{strings.TrimSuffix(w, "'d"), "would"}
	case strings.HasSuffix(w, "'m"):
		return []string{strings.TrimSuffix(w, "'m"), "am"}
	case strings.HasSuffix(w, "'s"):
		base := strings.TrimSuffix(w, "'s")
		switch base {
		case "it", "that", "there", "what", "here", "he", "she", "who":
			return []string{base, "is"}
		}
		return []string{base} // possessive: the author's feed
	}
	return []string{strings.ReplaceAll(w, "'", "")}
}

// contractions written without the apostrophe, as people type in a hurry.
var contractions = map[string]string{
	"isnt": "is not", "arent": "are not", "wasnt": "was not", "werent": "were not",
	"dont": "do not", "doesnt": "does not", "didnt": "did not",
	"cant": "can not", "cannot": "can not", "couldnt": "could not",
	"wont": "will not", "wouldnt": "would not", "shouldnt": "should not",
	"hasnt": "has not", "havent": "have not", "hadnt": "had not",
	"mustnt": "must not", "neednt": "need not", "aint": "is not",
	"thats": "that is", "theres": "there is", // not "its": usually the possessive
	// Misspelt and texting forms of the same words: "the feed dosnt show
	// it yet cuz feed reads redis only" denies the feed and gives a reason.
	"dosnt": "does not", "dosent": "does not", "doesent": "does not", "didint": "did not", "wasent": "was not",
	"cuz": "because", "coz": "because", "bc": "because", "b4": "before", "thru": "through",
}

// stem strips the endings that matter for matching (plurals, -ed, -ing,
// -ly) and a final e, so "commits", "committed" and "committing" meet at
// "commit", and "write"/"writes"/"writing" at "writ". It is far cruder
// than Porter's stemmer, and only needs to treat the answer and the rubric
// the same way.
func stem(w string) string {
	if len(w) <= 3 || !isAlpha(w) {
		return w
	}
	s := w
	switch {
	case strings.HasSuffix(s, "ies") && len(s) > 4:
		s = s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "ied") && len(s) > 4:
		s = s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "ing") && len(s) > 5:
		s = undouble(s[:len(s)-3])
	case strings.HasSuffix(s, "ed") && len(s) > 4:
		s = undouble(s[:len(s)-2])
	case strings.HasSuffix(s, "ly") && len(s) > 5:
		s = s[:len(s)-2]
	case strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "ss") && !strings.HasSuffix(s, "us") && !strings.HasSuffix(s, "is"):
		s = s[:len(s)-1]
	}
	if len(s) > 3 && strings.HasSuffix(s, "e") {
		s = s[:len(s)-1]
	}
	return s
}

// undouble turns "committ" back into "commit" but leaves "roll" and "pass".
func undouble(s string) string {
	n := len(s)
	if n >= 4 && s[n-1] == s[n-2] && !strings.ContainsRune("lsz", rune(s[n-1])) && !strings.ContainsRune("aeiou", rune(s[n-1])) {
		return s[:n-1]
	}
	return s
}

func isAlpha(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// phrase is one way of saying a concept: a short run of words.
type phrase struct {
	words []string
	stems []string
}

func newPhrase(s string) phrase {
	var p phrase
	for _, sent := range split(s) {
		for _, t := range sent.tokens {
			p.words = append(p.words, t.word)
			p.stems = append(p.stems, t.stem)
		}
	}
	return p
}

// matchAt reports whether p occurs at tokens[i:], and how many tokens it
// covers. A word matches on the same stem or, for long words that are not
// themselves ordinary words, on one typo.
func (p phrase) matchAt(lx lexicon, tokens []token, i int) (int, bool) {
	if i+len(p.words) > len(tokens) {
		return 0, false
	}
	for k := range p.words {
		t := tokens[i+k]
		if t.stem != p.stems[k] && t.word != p.words[k] && (t.known || !lx.typoOf(t.word, p.words[k])) {
			return 0, false
		}
	}
	return len(p.words), true
}
