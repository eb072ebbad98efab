package quiz

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// ErrUnknownQuestion is returned for an ID the bank does not have.
var ErrUnknownQuestion = errors.New("unknown question")

// AnswerError says why an answer could not be read (a letter out of range,
// no number); it is the learner's to fix, not a failed grade.
type AnswerError struct{ Msg string }

func (e *AnswerError) Error() string { return e.Msg }

func badAnswer(format string, a ...any) error { return &AnswerError{Msg: fmt.Sprintf(format, a...)} }

// PromptText is the question as the learner reads it, with lab values filled
// in from run.
func (q *Question) PromptText(run LabRun) string { return run.Fill(q.Prompt) }

// Grade grades answer to the question id. run supplies the numbers for
// questions about the learner's lab results.
func (b *Bank) Grade(id, answer string, run LabRun) (Result, error) {
	q, ok := b.byID[id]
	if !ok {
		return Result{}, fmt.Errorf("%w %q (known: %s)", ErrUnknownQuestion, id, strings.Join(b.IDs(), ", "))
	}
	pass := b.PassMarkOf(q)
	var (
		res Result
		err error
	)
	switch q.Kind {
	case FreeText:
		res = b.rubrics[q.ID].grade(answer, q.PromptText(run), pass)
		res.Reveal = q.ModelAnswer
	case Choice:
		res, err = gradeChoice(q, answer)
	case Ordering:
		res, err = gradeOrdering(q, answer, pass)
	case Numeric:
		res, err = gradeNumber(q, answer, run)
	}
	if err != nil {
		return Result{}, err
	}
	res.QuestionID, res.Kind, res.PassMark = q.ID, q.Kind, pass
	if q.Kind != FreeText {
		res.Passed = res.Score >= pass
	}
	if res.NeedsReview {
		res.Passed = false // a person decides; see Result.NeedsReview
	}
	if q.UsesLab() {
		res.LabSource = run.Source
	}
	return res, nil
}

// Letter is how option or step i is labelled on screen: a, b, c...
func Letter(i int) string { return string(rune('a' + i)) }

func gradeChoice(q *Question, answer string) (Result, error) {
	a := strings.Trim(strings.ToLower(strings.TrimSpace(answer)), "().")
	pick := -1
	for i, o := range q.Options {
		if a == Letter(i) || a == strings.ToLower(o.ID) || a == strings.ToLower(strings.TrimSpace(o.Text)) {
			pick = i
		}
	}
	if pick < 0 {
		return Result{}, badAnswer("answer with one letter, a to %s", Letter(len(q.Options)-1))
	}
	res := Result{Found: []Finding{}, Missed: []Finding{}}
	var reveal strings.Builder
	reveal.WriteString(q.Explanation + "\n")
	for i, o := range q.Options {
		mark := "✗"
		if o.Correct {
			mark = "✓"
		}
		fmt.Fprintf(&reveal, "\n%s %s) %s — %s", mark, Letter(i), o.Text, o.Why)
	}
	res.Reveal = reveal.String()
	chosen := q.Options[pick]
	if chosen.Correct {
		res.Score = 1
		res.Found = append(res.Found, Finding{ID: chosen.ID, Summary: chosen.Text, Feedback: chosen.Why})
		return res, nil
	}
	res.Misconceptions = append(res.Misconceptions, Finding{ID: chosen.ID, Summary: chosen.Text, Evidence: "you chose " + Letter(pick), Feedback: chosen.Why})
	for _, o := range q.Options {
		if o.Correct {
			res.Missed = append(res.Missed, Finding{ID: o.ID, Summary: o.Text, Hint: q.Hint, Feedback: o.Why})
		}
	}
	return res, nil
}

// ParseOrder reads an ordering answer: letters as shown (c a b), step IDs,
// or numbers as shown (3 1 2), separated by spaces, commas or arrows.
func ParseOrder(q *Question, answer string) ([]string, error) {
	fields := strings.FieldsFunc(strings.ToLower(answer), func(r rune) bool {
		return r == ' ' || r == ',' || r == '\n' || r == '\t' || r == '>' || r == ';' || r == '→'
	})
	byID := map[string]bool{}
	for _, s := range q.Steps {
		byID[s.ID] = true
	}
	var order []string
	seen := map[string]bool{}
	for _, f := range fields {
		f = strings.Trim(f, "-().")
		if f == "" {
			continue
		}
		id := ""
		switch {
		case byID[f]:
			id = f
		case len(f) == 1 && f[0] >= 'a' && int(f[0]-'a') < len(q.Shown):
			id = q.Shown[f[0]-'a']
		default:
			if n, err := strconv.Atoi(f); err == nil && n >= 1 && n <= len(q.Shown) {
				id = q.Shown[n-1]
			}
		}
		if id == "" {
			return nil, badAnswer("%q is not one of the steps: use the letters a to %s", f, Letter(len(q.Shown)-1))
		}
		if seen[id] {
			return nil, badAnswer("step %q is listed twice", f)
		}
		seen[id] = true
		order = append(order, id)
	}
	if len(order) != len(q.Steps) {
		return nil, badAnswer("list all %d steps, e.g. %q", len(q.Steps), strings.Join(letters(len(q.Steps)), " "))
	}
	return order, nil
}

