package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"cqrslab/lessons"
)

// TestTUIReadsEveryLineOfEveryPage reads the whole lesson in a real
// terminal with → alone, at 80×24 and 100×30, the way a learner would: on
// every screen of a page the text ends with a "more below" marker until the
// page's end, → never skips a line (the words of each page's markdown turn
// up on screen, in order), and → turns the page only at its end. No lab is
// started: reading needs none. Counts come from the lesson itself, so a
// page added to it changes nothing here.
func TestTUIReadsEveryLineOfEveryPage(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the TUI in tmux")
	}
	t.Parallel() // its own tmux sessions and state dirs; it waits on screens
	pages, err := lessons.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range [][2]int{{80, 24}, {100, 30}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			// Each size has its own tmux session and state dir; the two
			// walks wait on the screen, not the CPU, so they run together.
			t.Parallel()
			tt := startTUI(t, size[0], size[1])
			tt.waitFor("Your progress", 15*time.Second)
			tt.keys("Enter")
			for i, p := range pages {
				header := pageHeader(i+1, len(pages))
				s := tt.waitFor("Learn · ", 5*time.Second)
				for deadline := time.Now().Add(5 * time.Second); !header.MatchString(s); s = tt.screen() {
					if time.Now().After(deadline) {
						t.Fatalf("after 5s the screen is not on page %d:\n%s", i+1, s)
					}
					time.Sleep(100 * time.Millisecond)
				}
				s = tt.still(s)
				// The header turns at once; the text follows once rendered
				// (under load, after the screen had been still for 60 ms).
				for deadline := time.Now().Add(5 * time.Second); strings.Contains(s, "rendering the page"); s = tt.still(tt.screen()) {
					if time.Now().After(deadline) {
						t.Fatalf("page %d still rendering after 5s:\n%s", i+1, s)
					}
					time.Sleep(50 * time.Millisecond)
				}
				var seen []string
				for screens := 0; ; screens++ {
					text, more, end := textArea(s)
					seen = append(seen, text...)
					if !more && !end {
						t.Fatalf("page %d: the text has neither a \"more below\" marker nor an end-of-page line:\n%s", i+1, s)
					}
					if end {
						break
					}
					if screens > 40 {
						t.Fatalf("page %d: still more below after 40 screens:\n%s", i+1, s)
					}
					// → must have scrolled before the next screen is read: on a
					// busy machine the redraw can come after tt.keys' pause, and
					// reading the old screen again would press → twice for one
					// screen of text, skipping lines.
					prev := strings.Join(text, "\n")
					tt.press("Right") // the loop below waits for the scroll
					for deadline := time.Now().Add(5 * time.Second); ; s = tt.screen() {
						if now, _, _ := textArea(s); strings.Join(now, "\n") != prev {
							break
						}
						if time.Now().After(deadline) {
							t.Fatalf("page %d: → changed nothing in 5s although the marker said more was below:\n%s", i+1, s)
						}
						time.Sleep(50 * time.Millisecond)
					}
					s = tt.still(s)
					if !header.MatchString(s) {
						t.Fatalf("page %d: → turned the page while the marker said more was below:\n%s", i+1, s)
					}
				}
				if missing := missingWords(p.Body, strings.Join(seen, "\n")); missing != "" {
					t.Errorf("%dx%d page %d (%s): reading it screen by screen with → never showed %q; what was shown:\n%s",
						size[0], size[1], i+1, p.ID, missing, strings.Join(seen, "\n"))
				}
				for _, l := range strings.Split(s, "\n") {
					if h := strings.TrimSpace(l); strings.HasPrefix(h, "#") || strings.Contains(h, "`") {
						t.Errorf("page %d shows raw markdown: %q", i+1, l)
					}
				}
				if i < len(pages)-1 {
					tt.press("Right") // the next page's header is waited for
				}
			}
			tt.keys("q")
			if code := tt.waitExit(30 * time.Second); code != 0 {
				t.Errorf("exit status %d", code)
			}
		})
	}
}

// still returns the screen once it has stopped changing (two captures
// 60 ms apart agree), starting from s: a capture can land in the middle of
// a redraw, with the new header above the old page's rows (under -race at
// load, the walk read page 8 as blank lines under an old end-of-page line).
func (tt *tmuxTUI) still(s string) string {
	tt.t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; {
		time.Sleep(60 * time.Millisecond)
		next := tt.screen()
		if next == s {
			return s
		}
		if time.Now().After(deadline) {
			tt.t.Fatalf("the screen kept changing for 5s; last:\n%s", next)
		}
		s = next
	}
}

// pageHeader matches the Learn header of page i of n: "page 14 of 15",
// or "14/15" where a long title leaves the lab badge no room otherwise
// (80 columns).
func pageHeader(i, n int) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`Learn · (page %d of %d|%d/%d) · `, i, n, i, n))
}

// textArea is the page's text on one screen: the rows between the folded
// panels' line and the marker row, and what the marker says.
func textArea(screen string) (text []string, more, end bool) {
	in := false
	for _, l := range strings.Split(screen, "\n") {
		switch {
		case strings.Contains(l, "── Live panels") || strings.Contains(l, "── PostgreSQL "):
			in = true
		case in && strings.Contains(l, "▼ more below"):
			return text, true, false
		case in && (strings.Contains(l, "■ end of page") || strings.Contains(l, "■ end of the lesson")):
			return text, false, true
		case in:
			text = append(text, l)
		}
	}
	return text, false, false
}

var word = regexp.MustCompile(`[A-Za-z0-9]+`)

// missingWords checks that the words of a page's markdown appear on the
// screens in the same order (markup, URLs and punctuation aside), and
// returns the first one that does not, with the words before it.
func missingWords(md, shown string) string {
	md = regexp.MustCompile(`\]\([^)]*\)`).ReplaceAllString(md, "]") // a link shows its text, not its URL
	want, got := word.FindAllString(md, -1), word.FindAllString(shown, -1)
	j := 0
	for i, w := range want {
		for j < len(got) && got[j] != w {
			j++
		}
		if j == len(got) {
			return strings.Join(want[max(0, i-5):i+1], " ")
		}
		j++
	}
	return ""
}

// The walk's check can fail: a skipped line loses its words.
func TestMissingWordsFindsASkippedLine(t *testing.T) {
	md := "### The tradeoff\n\nEvery write has `two` latencies.\n\nThe caller [waits](http://x) for both."
	if got := missingWords(md, "The tradeoff\nEvery write has two latencies.\nThe caller waits for both."); got != "" {
		t.Errorf("all shown, but %q reported missing", got)
	}
	if got := missingWords(md, "The tradeoff\nThe caller waits for both."); got == "" {
		t.Error("a skipped line was not noticed")
	}
}
