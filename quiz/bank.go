package quiz

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"cqrslab/assets"
)

// The bank's files, relative to the quiz folder of the assets.
const (
	bankFile     = "bank.json"
	conceptsFile = "concepts.json"
	// neighboursFile lists English words one typo away from a rubric
	// word (written by scripts/typo-neighbours.py): real words, so never
	// read as misspellings ("clean" is not "clear").
	neighboursFile = "neighbours.txt"
	sectionsDir    = "sections"
	exampleFile    = "example-run.json"
)

// DefaultPassMark is the score that passes when neither the bank nor the
// question says otherwise.
const DefaultPassMark = 0.6

// Bank is the parsed and validated question bank. It is read-only once
// loaded, so the TUI and the CLI can share one.
type Bank struct {
	PassMark float64
	Sections []Section
	Example  LabRun // the recorded run used when the learner has none

	concepts  map[string][]phrase
	byID      map[string]*Question
	order     []*Question
	section   map[string]int
	rubrics   map[string]*compiledRubric
	rubricLex lexicon
	english   []string       // neighboursFile's words
	termKeys  map[string]int // claim term text to the key match caches it under
}

type bankHeader struct {
	Version  int      `json:"version"`
	PassMark float64  `json:"passMark"`
	Sections []string `json:"sections"` // section file names, in quiz order, without .json
}

type sectionFile struct {
	Prompt    *Question   `json:"prompt"`
	FollowUps []*Question `json:"followUps"`
}

// Embedded is the bank shipped inside the binary, loaded once per process
// and shared: grading only reads a bank, and loading this one (parsing and
// compiling every rubric) is tens of milliseconds that the TUI paid at
// start and again when the quiz opened, and the test suites once per test
// (78 times in the quiz package: 2.3 s of its 10 s). A caller that needs a
// bank to change loads its own with Load.
func Embedded() (*Bank, error) { return embeddedBank() }

var embeddedBank = sync.OnceValues(func() (*Bank, error) {
	sub, err := fs.Sub(assets.FS, "quiz")
	if err != nil {
		return nil, err
	}
	return Load(sub)
})

// Load reads and validates a bank from fsys (laid out like assets/quiz). A
// bank with any mistake is refused as a whole, with every mistake named, so
// a typo in a rubric fails a test instead of a learner's grade.
func Load(fsys fs.FS) (*Bank, error) {
	var hdr bankHeader
	if err := readJSON(fsys, bankFile, &hdr); err != nil {
		return nil, err
	}
	if hdr.Version != 1 {
		return nil, fmt.Errorf("quiz bank: %s: version %d is not supported (want 1)", bankFile, hdr.Version)
	}
	var rawConcepts map[string][]string
	if err := readJSON(fsys, conceptsFile, &rawConcepts); err != nil {
		return nil, err
	}
	b := &Bank{
		PassMark: hdr.PassMark,
		concepts: map[string][]phrase{},
		byID:     map[string]*Question{},
		section:  map[string]int{},
		rubrics:  map[string]*compiledRubric{},
	}
	if b.PassMark == 0 {
		b.PassMark = DefaultPassMark
	}
	if raw, err := fs.ReadFile(fsys, neighboursFile); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if w := strings.TrimSpace(line); w != "" && !strings.HasPrefix(w, "#") {
				b.english = append(b.english, w)
			}
		}
	}
	var errs []error
	for name, list := range rawConcepts {
		if len(list) == 0 {
			errs = append(errs, fmt.Errorf("%s: concept %q has no phrases", conceptsFile, name))
		}
		for _, p := range list {
			ph := newPhrase(p)
			if len(ph.words) == 0 {
				errs = append(errs, fmt.Errorf("%s: concept %q has an empty phrase %q", conceptsFile, name, p))
				continue
			}
			b.concepts[name] = append(b.concepts[name], ph)
		}
	}
	if len(hdr.Sections) == 0 {
		errs = append(errs, fmt.Errorf("%s: no sections", bankFile))
	}
	for i, name := range hdr.Sections {
		file := path.Join(sectionsDir, name+".json")
		var sf sectionFile
		if err := readJSON(fsys, file, &sf); err != nil {
			errs = append(errs, err)
			continue
		}
		if sf.Prompt == nil {
			errs = append(errs, fmt.Errorf("%s: no prompt", file))
			continue
		}
		sec := Section{Prompt: sf.Prompt, Questions: append([]*Question{sf.Prompt}, sf.FollowUps...)}
		sf.Prompt.FollowUps = nil
		for _, q := range sf.FollowUps {
			if q != nil {
				sf.Prompt.FollowUps = append(sf.Prompt.FollowUps, q.ID)
			}
		}
		for _, q := range sec.Questions {
			if q == nil {
				errs = append(errs, fmt.Errorf("%s: an empty question", file))
				continue
			}
			if _, dup := b.byID[q.ID]; dup {
				errs = append(errs, fmt.Errorf("%s: question ID %q is used twice", file, q.ID))
				continue
			}
			b.byID[q.ID] = q
			b.order = append(b.order, q)
			b.section[q.ID] = i
			for _, e := range b.validate(q) {
				errs = append(errs, fmt.Errorf("%s: %s: %w", file, q.ID, e))
			}
		}
		if sf.Prompt.Kind != FreeText {
			errs = append(errs, fmt.Errorf("%s: the prompt %q must be free text", file, sf.Prompt.ID))
		}
		if len(sf.FollowUps) == 0 {
			errs = append(errs, fmt.Errorf("%s: the prompt %q has no follow-up questions", file, sf.Prompt.ID))
		}
		b.Sections = append(b.Sections, sec)
	}
	if data, err := fs.ReadFile(fsys, exampleFile); err != nil {
		errs = append(errs, fmt.Errorf("quiz bank: %w", err))
	} else if b.Example, err = ParseLabRun(data); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", exampleFile, err))
	}
	b.Example.Source = SourceExample
	if len(errs) > 0 {
		return nil, fmt.Errorf("quiz bank is invalid:\n%w", errors.Join(errs...))
	}
	return b, nil
}

