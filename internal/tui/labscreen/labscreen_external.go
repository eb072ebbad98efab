package labscreen

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"cqrslab/demo"
	"cqrslab/internal/tui/ui"
)

// Writes from other clients (a second `cqrslab post`, a psql INSERT, a
// redis-cli ZADD) reach the stores without passing through this process's
// engine, so no trace event tells of them. The Lab finds them by looking:
// each refresh reads the newest externalWindow rows and feed members of
// every author (demo.ReadModel.Recent: one indexed query and one Redis
// pipeline, at most MaxRecentAuthors × externalWindow of each, whatever the
// tables hold) and compares them with the previous look. A row or member
// that is new, and whose post the engine did not write (ui.OwnWrites, noted
// before each INSERT), is another client's write; it enters the trace
// marked external.
//
// What "new" means: listed now and not listed last time, and not older
// than the oldest entry of last time's full listing (else an old entry
// merely slid into the window, when a newer one was deleted). The first
// look only records what is there: older writes are history, not events.
// Limits, said plainly: a write that enters and leaves an author's window
// between two looks (more than externalWindow writes of one author in a
// second, i.e. under a heavy load) is not seen; an external write older than
// the window (a psql INSERT with an old published_at) is not seen, as the
// panels do not show it either; members written while a repair of this app
// ran are taken to be the repair's.

// externalWindow is how many of each author's newest rows and members a
// look compares.
const externalWindow = 50

// ExternalWrite is one write another client made, as one look found it.
type ExternalWrite struct {
	PostID, Author, Title string
	Row, Member           bool // found in PostgreSQL / in Redis
	Raw                   string
}

// listing is one author's listing at the last look.
type listing struct {
	seen  map[string]struct{}
	full  bool
	floor int64 // the oldest entry's time (ms), when full
}

// externalWatch keeps the last look at both stores.
type externalWatch struct {
	rows, members map[string]listing // by author; nil until the first look
	authors       []string
	lastAsked     time.Time
}

// ExternalLookMsg is one look at the newest writes of every author.
type ExternalLookMsg struct {
	Recent demo.RecentWrites
	Asked  time.Time
}

func lookExternal(ctx context.Context, rm *demo.ReadModel, known []string) tea.Cmd {
	return func() tea.Msg {
		asked := time.Now()
		qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		return ExternalLookMsg{Recent: rm.Recent(qctx, externalWindow, known), Asked: asked}
	}
}

// diff compares a look with the last and returns the writes it finds from
// other clients, oldest first.
func (x *externalWatch) diff(msg ExternalLookMsg, own *ui.OwnWrites) []ExternalWrite {
	r := msg.Recent
	var found []ExternalWrite
	byID := map[string]int{}
	add := func(w ExternalWrite) {
		if i, ok := byID[w.PostID]; ok && w.PostID != "" {
			found[i].Row = found[i].Row || w.Row
			found[i].Member = found[i].Member || w.Member
			return
		}
		byID[w.PostID] = len(found)
		found = append(found, w)
	}
	if r.PgErr == nil {
		first := x.rows == nil
		next := map[string]listing{}
		for _, a := range r.Authors {
			rows := r.Rows[a]
			old, had := x.rows[a]
			for i := len(rows) - 1; i >= 0; i-- {
				p := rows[i]
				if first || own.Has(p.ID) || !old.isNew(p.ID, p.PublishedAt.UnixMilli(), had) {
					continue
				}
				add(ExternalWrite{PostID: p.ID, Author: a, Title: p.Title, Row: true})
			}
			l := listing{seen: map[string]struct{}{}, full: len(rows) >= externalWindow}
			for _, p := range rows {
				l.seen[p.ID] = struct{}{}
			}
			if l.full {
				l.floor = rows[len(rows)-1].PublishedAt.UnixMilli()
			}
			next[a] = l
		}
		x.rows, x.authors = next, r.Authors
	}
	if r.RedisErr == nil {
		first := x.members == nil
		repaired := own.RepairedSince(x.lastAsked)
		next := map[string]listing{}
		for _, a := range r.Authors {
			ms := r.Members[a]
			old, had := x.members[a]
			for i := len(ms) - 1; i >= 0; i-- {
				m := ms[i]
				if first || repaired || (m.OK && own.Has(m.Item.PostID)) || !old.isNew(m.Raw, m.Score, had) {
					continue
				}
				w := ExternalWrite{Author: a, Member: true, Raw: m.Raw}
				if m.OK {
					w.PostID, w.Title = m.Item.PostID, m.Item.Title
				}
				add(w)
			}
			l := listing{seen: map[string]struct{}{}, full: len(ms) >= externalWindow}
			for _, m := range ms {
				l.seen[m.Raw] = struct{}{}
			}
			if l.full {
				l.floor = ms[len(ms)-1].Score
			}
			next[a] = l
		}
		x.members = next
	}
	x.lastAsked = msg.Asked
	return found
}

// isNew reports whether an entry of an author's listing is new since the
// last look (see the comment at the top of this file: not an old one
// sliding in).
func (l listing) isNew(key string, at int64, had bool) bool {
	if !had {
		return true
	}
	if _, ok := l.seen[key]; ok {
		return false
	}
	return !l.full || at >= l.floor
}
