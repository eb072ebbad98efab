package lessons

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"charm.land/glamour/v2"

	"cqrslab/demo"
)

// These tests hold the shipped lesson to its promises: every file parses,
// every highlight is on the lines the page talks about, and every page
// renders the way the TUI will render it.

func defaultPages(t *testing.T) []Page {
	t.Helper()
	pages, err := Default()
	if err != nil {
		t.Fatalf("the embedded lesson does not load:\n%v", err)
	}
	return pages
}

func TestDefaultLessonLoads(t *testing.T) {
	pages := defaultPages(t)
	if len(pages) < 10 {
		t.Fatalf("%d pages; the lesson has at least 10", len(pages))
	}
	for _, p := range pages {
		if p.Hint == "" || p.ShowMe == "" || p.Summary == "" {
			t.Errorf("page %s: hint, show me and summary are required", p.ID)
		}
		// Titles and summaries also go into the plain-text AI prompt.
		if strings.ContainsAny(p.Title+p.Summary, "`*_[") {
			t.Errorf("page %s: title or summary has markdown markup; they must read as plain text", p.ID)
		}
	}
}

// Every engine step has its page, in the engine's order, and the ZADD has a
// page for its failure branch: the TUI finds them with StepPage.
func TestEveryEngineStepHasAPageInOrder(t *testing.T) {
	pages := defaultPages(t)
	last := -1
	for _, step := range demo.Steps {
		idx := -1
		for i, p := range pages {
			if p.Step == string(step) && p.Outcome == "" {
				idx = i
			}
		}
		if idx < 0 {
			t.Errorf("no page for engine step %q", step)
			continue
		}
		if idx < last {
			t.Errorf("the page for %q comes before the page of an earlier step", step)
		}
		last = idx
	}
	p, ok := StepPage(pages, string(demo.StepZAdd), true)
	if !ok || p.Outcome != OutcomeError {
		t.Errorf("no failure page for %q", demo.StepZAdd)
	}
}

// The seed code is real Go: the code under study must compile in a
// reader's head, and gofmt-level parsing is the cheapest proof.
func TestSeedCodeIsGo(t *testing.T) {
	code := SeedCode()
	if code == "" {
		t.Fatal("SeedCode is empty: is seed/ in the go:embed line of assets/assets.go?")
	}
	if _, err := parser.ParseFile(token.NewFileSet(), SeedFile, code, parser.AllErrors); err != nil {
		t.Fatalf("the seed code does not parse as Go: %v", err)
	}
}

// A highlight outside the code fails Load; this checks the stronger
// promise that each step page highlights the code of that step, so an edit
// that shifts the seed's lines fails here instead of pointing a learner at
// the wrong lines.
func TestHighlightsPointAtTheirStep(t *testing.T) {
	pages := defaultPages(t)
	lines := SeedLines()
	want := map[string]string{ // page ID -> text one of its highlighted lines holds
		"why":        "func (s *PostService) CreatePost",
		"validate":   "func (s *PostService) CreatePost(p Post)",
		"insert":     "INSERT INTO posts",
		"encode":     "json.Marshal",
		"zadd":       "s.rdb.ZAdd",
		"zadd-fails": "log.Printf",
		"getfeed":    "ZRevRange",
		"budgeted":   "context.Background()",
	}
	for _, p := range pages {
		for _, r := range p.Highlight {
			if r.Start < 1 || r.End > len(lines) {
				t.Errorf("page %s: highlight %s is outside the seed code (%d lines)", p.ID, r, len(lines))
			}
		}
		text, ok := want[p.ID]
		if !ok {
			continue
		}
		delete(want, p.ID)
		found := false
		for n := 1; n <= len(lines); n++ {
			if p.Highlighted(n) && strings.Contains(lines[n-1], text) {
				found = true
			}
		}
		if !found {
			t.Errorf("page %s: no highlighted line holds %q (highlight %v)", p.ID, text, p.Highlight)
		}
	}
	for id := range want {
		t.Errorf("no page %q", id)
	}
}

// renderer is the TUI's markdown renderer at a fixed width and style, so a
// page that glamour cannot render fails here.
func renderer(t *testing.T) *glamour.TermRenderer {
	t.Helper()
	r, err := glamour.NewTermRenderer(glamour.WithStandardStyle("dark"), glamour.WithWordWrap(80))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestPagesRenderWithGlamour(t *testing.T) {
	r := renderer(t)
	for _, p := range defaultPages(t) {
		for _, part := range []struct{ name, md string }{
			{"body", p.Body}, {"hint", p.Hint}, {"show_me", p.ShowMe},
		} {
			out, err := r.Render(part.md)
			if err != nil {
				t.Errorf("page %s: %s does not render: %v", p.ID, part.name, err)
				continue
			}
			if strings.TrimSpace(out) == "" {
				t.Errorf("page %s: %s renders empty", p.ID, part.name)
			}
		}
	}
}

func TestExportedDocumentRendersWithGlamour(t *testing.T) {
	out, err := renderer(t).Render(Markdown(defaultPages(t), SeedCode()))
	if err != nil {
		t.Fatalf("the exported lesson does not render: %v", err)
	}
	if !strings.Contains(out, "INSERT INTO posts") {
		t.Error("the rendered lesson lost the seed code")
	}
}

// The prompts are the seed's three, in the order the lesson asks them:
// explain, then walk through, then the failure scenario.
func TestPromptsAreTheSeedsThreeInOrder(t *testing.T) {
	prompts, err := Prompts()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"In one paragraph, explain", "inside a CreatePost call", "50ms spike"}
	if len(prompts) != len(want) {
		t.Fatalf("%d prompts, want %d: %q", len(prompts), len(want), prompts)
	}
	for i, w := range want {
		if !strings.Contains(prompts[i], w) {
			t.Errorf("prompt %d = %q, want it to contain %q", i+1, prompts[i], w)
		}
	}
}
