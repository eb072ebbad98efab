package ui

// StatusKind colours the Learn screen's one-line status.
type StatusKind int

const (
	StatusInfo StatusKind = iota
	StatusGood
	StatusWarn
	StatusBad
)