func readJSON(fsys fs.FS, name string, v any) error {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("quiz bank: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("quiz bank: %s: %w", name, err)
	}
	return nil
}

// validate checks one question and, for free text, compiles its rubric.
func (b *Bank) validate(q *Question) []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if !validID(q.ID) {
		bad("ID must be lower-case letters, digits and dashes")
	}
	if strings.TrimSpace(q.Title) == "" || strings.TrimSpace(q.Prompt) == "" {
		bad("title and prompt are required")
	}
	if q.PassMark < 0 || q.PassMark > 1 {
		bad("passMark %v is outside 0..1", q.PassMark)
	}
	for _, name := range placeholders(q.Prompt) {
		if _, ok := labFields[name]; !ok && name != "run" {
			bad("prompt uses unknown placeholder {%s}", name)
		}
	}
	switch q.Kind {
	case FreeText:
		if q.Rubric == nil {
			bad("free text needs a rubric")
			break
		}
		if strings.TrimSpace(q.ModelAnswer) == "" {
			bad("free text needs a model answer")
		}
		cr, rerrs := b.compileRubric(q.Rubric)
		errs = append(errs, rerrs...)
		b.rubrics[q.ID] = cr
	case Choice:
		correct := 0
		seen := map[string]bool{}
		for _, o := range q.Options {
			if o.ID == "" || seen[o.ID] || strings.TrimSpace(o.Text) == "" || strings.TrimSpace(o.Why) == "" {
				bad("option %q needs a unique ID, text and an explanation", o.ID)
			}
			seen[o.ID] = true
			if o.Correct {
				correct++
			}
		}
		if len(q.Options) < 2 || len(q.Options) > 6 || correct != 1 {
			bad("choice needs 2 to 6 options with exactly one correct (has %d options, %d correct)", len(q.Options), correct)
		}
		if q.Explanation == "" {
			bad("choice needs an explanation")
		}
	case Ordering:
		ids := map[string]bool{}
		for _, s := range q.Steps {
			if s.ID == "" || ids[s.ID] || strings.TrimSpace(s.Text) == "" || strings.TrimSpace(s.Why) == "" {
				bad("step %q needs a unique ID, text and a reason", s.ID)
			}
			ids[s.ID] = true
		}
		if len(q.Steps) < 3 || len(q.Steps) > 9 {
			bad("ordering needs 3 to 9 steps")
		}
		shown := append([]string(nil), q.Shown...)
		sort.Strings(shown)
		want := make([]string, 0, len(q.Steps))
		for _, s := range q.Steps {
			want = append(want, s.ID)
		}
		sort.Strings(want)
		if strings.Join(shown, ",") != strings.Join(want, ",") {
			bad("shown must list every step ID exactly once")
		} else if strings.Join(q.Shown, ",") == strings.Join(q.stepIDs(), ",") {
			bad("shown must not already be the right order")
		}
		if q.Explanation == "" {
			bad("ordering needs an explanation")
		}
	case Numeric:
		if q.Number == nil {
			bad("numeric needs a number")
			break
		}
		if q.Number.Tolerance < 0 {
			bad("tolerance is negative")
		}
		if f := q.Number.LabField; f != "" {
			if _, ok := labFields[f]; !ok {
				bad("labField %q is not a lab result (known: %s)", f, strings.Join(LabFieldNames(), ", "))
			}
		}
		if q.Hint == "" || q.Explanation == "" {
			bad("numeric needs a hint and an explanation")
		}
	default:
		bad("unknown kind %q", q.Kind)
	}
	return errs
}

func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

func (q *Question) stepIDs() []string {
	ids := make([]string, len(q.Steps))
	for i, s := range q.Steps {
		ids[i] = s.ID
	}
	return ids
}

// Question returns the question with that ID.
func (b *Bank) Question(id string) (*Question, bool) {
	q, ok := b.byID[id]
	return q, ok
}

// Questions returns every question in quiz order: section by section, each
// prompt before its follow-ups.
func (b *Bank) Questions() []*Question { return b.order }

// SectionIndex returns which section (0-based) a question belongs to.
func (b *Bank) SectionIndex(id string) int { return b.section[id] }

// PassMarkOf is the score that passes q.
func (b *Bank) PassMarkOf(q *Question) float64 {
	if q.PassMark > 0 {
		return q.PassMark
	}
	return b.PassMark
}

// IDs lists every question ID in quiz order (for error messages).
func (b *Bank) IDs() []string {
	ids := make([]string, len(b.order))
	for i, q := range b.order {
		ids[i] = q.ID
	}
	return ids
}
