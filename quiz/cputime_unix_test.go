//go:build unix

package quiz

import "syscall"

// cpuTime is the CPU time this process has used, in seconds. On a shared
// machine a benchmark's wall time says more about the neighbours than
// about the grader; CPU time per grade does not.
func cpuTime() (float64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	sec := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return sec(ru.Utime) + sec(ru.Stime), true
}
