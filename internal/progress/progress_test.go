package progress

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

func attempt(score float64) Attempt {
	return Attempt{At: time.Unix(1700000000, 0).UTC(), Answer: "answer", Score: score, Passed: score >= 0.6, Found: []string{"a"}}
}

func TestSaveAndReopen(t *testing.T) {
	dir := t.TempDir()
	s, p, notes := Open(dir)
	if len(notes) != 0 || p.Quiz.Current != "" {
		t.Fatalf("fresh open: notes %v, current %q", notes, p.Quiz.Current)
	}
	p.Record("q1", attempt(0.4))
	p.Record("q1", attempt(0.8))
	p.SetCurrent("q2")
	p.Reveal("q1")
	p.SetLesson("intro", 3, false, time.Unix(1700000000, 0))
	if err := s.Save(p.Clone()); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("progress file mode %v, want 0600", info.Mode().Perm())
	}
	_, q, notes := Open(dir)
	if len(notes) != 0 {
		t.Fatalf("notes on reopen: %v", notes)
	}
	best, passed, n := q.Best("q1")
	if best != 0.8 || !passed || n != 2 || q.Quiz.Current != "q2" || !q.Revealed("q1") || q.Lessons["intro"].Step != 3 {
		t.Errorf("reopened: best %v passed %v attempts %d current %q revealed %v lessons %v", best, passed, n, q.Quiz.Current, q.Revealed("q1"), q.Lessons)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*.tmp*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

func TestCorruptFileIsKeptAndLearnerStartsFresh(t *testing.T) {
	for name, content := range map[string]string{
		"truncated":  `{"version":1,"quiz":{"current":"q`,
		"not json":   "\x00\x01garbage",
		"no version": `{"quiz":{}}`,
		"wrong type": `{"version":"one"}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			s, p, notes := Open(dir)
			if len(notes) != 1 || !strings.Contains(notes[0], "damaged") || !strings.Contains(notes[0], ".corrupt-") {
				t.Fatalf("notes = %v", notes)
			}
			if len(p.Quiz.Questions) != 0 {
				t.Errorf("did not start fresh: %+v", p.Quiz)
			}
			backups, _ := filepath.Glob(path + ".corrupt-*")
			if len(backups) != 1 {
				t.Fatalf("backups = %v", backups)
			}
			if got, _ := os.ReadFile(backups[0]); string(got) != content {
				t.Errorf("backup holds %q, want the damaged file as it was", got)
			}
			p.Record("q1", attempt(1))
			if err := s.Save(p); err != nil {
				t.Fatalf("saving after a fresh start: %v", err)
			}
		})
	}
}

func TestNewerFormatIsLeftUntouched(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	newer := `{"version":99,"quiz":{}}`
	os.WriteFile(path, []byte(newer), 0o600)
	s, p, notes := Open(dir)
	if len(notes) != 1 || !strings.Contains(notes[0], "newer") {
		t.Fatalf("notes = %v", notes)
	}
	p.Record("q1", attempt(1))
	if err := s.Save(p); !errors.Is(err, ErrNotSaved) {
		t.Fatalf("Save = %v, want ErrNotSaved", err)
	}
	if got, _ := os.ReadFile(path); string(got) != newer {
		t.Errorf("newer file was overwritten: %q", got)
	}
}

// TestUnwritableDirKeepsWorkingInMemory uses a path under a regular file,
// which no user (root included) can create a directory in.
func TestUnwritableDirKeepsWorkingInMemory(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(blocker, []byte("x"), 0o600)
	s, p, notes := Open(filepath.Join(blocker, "state"))
	if len(notes) != 0 {
		t.Fatalf("notes = %v", notes)
	}
	p.Record("q1", attempt(0.7))
	err := s.Save(p)
	if err == nil {
		t.Fatal("Save into an impossible directory succeeded")
	}
	if _, passed, n := p.Best("q1"); !passed || n != 1 {
		t.Errorf("in-memory progress lost after a failed save")
	}
}

// TestReadOnlyDir makes the state directory read-only. Root ignores
// permissions, so the test checks that a write really is refused first.
func TestReadOnlyDir(t *testing.T) {
	dir := t.TempDir()
	s, p, _ := Open(dir)
	p.Record("q1", attempt(0.5))
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	if f, err := os.CreateTemp(dir, "probe"); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Skip("permissions are not enforced for this user (root?); TestUnwritableDirKeepsWorkingInMemory covers the failure path")
	}
	p.Record("q1", attempt(0.9))
	if err := s.Save(p); err == nil {
		t.Fatal("Save into a read-only directory succeeded")
	}
	_, q, notes := Open(dir)
	if best, _, _ := q.Best("q1"); best != 0.5 || len(notes) != 0 {
		t.Errorf("file on disk changed or unreadable after a failed save: best %v notes %v", best, notes)
	}
}

func TestUnreadableFileIsNotOverwritten(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.Mkdir(path, 0o700); err != nil { // a directory where the file should be: reading fails
		t.Fatal(err)
	}
	s, p, notes := Open(dir)
	if len(notes) != 1 || !strings.Contains(notes[0], "Could not read") {
		t.Fatalf("notes = %v", notes)
	}
	p.Record("q1", attempt(1))
	if err := s.Save(p); !errors.Is(err, ErrNotSaved) {
		t.Fatalf("Save = %v, want ErrNotSaved", err)
	}
}

func TestOlderCopyNeverOverwritesNewer(t *testing.T) {
	dir := t.TempDir()
	s, p, _ := Open(dir)
	p.Record("q1", attempt(0.1))
	old := p.Clone()
	p.Record("q1", attempt(0.9))
	newer := p.Clone()
	if err := s.Save(newer); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(old); err != nil {
		t.Fatal(err)
	}
	_, q, _ := Open(dir)
	if _, _, n := q.Best("q1"); n != 2 {
		t.Errorf("an older copy overwrote the newer one: %d attempts on disk", n)
	}
}

func TestConcurrentSaves(t *testing.T) {
	dir := t.TempDir()
	s, p, _ := Open(dir)
	var wg sync.WaitGroup
	for i := range 20 {
		p.Record("q", attempt(float64(i)/20))
		c := p.Clone()
		wg.Go(func() { s.Save(c) })
	}
	wg.Wait()
	data, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	var got Progress
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("file is not valid JSON after concurrent saves: %v", err)
	}
	if n := len(got.Quiz.Questions["q"].Attempts); n != 20 {
		t.Errorf("%d attempts on disk, want the newest copy's 20", n)
	}
}

func TestResets(t *testing.T) {
	p := New()
	p.Record("a", attempt(1))
	p.Record("b", attempt(1))
	p.SetLesson("l", 1, true, time.Now())
	p.ResetQuestion("a")
	if _, _, n := p.Best("a"); n != 0 {
		t.Error("ResetQuestion kept attempts")
	}
	if _, _, n := p.Best("b"); n != 1 {
		t.Error("ResetQuestion touched another question")
	}
	p.ResetQuiz()
	if len(p.Quiz.Questions) != 0 || p.Quiz.Current != "" || len(p.Lessons) != 1 {
		t.Errorf("ResetQuiz: %+v lessons %v", p.Quiz, p.Lessons)
	}
	p.ResetAll()
	if len(p.Lessons) != 0 {
		t.Error("ResetAll kept lessons")
	}
}

func TestAttemptsAreBounded(t *testing.T) {
	p := New()
	for range MaxAttempts + 5 {
		p.Record("q", Attempt{Answer: strings.Repeat("x", MaxAnswerBytes+10)})
	}
	if n := len(p.Attempts("q")); n != MaxAttempts {
		t.Errorf("%d attempts kept, want %d", n, MaxAttempts)
	}
	if l := len(p.Attempts("q")[0].Answer); l != MaxAnswerBytes {
		t.Errorf("answer of %d bytes kept, want at most %d", l, MaxAnswerBytes)
	}
}

func TestCloneIsDeep(t *testing.T) {
	p := New()
	p.Record("q", attempt(0.5))
	c := p.Clone()
	c.Quiz.Questions["q"].Attempts[0].Found[0] = "changed"
	c.Record("q", attempt(1))
	if p.Attempts("q")[0].Found[0] != "a" || len(p.Attempts("q")) != 1 {
		t.Error("changing a clone changed the original")
	}
}

// TestCloneKeepsEveryField: the TUI saves clones, so a field Clone forgot
// (the learner's name did) was wiped from the file by the next save.
func TestCloneKeepsEveryField(t *testing.T) {
	p := New()
	p.SetLearner("Ada")
	p.Record("q", attempt(0.5))
	p.Reveal("q")
	p.Quiz.Current = "q"
	p.Lessons = map[string]Lesson{"l": {Page: "p", Step: 2, Done: true}}
	p.MeetClaim("l", "a", "measured", time.Unix(1700000000, 0).UTC())
	want, _ := json.Marshal(p)
	got, _ := json.Marshal(p.Clone())
	if string(got) != string(want) {
		t.Errorf("clone differs:\n got %s\nwant %s", got, want)
	}
}

func TestNullQuestionInFileIsDropped(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, FileName), []byte(`{"version":1,"quiz":{"questions":{"q":null}}}`), 0o600)
	_, p, notes := Open(dir)
	if len(notes) != 0 {
		t.Fatal(notes)
	}
	p.Clone()
	p.Reveal("q")
}

// A draft survives a save and a reopen, a blank one is forgotten, and
// submitting the answer clears it.
func TestDrafts(t *testing.T) {
	dir := t.TempDir()
	s, p, _ := Open(dir)
	p.SetDraft("q1", "half of a sentence about")
	p.SetDraft("q2", "   ")
	p.SetDraft("q3", strings.Repeat("é", MaxAnswerBytes)) // 2 bytes each: cut mid-way, on a rune boundary
	if err := s.Save(p.Clone()); err != nil {
		t.Fatal(err)
	}
	_, q, _ := Open(dir)
	d := q.Drafts()
	if d["q1"] != "half of a sentence about" || len(d) != 2 {
		t.Fatalf("drafts after reopening: %q", d)
	}
	if len(d["q3"]) > MaxAnswerBytes || !utf8.ValidString(d["q3"]) {
		t.Errorf("a long draft is %d bytes, valid UTF-8 %v", len(d["q3"]), utf8.ValidString(d["q3"]))
	}
	if _, _, n := q.Best("q1"); n != 0 {
		t.Errorf("a draft counts as %d attempts", n)
	}
	q.Record("q1", attempt(0.7))
	q.SetDraft("q3", "")
	if d := q.Drafts(); len(d) != 0 {
		t.Errorf("drafts after submitting q1 and clearing q3: %q", d)
	}
}

// A file as this version wrote it before page IDs (the lesson's place as
// an index, byte for byte the shape SetLesson saved) loads; the index is
// turned into the page's ID once, and from then on a page inserted before
// it does not move the bookmark.
func TestIndexBookmarkMigratesToPageIDOnce(t *testing.T) {
	dir := t.TempDir()
	old := `{"version":1,"lessons":{"sync-cqrs":{"step":2,"updatedAt":"2026-01-02T03:04:05Z"}},"quiz":{"current":"q2"}}`
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	s, p, notes := Open(dir)
	if len(notes) != 0 || p.Quiz.Current != "q2" {
		t.Fatalf("the old file did not load: notes %v, current %q", notes, p.Quiz.Current)
	}
	pages := []string{"why", "validate", "insert", "encode"}
	if i, ok := p.LessonPage("sync-cqrs", pages); !ok || i != 2 {
		t.Fatalf("before migrating: page %d (ok %v), want 2", i, ok)
	}
	if !p.MigrateLesson("sync-cqrs", pages) {
		t.Fatal("an index bookmark was not migrated")
	}
	if p.MigrateLesson("sync-cqrs", pages) {
		t.Error("the bookmark was migrated twice")
	}
	if err := s.Save(p.Clone()); err != nil {
		t.Fatal(err)
	}
	_, q, _ := Open(dir)
	if l := q.Lessons["sync-cqrs"]; l.Page != "insert" || l.Step != 2 {
		t.Errorf("saved after migrating: %+v, want page insert at index 2", l)
	}
	// A page inserted before the bookmark: found by ID, one further on.
	grown := []string{"why", "new-page", "validate", "insert", "encode"}
	if i, _ := q.LessonPage("sync-cqrs", grown); i != 3 {
		t.Errorf("after a page was inserted the bookmark is at %d, want 3 (insert)", i)
	}
	// A page that was removed: the stored index, within the lesson.
	if i, _ := q.LessonPage("sync-cqrs", []string{"why", "validate"}); i != 1 {
		t.Errorf("with the page gone the bookmark is at %d, want the last page", i)
	}
	if _, ok := q.LessonPage("other", pages); ok {
		t.Error("a lesson never opened has a bookmark")
	}
}

// The claims a learner met survive a save and a reopen with their numbers
// and time, and moving through the lesson afterwards keeps them.
func TestClaimsSaveAndReopen(t *testing.T) {
	dir := t.TempDir()
	s, p, _ := Open(dir)
	at := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	p.MeetClaim("sync-cqrs", "e", "GetFeed median 0.21 ms, SQL join 0.80 ms, 3.8× faster", at)
	p.MeetClaim("sync-cqrs", "g", strings.Repeat("n", MaxEvidenceBytes+10), at.Add(time.Minute))
	p.SetLessonPage("sync-cqrs", "budgeted", 9, false, at.Add(2*time.Minute))
	if err := s.Save(p.Clone()); err != nil {
		t.Fatal(err)
	}
	_, q, notes := Open(dir)
	if len(notes) != 0 {
		t.Fatal(notes)
	}
	cs := q.Claims("sync-cqrs")
	if e := cs["e"]; e.Evidence != "GetFeed median 0.21 ms, SQL join 0.80 ms, 3.8× faster" || !e.At.Equal(at) {
		t.Errorf("claim e after reopen: %+v", e)
	}
	if g := cs["g"]; len(g.Evidence) != MaxEvidenceBytes {
		t.Errorf("claim g's evidence should be cut to %d bytes, is %d", MaxEvidenceBytes, len(g.Evidence))
	}
	if len(cs) != 2 || q.Lessons["sync-cqrs"].Page != "budgeted" {
		t.Errorf("reopened lesson: %+v", q.Lessons["sync-cqrs"])
	}
	c := q.Clone()
	c.MeetClaim("sync-cqrs", "a", "x", at)
	if _, ok := q.Claims("sync-cqrs")["a"]; ok {
		t.Error("a claim met on a clone changed the original")
	}
}

// A progress file written before claims were saved opens with none met,
// keeps everything else, and takes claims from then on.
func TestOldProgressFileWithoutClaims(t *testing.T) {
	dir := t.TempDir()
	old := `{"version":1,"lessons":{"sync-cqrs":{"page":"eventual","step":14,"done":true,"updatedAt":"2026-11-01T09:00:00Z"}},"quiz":{}}`
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	s, p, notes := Open(dir)
	if len(notes) != 0 {
		t.Fatal(notes)
	}
	if l := p.Lessons["sync-cqrs"]; l.Page != "eventual" || !l.Done || len(p.Claims("sync-cqrs")) != 0 {
		t.Fatalf("old file read as %+v", l)
	}
	p.MeetClaim("sync-cqrs", "a", "INSERT 2 ms", time.Now())
	if err := s.Save(p.Clone()); err != nil {
		t.Fatal(err)
	}
	_, q, _ := Open(dir)
	if l := q.Lessons["sync-cqrs"]; l.Page != "eventual" || !l.Done || q.Claims("sync-cqrs")["a"].Evidence != "INSERT 2 ms" {
		t.Errorf("after meeting a claim: %+v", l)
	}
}
