package ui

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"cqrslab/demo"
)

// LogMsg is one line the engine logged (the write path's warnings).
type LogMsg struct {
	At    time.Time
	Level slog.Level
	Text  string
}

// TraceMsg is one finished step of some CreatePost.
type TraceMsg struct{ Ev demo.Event }

// busHandler is a slog.Handler that sends each record to the event bus
// instead of a terminal the TUI owns: the seed prints its warning on the
// write path, and at 500 writes/s with Redis down that is 500 lines a
// second, which the log pane shows as the newest few and a count.
type busHandler struct {
	bus   *EventBus
	attrs []slog.Attr
	group string
}

func (h *busHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h *busHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	write := func(a slog.Attr) bool {
		if a.Equal(slog.Attr{}) {
			return true
		}
		k := a.Key
		if h.group != "" {
			k = h.group + "." + k
		}
		fmt.Fprintf(&b, " %s=%v", k, a.Value.Resolve())
		return true
	}
	for _, a := range h.attrs {
		write(a)
	}
	r.Attrs(write)
	h.bus.Send(LogMsg{At: r.Time, Level: r.Level, Text: b.String()})
	return nil
}

func (h *busHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr{}, h.attrs...), as...)
	return &c
}

func (h *busHandler) WithGroup(name string) slog.Handler {
	c := *h
	if c.group != "" {
		name = c.group + "." + name
	}
	c.group = name
	return &c
}

// EngineOptions are the options every PostService of the app gets: its
// warnings and its trace go to the bus, never straight to the screen.
func (sh *Shared) EngineOptions(policy demo.PolicyName) demo.Options {
	bus, own := sh.Bus, sh.Session.Own
	return demo.Options{
		Policy: policy,
		Logger: slog.New(&busHandler{bus: bus}),
		Observer: func(e demo.Event) {
			if e.Step == demo.StepValidate { // before the INSERT: see OwnWrites
				own.Note(e.PostID)
			}
			bus.Send(TraceMsg{e})
		},
	}
}
