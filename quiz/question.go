// Package quiz turns the lesson's try-it prompts (the seed's three and
// chapter two's) into practice: a question bank (embedded in package assets), a grader that explains itself,
// and the learner's lab results for the questions about "your own run".
//
// It holds content and logic only. Nothing here draws on a terminal or writes
// files; the TUI, the CLI and package progress do that.
package quiz

// Kind is how a question is answered and graded.
type Kind string

// The kinds of question. Free text is the heart of the quiz (the three try-it
// prompts); the others test the same ideas from a different side, so a
// learner who wrote a vague paragraph meets the idea again in a sharper form.
const (
	FreeText Kind = "free-text" // graded by a rubric of key points
	Ordering Kind = "ordering"  // put steps in order
	Choice   Kind = "choice"    // one correct option; every option explains itself
	Numeric  Kind = "numeric"   // a number within a tolerance
)

// Question is one item of the bank. Which fields matter depends on Kind;
// Validate checks that the right ones are there.
type Question struct {
	ID     string `json:"id"`
	Kind   Kind   `json:"kind"`
	Title  string `json:"title"`  // a few words, for lists and summaries
	Prompt string `json:"prompt"` // what the learner is asked; may hold lab placeholders like {run}

	// PassMark is the score (0 to 1) that counts as passed; 0 means the
	// bank's default.
	PassMark float64 `json:"passMark,omitempty"`

	// Hint nudges without giving the answer away; Explanation is the full
	// reveal. Free-text questions have per-point hints instead, and a
	// ModelAnswer.
	Hint        string `json:"hint,omitempty"`
	Explanation string `json:"explanation,omitempty"`

	Rubric      *Rubric  `json:"rubric,omitempty"`      // FreeText
	ModelAnswer string   `json:"modelAnswer,omitempty"` // FreeText
	FollowUps   []string `json:"followUps,omitempty"`   // FreeText: IDs of questions testing the same ideas another way

	Options []Option `json:"options,omitempty"` // Choice, in the order shown

	Steps []Step   `json:"steps,omitempty"` // Ordering, in the correct order
	Shown []string `json:"shown,omitempty"` // Ordering: step IDs in the (scrambled) order they are first shown

	Number *NumberSpec `json:"number,omitempty"` // Numeric
}

// Option is one choice of a multiple-choice question. Every option carries
// its own explanation, so a wrong pick teaches something specific.
type Option struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	Correct bool   `json:"correct,omitempty"`
	Why     string `json:"why"`
}

// Step is one step of an ordering question. Why says what makes it belong
// where it is; the grader quotes it when the step is out of place.
type Step struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	Why  string `json:"why"`
}

// NumberSpec is the expected answer of a numeric question: a fixed value, or
// a field of the lab run (LabField) when the question is about the learner's
// own results.
type NumberSpec struct {
	Value     float64 `json:"value,omitempty"`
	LabField  string  `json:"labField,omitempty"`
	Tolerance float64 `json:"tolerance,omitempty"` // absolute; 0 means exact
	Unit      string  `json:"unit,omitempty"`
}

// UsesLab reports whether the question reads the learner's lab results.
func (q *Question) UsesLab() bool { return q.Number != nil && q.Number.LabField != "" }

// Rubric grades a free-text answer: key points to find (positive weight),
// misconceptions to catch (negative weight), and groups of points an answer
// must touch to pass at all.
type Rubric struct {
	Points   []Point       `json:"points"`
	Requires []Requirement `json:"requires,omitempty"`

	// OutOf is the weight that earns full marks; 0 means the sum of the key
	// points. A prompt with many right angles ("which failure modes, and how
	// would you handle them") sets it lower, so a sound answer need not name
	// every one.
	OutOf float64 `json:"outOf,omitempty"`
}

// Point is one key idea (Weight > 0) or one misconception (Weight < 0). It is
// found when any of its claims holds in the answer.
type Point struct {
	ID      string  `json:"id"`
	Summary string  `json:"summary"` // the idea in one line, shown once found or revealed
	Weight  float64 `json:"weight"`
	Claims  []Claim `json:"claims"`

	Found  string `json:"found"`            // feedback when found (for a misconception: why it is wrong)
	Hint   string `json:"hint,omitempty"`   // when missed: a nudge that does not give it away
	Missed string `json:"missed,omitempty"` // when missed, on reveal: the full explanation

	// BlocksPass marks a misconception serious enough that an answer
	// holding it cannot pass, however much else it gets right.
	BlocksPass bool `json:"blocksPass,omitempty"`
}

