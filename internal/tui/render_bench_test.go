package tui

import (
	"fmt"
	"testing"
	"time"

	"cqrslab/demo"
	"cqrslab/internal/tui/ui"
)

// BenchmarkLabScreenUnderLoad is one frame of the Lab screen at 100×30
// while 500 writes/s arrive: the events of one frame applied, then the
// screen drawn. At 15 frames a second, a frame must cost well under a
// millisecond or two for the screen to stay cheap.
func BenchmarkLabScreenUnderLoad(b *testing.B) {
	a := labFixedApp(b, 100, 30, ui.ThemeDark)
	var rows []demo.Post
	var members []demo.FeedMember
	for i := range 20 {
		p := demo.Post{ID: fmt.Sprintf("load1-17956-%05d", i), AuthorID: "alice", Title: fmt.Sprintf("load write load1-17956-%05d", i),
			PublishedAt: fixedNow.Add(-time.Duration(i) * time.Millisecond)}
		rows = append(rows, p)
		members = append(members, demo.FeedMember{Score: p.PublishedAt.UnixMilli(), Item: p.Item(), OK: true})
	}
	a.labs.Refresh.Snap.Rows, a.labs.Refresh.Snap.Members, a.labs.Refresh.Snap.RowCount = rows, members, 8000
	seq := 0
	b.ResetTimer()
	for range b.N {
		var events []any
		for range 33 { // 500 writes/s at 15 frames/s
			seq++
			id := fmt.Sprintf("load1-%d", seq)
			for _, s := range demo.Steps {
				events = append(events, ui.TraceMsg{Ev: demo.Event{PostID: id, AuthorID: "bob", Step: s, Duration: time.Millisecond}})
			}
		}
		a.Update(ui.FrameMsg{At: fixedNow, Events: events})
		a.ticking = false
		_ = a.View()
	}
}
