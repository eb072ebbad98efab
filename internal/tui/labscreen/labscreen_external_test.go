package labscreen

import (
	"fmt"
	"testing"
	"time"

	"cqrslab/demo"
	"cqrslab/internal/tui/ui"
)

// look builds one look at alice's rows (ids newest first, one ms apart
// from base) and members (raw strings, same scores).
func look(rows []string, members []string, base int64) ExternalLookMsg {
	r := demo.RecentWrites{Authors: []string{"alice"}, Rows: map[string][]demo.Post{}, Members: map[string][]demo.FeedMember{}}
	for i, id := range rows {
		r.Rows["alice"] = append(r.Rows["alice"], demo.Post{ID: id, AuthorID: "alice", PublishedAt: time.UnixMilli(base - int64(i))})
	}
	for i, raw := range members {
		r.Members["alice"] = append(r.Members["alice"], demo.FeedMember{Raw: raw, Score: base - int64(i)})
	}
	return ExternalLookMsg{Recent: r, Asked: time.Now()}
}

func TestExternalWatchFindsOnlyOtherClientsWrites(t *testing.T) {
	own := ui.NewOwnWrites()
	var x externalWatch
	if got := x.diff(look([]string{"old-1"}, []string{"m-old"}, 1000), own); len(got) != 0 {
		t.Fatalf("the first look reported history as new writes: %+v", got)
	}
	own.Note("mine-1")
	got := x.diff(look([]string{"ext-1", "mine-1", "old-1"}, []string{"m-ext", "m-old"}, 1003), own)
	if len(got) != 2 || got[0].PostID != "ext-1" || !got[0].Row || got[1].Raw != "m-ext" || !got[1].Member {
		t.Fatalf("want the external row ext-1 and member m-ext, not the engine's mine-1; got %+v", got)
	}
	if got := x.diff(look([]string{"ext-1", "mine-1", "old-1"}, []string{"m-ext", "m-old"}, 1003), own); len(got) != 0 {
		t.Fatalf("a write already reported came again: %+v", got)
	}
	// A repair of this app writes members: they are not another client's.
	done := own.Repairing()
	done()
	if got := x.diff(look([]string{"ext-1"}, []string{"m-repaired", "m-ext"}, 1004), own); len(got) != 0 {
		t.Fatalf("a member written during a repair was reported external: %+v", got)
	}
}

func TestExternalWatchIgnoresOldRowsSlidingIntoAFullWindow(t *testing.T) {
	own := ui.NewOwnWrites()
	var x externalWatch
	ids := make([]string, externalWindow+1)
	for i := range ids {
		ids[i] = fmt.Sprintf("p%03d", i)
	}
	x.diff(look(ids[:externalWindow], nil, 5000), own) // a full window: p000 … p049
	// p000 was deleted (rolled back): p050, older than every row seen, slides in.
	if got := x.diff(look(ids[1:], nil, 4999), own); len(got) != 0 {
		t.Fatalf("an old row sliding into the window was reported as a new write: %+v", got)
	}
}

func TestTraceBookKeepsExternalApartFromEngineWrites(t *testing.T) {
	b := newTraceBook()
	b.Add(demo.Event{PostID: "mine", AuthorID: "alice", Step: demo.StepValidate})
	b.AddExternal(ExternalWrite{PostID: "mine", Author: "alice", Row: true})
	if b.ByID["mine"].External {
		t.Fatal("an engine write was turned external")
	}
	b.AddExternal(ExternalWrite{PostID: "ext", Author: "bob", Row: true})
	b.AddExternal(ExternalWrite{PostID: "ext", Author: "bob", Member: true})
	if w := b.ByID["ext"]; !w.External || !w.Row || !w.Member || len(b.Order) != 2 {
		t.Fatalf("the row and member of one external write should make one line with both: %+v (%d lines)", w, len(b.Order))
	}
}
