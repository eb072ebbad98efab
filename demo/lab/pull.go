package lab

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// pullReporter turns Docker's JSON pull stream into progress events: the
// number of layers done out of those seen, and bytes downloaded so far, so a
// room on slow Wi-Fi sees the pull move rather than a frozen spinner.
type pullReporter struct {
	service  string
	start    time.Time
	progress ProgressFunc

	buf     bytes.Buffer
	layers  map[string]*layerState
	lastOut time.Time
}

type layerState struct {
	current, total int64
	done           bool
}

type pullMessage struct {
	ID             string `json:"id"`
	Status         string `json:"status"`
	Error          string `json:"error"`
	ProgressDetail struct {
		Current int64 `json:"current"`
		Total   int64 `json:"total"`
	} `json:"progressDetail"`
}

func (p *pullReporter) Write(b []byte) (int, error) {
	p.buf.Write(b)
	for {
		line, err := p.buf.ReadBytes('\n')
		if err != nil {
			// Keep the partial line for the next write.
			p.buf.Reset()
			p.buf.Write(line)
			break
		}
		p.handle(line)
	}
	return len(b), nil
}

func (p *pullReporter) handle(line []byte) {
	var m pullMessage
	if json.Unmarshal(line, &m) != nil || m.ID == "" {
		return
	}
	if p.layers == nil {
		p.layers = map[string]*layerState{}
	}
	l := p.layers[m.ID]
	if l == nil {
		l = &layerState{}
		p.layers[m.ID] = l
	}
	switch m.Status {
	case "Downloading":
		l.current, l.total = m.ProgressDetail.Current, m.ProgressDetail.Total
	case "Pull complete", "Already exists":
		l.done = true
	}
	if time.Since(p.lastOut) < 200*time.Millisecond {
		return
	}
	p.lastOut = time.Now()
	var done int
	var cur, total int64
	for _, l := range p.layers {
		if l.done {
			done++
		}
		cur += l.current
		total += l.total
	}
	p.progress(Progress{Service: p.service, Phase: PhasePulling, Elapsed: time.Since(p.start),
		Detail: fmt.Sprintf("layers %d/%d, %.1f/%.1f MB", done, len(p.layers), float64(cur)/1e6, float64(total)/1e6)})
}
