// Package progress keeps what a learner has done (lessons reached, quiz
// answers and scores) in one small JSON file in the state directory, so a
// learner can quit at any moment and carry on later.
//
// The file is the learner's, and losing it would be worse than any error:
// writes are atomic (a temporary file in the same folder, synced, then
// renamed over the old one), a damaged file is set aside as a backup rather
// than overwritten, and a folder that cannot be written leaves the learner
// working in memory with a notice instead of a crash.
package progress

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// Version is the file format written. A file with a higher version came from
// a newer cqrslab and is left untouched.
const Version = 1

// MaxAttempts is how many attempts are kept per question; older ones are
// dropped so a learner retrying all afternoon does not grow the file forever.
const MaxAttempts = 20

// MaxAnswerBytes is the longest answer kept; anything longer is cut.
const MaxAnswerBytes = 16 << 10

// Progress is everything remembered about one learner. Its methods change
// it in memory; Store.Save writes it. It is not safe for concurrent use:
// the TUI owns one and hands copies (Clone) to the goroutine that saves.
type Progress struct {
	Version int `json:"version"`
	// Learner is the name the learner gave (--learner), so a class's
	// exports can be merged into one table by person.
	Learner string            `json:"learner,omitempty"`
	Lessons map[string]Lesson `json:"lessons,omitempty"`
	Quiz    Quiz              `json:"quiz"`

	seq uint64 // bumped by every change, so a stale copy never overwrites a newer one
}

// Lesson is how far a learner got in one lesson.
type Lesson struct {
	// Page is the ID of the page the learner was on (lessons' Page.ID),
	// so that a page added to the lesson does not move anyone's bookmark.
	Page string `json:"page,omitempty"`
	// Step is the page's index. Files written before Page existed hold
	// only this; MigrateLesson reads it once to find the page. It is still
	// written, so an older cqrslab reading the file lands near the page.
	Step      int       `json:"step"`
	Done      bool      `json:"done,omitempty"`
	UpdatedAt time.Time `json:"updatedAt"`
	// Claims are the lesson's claims the learner has seen shown live on
	// their own lab, by the claim's key, with what was measured and when,
	// so the checklist greets a returning learner with what they already
	// saw. Files written before it have none: nothing met yet.
	Claims map[string]Claim `json:"claims,omitempty"`
}

// Claim is one claim met: the numbers measured when it was shown.
type Claim struct {
	Evidence string    `json:"evidence"`
	At       time.Time `json:"at"`
}

// MaxEvidenceBytes bounds one claim's evidence (a sentence of numbers).
const MaxEvidenceBytes = 2 << 10

// Quiz is the learner's place in the quiz and every question's history.
type Quiz struct {
	Current   string               `json:"current,omitempty"` // the question the learner was on
	Questions map[string]*Question `json:"questions,omitempty"`
}

// Question is one question's history.
type Question struct {
	Attempts []Attempt `json:"attempts,omitempty"`
	Revealed bool      `json:"revealed,omitempty"` // the learner asked for the model answer
	// Draft is an answer being written and not yet submitted, so quitting
	// in the middle of a sentence loses nothing.
	Draft string `json:"draft,omitempty"`
}

// Attempt is one graded answer, kept as given so it can be reviewed and
// regraded, with the grade it got at the time.
type Attempt struct {
	At             time.Time `json:"at"`
	Answer         string    `json:"answer"`
	Score          float64   `json:"score"`
	Passed         bool      `json:"passed"`
	Found          []string  `json:"found,omitempty"`
	Missed         []string  `json:"missed,omitempty"`
	Misconceptions []string  `json:"misconceptions,omitempty"`
	LabSource      string    `json:"labSource,omitempty"`
	// NeedsReview marks a grade a person should look at (the grader was
	// unsure); exports carry it so an instructor reads those answers.
	NeedsReview bool `json:"needsReview,omitempty"`
}

// SetLearner records the learner's name.
func (p *Progress) SetLearner(name string) {
	if p.Learner != name {
		p.Learner = name
		p.changed()
	}
}

// New is an empty record.
func New() *Progress { return &Progress{Version: Version} }

