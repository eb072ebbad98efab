package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"cqrslab/demo"
	"cqrslab/demo/lab"
)

// StoreSnapshot is what both stores hold for one author at one moment, and
// what GetFeed returns: the three panels beside the code. The engine's read
// model reads it; the screens only draw it.
type StoreSnapshot struct {
	Author      string
	at          time.Time
	Rows        []demo.Post // PostgreSQL, newest first
	RowCount    int         // count(*), not the listing's length
	PgErr       error
	Members     []demo.FeedMember // Redis, newest first, read past the lab's proxy
	Zcard       int64
	Undecodable int // listed members that are not FeedItems
	RedisErr    error
	Feed        []demo.FeedItem // GetFeed, through the app's own path
	FeedErr     error
}

// SnapshotOf is the read model's snapshot as the panels draw it.
func SnapshotOf(s demo.StoresSnapshot) StoreSnapshot {
	return StoreSnapshot{Author: s.Feed.Author, at: s.Feed.At,
		Rows: s.Rows.Rows, RowCount: s.Rows.Count, PgErr: s.Rows.Err,
		Members: s.Feed.Members, Zcard: s.Feed.Card, Undecodable: s.Feed.Undecodable, RedisErr: s.Feed.Err}
}

// Each read below takes the reply it sends: the screen that asked wraps
// the result in a message type of its own, so a result reaches the screen
// it is for by its type, never by comparing a name.

// FeedResult is what GetFeed returned. It comes apart from the snapshot:
// with Redis down, the seed's client retries for over a second, and the
// PostgreSQL panel must not wait for that.
type FeedResult struct {
	Author string
	Feed   []demo.FeedItem
	Err    error
}

// HasRow and hasMember tell where a post is.
func (s *StoreSnapshot) HasRow(id string) bool {
	for _, r := range s.Rows {
		if r.ID == id {
			return true
		}
	}
	return false
}

func (s *StoreSnapshot) HasMember(id string) bool {
	for _, m := range s.Members {
		if m.OK && m.Item.PostID == id {
			return true
		}
	}
	return false
}

// ReadStoresCmd reads both stores for one author through the read model:
// PostgreSQL the way the app reads it (through the lab's proxy, so its
// faults show), Redis past the proxy, so the panel shows what Redis really
// holds even while the network to it is broken.
func ReadStoresCmd(ctx context.Context, rm *demo.ReadModel, author string, n int, reply func(StoreSnapshot) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		return reply(SnapshotOf(rm.Stores(qctx, author, n)))
	}
}

// ReadFeedCmd calls GetFeed as the app would.
func ReadFeedCmd(ctx context.Context, rm *demo.ReadModel, author string, n int, reply func(FeedResult) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		feed, err := rm.GetFeed(fctx, author, n)
		return reply(FeedResult{Author: author, Feed: feed, Err: err})
	}
}

// FaultResult reports an inject or heal asked for from a screen.
type FaultResult struct {
	What string
	Err  error
}

func InjectFault(ctx context.Context, l *lab.Lab, f lab.Fault, what string, reply func(FaultResult) tea.Msg) tea.Cmd {
	return func() tea.Msg { return reply(FaultResult{What: what, Err: l.Inject(ctx, f)}) }
}

func HealAll(ctx context.Context, l *lab.Lab, reply func(FaultResult) tea.Msg) tea.Cmd {
	return func() tea.Msg { return reply(FaultResult{What: "heal", Err: l.HealAll(ctx)}) }
}

// RepairResult reports a reconciler run: the drift before and after.
type RepairResult struct {
	demo.RepairReport
	Err error
}

// RepairFeeds runs the read model's repair (check, repair by difference or
// rebuild, check again) for the before and after counts. own hears that a
// repair ran, so the members it writes are not taken for another client's.
func RepairFeeds(ctx context.Context, rm *demo.ReadModel, own *OwnWrites, rebuild bool, reply func(RepairResult) tea.Msg, authors ...string) tea.Cmd {
	return func() tea.Msg {
		defer own.Repairing()()
		rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		rep, err := rm.Repair(rctx, rebuild, authors...)
		return reply(RepairResult{RepairReport: rep, Err: err})
	}
}

// DescribeErr is an error as a status line shows it, whole.
func DescribeErr(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	}
	return err.Error()
}

// BriefErr is an error in a few words, for a panel or a one-line status:
// the innermost cause of a long chain ("dial tcp 127.0.0.1:1234: connect:
// connection refused" is "connection refused").
func BriefErr(err error) string {
	s := DescribeErr(err)
	if len(s) <= 40 {
		return s
	}
	if i := strings.LastIndex(s, ": "); i >= 0 && len(s)-i > 4 {
		return s[i+2:]
	}
	return s
}

// Unexpected reports whether a feed member names a post PostgreSQL does
// not have, as far as the rows read can tell (all of them, or too few to
// know).
func (s *StoreSnapshot) Unexpected(id string) bool {
	return len(s.Rows) >= s.RowCount && !s.HasRow(id)
}

// Key is the feed's Redis key as the panel names it.
func (s *StoreSnapshot) Key() string { return "feed:" + s.Author }