// Misconception reports whether the point is a wrong idea to catch.
func (p Point) Misconception() bool { return p.Weight < 0 }

// Claim is a statement made of terms that must all occur close together in
// one sentence, in any order unless Ordered. A term is a concept name
// ("@pg") or literal phrases separated by "|" ("same request|same call").
//
// Polarity says how negation counts: "positive" (the default) holds only when
// no term is negated ("Redis is the source of truth"), "negative" holds only
// when one is ("Redis is not the source of truth"), "any" ignores negation.
type Claim struct {
	Terms    []string `json:"terms"`
	Polarity string   `json:"polarity,omitempty"`
	Ordered  bool     `json:"ordered,omitempty"`
	Window   int      `json:"window,omitempty"` // most tokens from first to last term; 0 means DefaultWindow

	// Clause keeps every term inside one clause (no comma, colon or dash
	// between them). Negative claims about which store is the truth need it:
	// "PostgreSQL isn't the source of truth - Redis is" must not read as
	// "Redis is not the source of truth". A misconception's claim is held
	// to one clause unless it says "clause": false: a wrong idea stated
	// across a relative clause ("send WAIT after each ZADD, which
	// guarantees the write") is still stated.
	Clause *bool `json:"clause,omitempty"`

	// Unless names terms that void the claim when they occur anywhere in the
	// same sentence: "if it fails, the error is returned" describes the
	// PostgreSQL step only when the sentence is not about Redis.
	Unless []string `json:"unless,omitempty"`

	// UnlessInClause names terms that void the claim only inside the
	// clauses its terms sit in: "deletes the row, so no post is missing
	// from the feed" deletes from PostgreSQL, though "from the feed" voids
	// a delete that is a ZREM.
	UnlessInClause []string `json:"unlessInClause,omitempty"`

	// NotBetween names terms that void the claim when they sit between its
	// first and last term: "first ... ZADD" says Redis goes first, but not
	// in "PostgreSQL commits first, then ZADD".
	NotBetween []string `json:"notBetween,omitempty"`

	// Steps reads the claim from the order of an answer's steps (bullets,
	// numbered lines, timeline entries) rather than from one sentence: it
	// holds when a step leading with the first term comes before a step
	// leading with the second, and no earlier step leads with the second.
	// With names words a step's lead must also hold to count (a write,
	// not "Postgres is the source of truth"); Unless voids a step's lead.
	// "- INSERT into Postgres / - ZADD the item" orders the two writes
	// without a "first" or "then" anywhere.
	Steps bool     `json:"steps,omitempty"`
	With  []string `json:"with,omitempty"`
}

// Claim polarities.
const (
	Positive = "positive"
	Negative = "negative"
	AnyPolar = "any"
)

// DefaultWindow is how many tokens a claim may span: about a clause. Wider
// windows start matching terms that belong to different ideas.
const DefaultWindow = 12

// Requirement names points of which at least Min must be found for the
// answer to pass; Missing says what the answer lacks when it is not met.
type Requirement struct {
	Points  []string `json:"points"`
	Min     int      `json:"min"`
	Missing string   `json:"missing"`

	// Cost is what missing the requirement takes off the score (0 means
	// DefaultRequirementCost). It lowers the score rather than capping it:
	// a strong answer worded in a way the rubric did not foresee still
	// passes, or, when the cost alone takes it below the pass mark, is sent
	// to an instructor (not passed until a person decides) instead of
	// being failed outright.
	Cost float64 `json:"cost,omitempty"`

	// Topic, when set, lists words that any attempt at this part of the
	// question uses (for the read path: GetFeed, reader, sees, stale...).
	// A missed requirement whose topic no sentence mentions was not
	// attempted at all, rather than worded in a way the rubric did not
	// foresee: there is nothing for an instructor to settle, so the answer
	// fails with the requirement's note as the hint, whatever the rest
	// scores. Without a topic, a missed requirement only costs Cost.
	Topic []string `json:"topic,omitempty"`
}

// DefaultRequirementCost is what a missed requirement costs by default.
const DefaultRequirementCost = 0.1

// Section is one try-it prompt with its follow-up questions. The quiz is
// taken section by section, and the summary scores each one.
type Section struct {
	Prompt    *Question   `json:"-"`
	Questions []*Question `json:"-"` // the prompt first, then its follow-ups
}