func (p *Progress) changed() { p.seq++ }

func (p *Progress) question(id string) *Question {
	if p.Quiz.Questions == nil {
		p.Quiz.Questions = map[string]*Question{}
	}
	q := p.Quiz.Questions[id]
	if q == nil {
		q = &Question{}
		p.Quiz.Questions[id] = q
	}
	return q
}

// Record adds a graded attempt and makes its question the current one.
func (p *Progress) Record(id string, a Attempt) {
	if len(a.Answer) > MaxAnswerBytes {
		a.Answer = a.Answer[:MaxAnswerBytes]
	}
	q := p.question(id)
	q.Attempts = append(q.Attempts, a)
	q.Draft = ""
	if n := len(q.Attempts); n > MaxAttempts {
		q.Attempts = slices.Clone(q.Attempts[n-MaxAttempts:])
	}
	p.Quiz.Current = id
	p.changed()
}

// SetDraft keeps an unsubmitted answer (cut to MaxAnswerBytes); an empty
// or blank one forgets the draft.
func (p *Progress) SetDraft(id, text string) {
	if strings.TrimSpace(text) == "" {
		text = ""
	}
	if len(text) > MaxAnswerBytes {
		text = strings.ToValidUTF8(text[:MaxAnswerBytes], "")
	}
	q := p.Quiz.Questions[id]
	if (q == nil && text == "") || (q != nil && q.Draft == text) {
		return
	}
	p.question(id).Draft = text
	p.changed()
}

// Drafts are the unsubmitted answers, by question.
func (p *Progress) Drafts() map[string]string {
	out := map[string]string{}
	for id, q := range p.Quiz.Questions {
		if q.Draft != "" {
			out[id] = q.Draft
		}
	}
	return out
}

// SetCurrent remembers which question the learner is on.
func (p *Progress) SetCurrent(id string) {
	if p.Quiz.Current != id {
		p.Quiz.Current = id
		p.changed()
	}
}

// Reveal notes that the learner asked for the full answer (an instructor
// reading the export may want to know).
func (p *Progress) Reveal(id string) {
	if q := p.question(id); !q.Revealed {
		q.Revealed = true
		p.changed()
	}
}

// Last is the most recent attempt at a question.
func (p *Progress) Last(id string) (Attempt, bool) {
	q := p.Quiz.Questions[id]
	if q == nil || len(q.Attempts) == 0 {
		return Attempt{}, false
	}
	return q.Attempts[len(q.Attempts)-1], true
}

// Best is the best score at a question, whether it was ever passed, and
// how many attempts there were.
func (p *Progress) Best(id string) (best float64, passed bool, attempts int) {
	q := p.Quiz.Questions[id]
	if q == nil {
		return 0, false, 0
	}
	for _, a := range q.Attempts {
		best = max(best, a.Score)
		passed = passed || a.Passed
	}
	return best, passed, len(q.Attempts)
}

// Attempts returns a question's attempts, oldest first.
func (p *Progress) Attempts(id string) []Attempt {
	if q := p.Quiz.Questions[id]; q != nil {
		return q.Attempts
	}
	return nil
}

// Revealed reports whether the learner asked for the full answer.
func (p *Progress) Revealed(id string) bool {
	q := p.Quiz.Questions[id]
	return q != nil && q.Revealed
}

// ResetQuestion forgets one question's history.
func (p *Progress) ResetQuestion(id string) {
	if _, ok := p.Quiz.Questions[id]; ok {
		delete(p.Quiz.Questions, id)
		p.changed()
	}
}

// ResetQuiz forgets every quiz answer and the place in the quiz.
func (p *Progress) ResetQuiz() {
	p.Quiz = Quiz{}
	p.changed()
}

// ResetAll forgets everything: lessons and quiz.
func (p *Progress) ResetAll() {
	p.Lessons = nil
	p.Quiz = Quiz{}
	p.changed()
}