func letters(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = Letter(i)
	}
	return out
}

// gradeOrdering scores the share of step pairs in the right relative order,
// so one slip costs a little and a reversed flow costs everything. A step
// counts as placed when it follows the step it should follow.
func gradeOrdering(q *Question, answer string, pass float64) (Result, error) {
	order, err := ParseOrder(q, answer)
	if err != nil {
		return Result{}, err
	}
	rank := map[string]int{}
	for i, s := range q.Steps {
		rank[s.ID] = i
	}
	pairs, good := 0, 0
	for i := range order {
		for j := i + 1; j < len(order); j++ {
			pairs++
			if rank[order[i]] < rank[order[j]] {
				good++
			}
		}
	}
	res := Result{Found: []Finding{}, Missed: []Finding{}, Score: math.Round(float64(good)/float64(pairs)*100) / 100}
	pos := map[string]int{}
	for i, id := range order {
		pos[id] = i
	}
	for i, s := range q.Steps {
		placed := (i == 0 && pos[s.ID] == 0) || (i > 0 && pos[s.ID] > 0 && order[pos[s.ID]-1] == q.Steps[i-1].ID)
		if placed {
			res.Found = append(res.Found, Finding{ID: s.ID, Summary: s.Text, Feedback: s.Why, Evidence: fmt.Sprintf("you put it at step %d", pos[s.ID]+1)})
			continue
		}
		var hint string
		switch {
		case i == 0:
			hint = "It comes earlier: everything else depends on it."
		case pos[s.ID] > i:
			hint = "It runs earlier than that. What must already be true before it, and no more?"
		case pos[s.ID] < i:
			hint = "It runs later than that. What has to happen before it can?"
		default:
			hint = "The right place, but the step before it is not the one it follows."
		}
		res.Missed = append(res.Missed, Finding{ID: s.ID, Summary: s.Text, Evidence: fmt.Sprintf("you put it at step %d", pos[s.ID]+1), Hint: hint, Feedback: fmt.Sprintf("It is step %d. %s", i+1, s.Why)})
	}
	var reveal strings.Builder
	reveal.WriteString(q.Explanation + "\n")
	for i, s := range q.Steps {
		fmt.Fprintf(&reveal, "\n%d. %s — %s", i+1, s.Text, s.Why)
	}
	res.Reveal = reveal.String()
	if res.Score < pass {
		res.Notes = append(res.Notes, fmt.Sprintf("%d of %d pairs of steps are in the right order.", good, pairs))
	}
	return res, nil
}

var number = regexp.MustCompile(`[-+]?\d+(?:[.,]\d+)?`)

// Expected is the right answer to a numeric question, from the run when the
// question is about the learner's lab results.
func (q *Question) Expected(run LabRun) float64 {
	if q.Number.LabField != "" {
		return labFields[q.Number.LabField](run)
	}
	return q.Number.Value
}

func gradeNumber(q *Question, answer string, run LabRun) (Result, error) {
	m := number.FindString(answer)
	if m == "" {
		return Result{}, badAnswer("answer with a number (in %s)", unitOr(q.Number.Unit, "the unit asked for"))
	}
	got, err := strconv.ParseFloat(strings.ReplaceAll(m, ",", "."), 64)
	if err != nil {
		return Result{}, badAnswer("%q is not a number", m)
	}
	want := q.Expected(run)
	res := Result{Found: []Finding{}, Missed: []Finding{}, Reveal: run.Fill(q.Explanation)}
	value := strconv.FormatFloat(want, 'f', -1, 64) + unitSuffix(q.Number.Unit)
	f := Finding{ID: "value", Summary: value, Evidence: "you answered " + m + unitSuffix(q.Number.Unit), Feedback: run.Fill(q.Explanation)}
	if math.Abs(got-want) <= q.Number.Tolerance+1e-9 {
		res.Score = 1
		res.Found = append(res.Found, f)
		return res, nil
	}
	f.Summary = "the expected value"
	f.Hint = run.Fill(q.Hint)
	if got > want {
		f.Hint = "Too high. " + f.Hint
	} else {
		f.Hint = "Too low. " + f.Hint
	}
	res.Missed = append(res.Missed, f)
	return res, nil
}

func unitOr(u, alt string) string {
	if u == "" {
		return alt
	}
	return u
}

func unitSuffix(u string) string {
	if u == "" {
		return ""
	}
	return " " + u
}
