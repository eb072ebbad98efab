package ui

import (
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
)

// frameInterval is how often the screen takes in what the engine did: about
// 15 frames a second. At 500 writes/s the engine reports thousands of events
// a second; redrawing for each would queue the screen behind the load, so
// they are gathered here and applied together once a frame.
const frameInterval = 66 * time.Millisecond

// EventBus carries everything the engine and the lab report from their own
// goroutines (trace events, warnings, start progress, fault changes, load
// ticks) to the UI. Sending never blocks: a writer on the request path must
// not wait for the screen, so when the buffer is full the event is dropped
// and counted, and the screen says how many it missed.
type EventBus struct {
	ch      chan any
	Dropped atomic.Int64
}

func NewEventBus(size int) *EventBus { return &EventBus{ch: make(chan any, size)} }

// Send queues an event, or drops and counts it when the buffer is full.
func (b *EventBus) Send(ev any) {
	select {
	case b.ch <- ev:
	default:
		b.Dropped.Add(1)
	}
}

// Drain takes every queued event (at most limit) without waiting.
func (b *EventBus) Drain(limit int) []any {
	var out []any
	for len(out) < limit {
		select {
		case ev := <-b.ch:
			out = append(out, ev)
		default:
			return out
		}
	}
	return out
}

// FrameMsg is one frame: the time, the events gathered since the last one,
// and how many events were dropped so far in all.
type FrameMsg struct {
	At      time.Time
	Events  []any
	Dropped int64
}

// Frame waits one frame interval, then drains the bus, off the UI
// goroutine, into one message.
func (b *EventBus) Frame() tea.Cmd {
	return tea.Tick(frameInterval, func(t time.Time) tea.Msg {
		return FrameMsg{At: t, Events: b.Drain(cap(b.ch)), Dropped: b.Dropped.Load()}
	})
}