// SetLesson records how far a learner got in a lesson.
func (p *Progress) SetLesson(id string, step int, done bool, now time.Time) {
	if p.Lessons == nil {
		p.Lessons = map[string]Lesson{}
	}
	p.Lessons[id] = Lesson{Step: step, Done: done, UpdatedAt: now, Claims: p.Lessons[id].Claims}
	p.changed()
}

// SetLessonPage records the page a learner is on by its ID (and its index,
// for older versions of cqrslab).
func (p *Progress) SetLessonPage(id, page string, index int, done bool, now time.Time) {
	if p.Lessons == nil {
		p.Lessons = map[string]Lesson{}
	}
	p.Lessons[id] = Lesson{Page: page, Step: index, Done: done, UpdatedAt: now, Claims: p.Lessons[id].Claims}
	p.changed()
}

// MeetClaim records that a lesson's claim was shown, with its evidence (cut
// to MaxEvidenceBytes); a claim met again keeps the newest numbers.
func (p *Progress) MeetClaim(lesson, key, evidence string, at time.Time) {
	if len(evidence) > MaxEvidenceBytes {
		evidence = strings.ToValidUTF8(evidence[:MaxEvidenceBytes], "")
	}
	if p.Lessons == nil {
		p.Lessons = map[string]Lesson{}
	}
	l := p.Lessons[lesson]
	if c, ok := l.Claims[key]; ok && c.Evidence == evidence && c.At.Equal(at) {
		return
	}
	l.Claims = maps.Clone(l.Claims)
	if l.Claims == nil {
		l.Claims = map[string]Claim{}
	}
	l.Claims[key] = Claim{Evidence: evidence, At: at}
	p.Lessons[lesson] = l
	p.changed()
}

// Claims are the claims of a lesson met so far, by key (nil: none).
func (p *Progress) Claims(lesson string) map[string]Claim {
	return p.Lessons[lesson].Claims
}

// LessonPage finds the learner's page in a lesson whose pages have the
// given IDs, in order: by ID; by the stored index when the file has no ID
// (before MigrateLesson) or names a page the lesson no longer has. ok is
// false when the learner never opened the lesson.
func (p *Progress) LessonPage(id string, pageIDs []string) (index int, ok bool) {
	l, ok := p.Lessons[id]
	if !ok || len(pageIDs) == 0 {
		return 0, ok
	}
	if l.Page != "" {
		if i := slices.Index(pageIDs, l.Page); i >= 0 {
			return i, true
		}
	}
	return max(0, min(l.Step, len(pageIDs)-1)), true
}

// MigrateLesson turns a bookmark stored as an index (every file written
// before page IDs) into the ID of the page at that index, once: after it
// the page is found by ID. It reports whether it changed anything (then
// the record wants saving).
func (p *Progress) MigrateLesson(id string, pageIDs []string) bool {
	l, ok := p.Lessons[id]
	if !ok || l.Page != "" || len(pageIDs) == 0 {
		return false
	}
	i := max(0, min(l.Step, len(pageIDs)-1))
	if pageIDs[i] == "" {
		return false
	}
	l.Page, l.Step = pageIDs[i], i
	p.Lessons[id] = l
	p.changed()
	return true
}

// Clone is a deep copy, to hand to a goroutine that saves it.
func (p *Progress) Clone() *Progress {
	c := &Progress{Version: p.Version, Learner: p.Learner, seq: p.seq, Lessons: maps.Clone(p.Lessons)}
	for id, l := range c.Lessons {
		l.Claims = maps.Clone(l.Claims)
		c.Lessons[id] = l
	}
	c.Quiz.Current = p.Quiz.Current
	if p.Quiz.Questions != nil {
		c.Quiz.Questions = make(map[string]*Question, len(p.Quiz.Questions))
		for id, q := range p.Quiz.Questions {
			cq := &Question{Revealed: q.Revealed, Draft: q.Draft, Attempts: make([]Attempt, len(q.Attempts))}
			for i, a := range q.Attempts {
				a.Found = slices.Clone(a.Found)
				a.Missed = slices.Clone(a.Missed)
				a.Misconceptions = slices.Clone(a.Misconceptions)
				cq.Attempts[i] = a
			}
			c.Quiz.Questions[id] = cq
		}
	}
	return c
}
