package lab

// /proc parsing: telling a live recorded process from a reused pid.

import (
	"os"
	"strconv"
	"strings"
	"sync"
)

var procfsAvailable = sync.OnceValue(func() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
})

// procInfo is what the lab reads of a process in /proc/<pid>/stat.
type procInfo struct {
	comm       string // the command name, as the kernel keeps it
	state      byte   // R, S, D, Z (zombie), X (dead), …
	ppid, pgrp int
	start      uint64 // kernel start time, in clock ticks since boot
}

// readProcStat parses /proc/<pid>/stat (pid as its directory name); ok is
// false where there is no such process or file. The one parser of that
// format in the project: the command name (field 2) is in parentheses and
// may hold spaces and parentheses, so the fields are counted from the last
// ')'.
func readProcStat(pid string) (p procInfo, ok bool) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return p, false
	}
	s := string(b)
	open, i := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || i < open {
		return p, false
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state), f[1] ppid, f[2] pgrp, f[19] field 22 (starttime).
	if len(f) < 20 || f[0] == "" {
		return p, false
	}
	p.comm, p.state = s[open+1:i], f[0][0]
	p.ppid, _ = strconv.Atoi(f[1])
	p.pgrp, _ = strconv.Atoi(f[2])
	if p.start, err = strconv.ParseUint(f[19], 10, 64); err != nil {
		return p, false
	}
	return p, true
}

// live is false for a zombie or a dead process.
func (p procInfo) live() bool { return p.state != 'Z' && p.state != 'X' }

// procStat reads a process's kernel start time and state; ok is false
// where there is no /proc entry for it.
func procStat(pid int) (start uint64, state byte, ok bool) {
	p, ok := readProcStat(strconv.Itoa(pid))
	return p.start, p.state, ok
}
