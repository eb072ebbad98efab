//go:build race

package quiz

// raceSlowdown scales CPU-time bounds in a -race build: the detector makes
// grading about four times slower here (the 64 KiB one-line-sentences case:
// 0.66 s plain, 2.75-2.87 s under -race on a quiet machine). CI checks the
// plain bound too, in its newcomer stage, which builds without -race.
const raceSlowdown = 3
