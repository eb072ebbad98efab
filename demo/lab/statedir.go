package lab

import "cqrslab/internal/statedir"

// StateDir is the state directory (see package statedir).
//
// Deprecated: use statedir.Dir. Kept only while internal/tui, being split
// into packages, still calls it (app.go and quiz_load.go).
func StateDir() string { return statedir.Dir() }
