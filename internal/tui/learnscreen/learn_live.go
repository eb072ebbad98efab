package learnscreen

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"cqrslab/demo"
	"cqrslab/internal/safetext"
	"cqrslab/internal/tui/ui"
)

// learnEngine is what the Learn screen runs CreatePost and GetFeed with: a
// seed service of its own over a Redis client whose pool is renewed when
// Redis is healed, and a read model over that service for GetFeed.
//
// Why its own client: go-redis stops dialing after PoolSize failed dials
// and probes once a second; a GetFeed right after the heal would then fail
// although Redis is back, and the learner would miss the stale-feed moment
// (the read succeeds, the post is missing). The page says what the renewal
// stands for.
type learnEngine struct {
	rc    *demo.RenewableClient
	svc   *demo.PostService
	reads *demo.ReadModel
	log   *seedLog
}

func newLearnEngine(st *demo.Stores, opts demo.Options) *learnEngine {
	e := &learnEngine{rc: st.RenewableRedis(), log: &seedLog{}}
	opts.Logger = slog.New(&seedLogHandler{next: opts.Logger.Handler(), log: e.log})
	e.svc = st.ServiceOver(e.rc, opts)
	e.reads = demo.NewReadModel(e.svc)
	return e
}

// seedLog keeps the newest warning of the write path as the seed's own code
// prints it (log.Printf("WARN: redis projection update failed for post %s:
// %v", ...)), so the page that talks about that line can show it.
type seedLog struct {
	mu   sync.Mutex
	line string
	post string
	at   time.Time
}

func (s *seedLog) latest() (line, post string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.line, s.post, s.at
}

// seedLogHandler passes every record on (to the Lab's log pane) and keeps
// the projection warning in the seed's words.
type seedLogHandler struct {
	next slog.Handler
	log  *seedLog
}

func (h *seedLogHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn || h.next.Enabled(ctx, l)
}

func (h *seedLogHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		var post string
		var err any
		r.Attrs(func(a slog.Attr) bool {
			switch a.Key {
			case "post":
				post = a.Value.String()
			case "err":
				err = a.Value.Any()
			}
			return true
		})
		if post != "" {
			h.log.mu.Lock()
			h.log.line = fmt.Sprintf("WARN: redis projection update failed for post %s: %v", post, err)
			h.log.post, h.log.at = post, r.Time
			h.log.mu.Unlock()
		}
	}
	if h.next.Enabled(ctx, r.Level) {
		return h.next.Handle(ctx, r)
	}
	return nil
}

func (h *seedLogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &seedLogHandler{next: h.next.WithAttrs(as), log: h.log}
}

func (h *seedLogHandler) WithGroup(name string) slog.Handler {
	return &seedLogHandler{next: h.next.WithGroup(name), log: h.log}
}

// warnLine is the seed's warning for the walk's post, once it was logged:
// the line the page on a failed ZADD talks about, where it happens.
func (l *LearnScreen) warnLine(w int) string {
	if l.eng == nil || l.Walk == nil || l.Walk.PostID == "" {
		return ""
	}
	line, post, _ := l.eng.log.latest()
	if post != l.Walk.PostID {
		return ""
	}
	st := l.sh.St
	return ui.Cut(st.Accent.Render("log ")+st.Warn.Render(safetext.Visible(line)), w)
}

// feedTiming says how long after the heal GetFeed answered: the learner
// sees that the read is fresh, not a view left over from before.
func (l *LearnScreen) feedTiming(err error) {
	took := time.Since(l.healedAt)
	l.healedAt = time.Time{}
	if err != nil {
		l.SetStatus(ui.StatusWarn, "Redis is back, yet GetFeed failed %s after the heal: %s.", ui.Ms(took), safetext.Visible(ui.BriefErr(err)))
		return
	}
	l.SetStatus(ui.StatusGood, "Redis is back: GetFeed answered %s after the heal. r repairs the feed.", ui.Ms(took))
}

// staleVerdict is the lesson's moment after a failed ZADD, in one line:
// PostgreSQL has the post, and GetFeed either cannot answer yet or answers
// successfully without it.
func (l *LearnScreen) staleVerdict() string {
	st, s := l.sh.St, l.Snap
	switch {
	case l.redisDown() && s.FeedErr == nil:
		return st.Warn.Render("in PostgreSQL, not in Redis; Redis is down, GetFeed is asked…")
	case s.FeedErr != nil:
		return st.Warn.Render("in PostgreSQL, not in Redis; GetFeed fails: " + safetext.Visible(ui.BriefErr(s.FeedErr)))
	case l.feedHas(l.Walk.PostID):
		return st.Good.Render("in PostgreSQL and in what GetFeed returns")
	}
	return st.Drift.Render("in PostgreSQL; GetFeed succeeds, post missing: the feed is stale")
}

func (l *LearnScreen) feedHas(id string) bool {
	for _, it := range l.Snap.Feed {
		if it.PostID == id {
			return true
		}
	}
	return false
}

// feedStale reports whether the GetFeed panel shows a last-known answer: a
// newer GetFeed has been running for a while (with Redis down, go-redis
// retries for over a second), so what is shown may no longer be true.
func (l *LearnScreen) feedStale() bool {
	return l.feedBusy && !l.feedAskedAt.IsZero() && time.Since(l.feedAskedAt) > 300*time.Millisecond
}

// HealedAt is when the last heal from this screen was done; tests time the
// stale-feed moment by it.
func (l *LearnScreen) HealedAt() time.Time { return l.lastHeal }
