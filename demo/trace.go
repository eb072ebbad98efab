package demo

import "time"

// Step names one step of CreatePost, in the order they run.
type Step string

const (
	StepValidate Step = "validate"        // check the input; no I/O
	StepInsert   Step = "postgres.insert" // INSERT, autocommitted: the commit point
	StepEncode   Step = "encode"          // build the feed item (canonical JSON)
	StepZAdd     Step = "redis.zadd"      // update the projection
	StepDone     Step = "done"            // return to the caller
)

// Steps lists CreatePost's steps in order.
var Steps = []Step{StepValidate, StepInsert, StepEncode, StepZAdd, StepDone}

// Event is one step of one CreatePost, as it finished. Err is the step's
// error; for StepZAdd an error does not fail the call (the seed's rule).
type Event struct {
	PostID   string
	AuthorID string
	Step     Step
	Start    time.Time
	Duration time.Duration
	Err      error
}

// Observer receives every finished step. It is called on the writer's
// goroutine, so it must be quick and must not block (the TUI sends to a
// buffered channel and drops when full).
type Observer func(Event)
