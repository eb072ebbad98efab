package quiz

// Result is a graded answer, explained: what was found and where, what was
// missed with a hint and the full explanation, and why the score is what it
// is. The UI shows hints first and the rest on request; the CLI prints all.
type Result struct {
	QuestionID string  `json:"question"`
	Kind       Kind    `json:"kind"`
	Score      float64 `json:"score"` // 0 to 1
	Passed     bool    `json:"passed"`
	PassMark   float64 `json:"passMark"`

	// NeedsReview asks for an instructor: the answer is not in English, or
	// it reaches the pass mark on its other points while missing one the
	// rubric requires (said in words the rubric did not foresee, or not
	// said at all). A grader that reads words cannot settle those alone,
	// so the screen says "an instructor should look at this" and the export
	// carries it.
	//
	// The rule, for the screen, `quiz grade --json` and `quiz export`
	// alike: NeedsReview and Passed are never both true. A student is never
	// told "passed" for an answer the grader says needs a person; until the
	// instructor decides, the answer counts as not passed. An answer that
	// passes while missing a required point it visibly addressed is not
	// sent for review; its notes say what to add.
	NeedsReview bool `json:"needs_review"`

	Found          []Finding `json:"found"`
	Missed         []Finding `json:"missed"`
	Misconceptions []Finding `json:"misconceptions,omitempty"`
	Notes          []string  `json:"notes,omitempty"` // why the score was capped, or what to do next
	KeywordList    bool      `json:"keywordList,omitempty"`
	Reveal         string    `json:"reveal,omitempty"`    // model answer or full explanation
	LabSource      string    `json:"labSource,omitempty"` // which lab run a lab question used
}

// Finding is one key point (or option, step, value) as it went in this answer.
type Finding struct {
	ID       string  `json:"id"`
	Summary  string  `json:"summary"`
	Weight   float64 `json:"weight,omitempty"`
	Evidence string  `json:"evidence,omitempty"` // the learner's own words that earned or cost it
	Feedback string  `json:"feedback"`           // found: why it matters; missed: the full explanation
	Hint     string  `json:"hint,omitempty"`     // missed: a nudge that keeps the answer hidden

	// Quote and Sentence say where a free-text point was earned (or a
	// misconception triggered): the learner's words, and the 0-based index
	// of the sentence they come from, so a screen can point at it. Both are
	// absent for missed points.
	Quote    string `json:"quote,omitempty"`
	Sentence *int   `json:"sentence_index,omitempty"`
}

// FoundIDs lists the IDs of the key points found.
func (r Result) FoundIDs() []string { return ids(r.Found) }

// MissedIDs lists the IDs of the key points missed.
func (r Result) MissedIDs() []string { return ids(r.Missed) }

// MisconceptionIDs lists the IDs of the misconceptions caught.
func (r Result) MisconceptionIDs() []string { return ids(r.Misconceptions) }

func ids(fs []Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}
