package lab

import "sync"

// The registry holds every lab this process started and has not closed, so
// that a signal handler or a recovered panic can tear them all down even when
// the code that started them never reaches its deferred Close.
var (
	registryMu sync.Mutex
	running    = map[*Lab]struct{}{}
)

func register(l *Lab) {
	registryMu.Lock()
	running[l] = struct{}{}
	registryMu.Unlock()
}

func unregister(l *Lab) {
	registryMu.Lock()
	delete(running, l)
	registryMu.Unlock()
}

// CloseAll closes every lab this process still has running and returns the
// first error. main calls it on SIGINT/SIGTERM and after a panic.
func CloseAll() error {
	registryMu.Lock()
	labs := make([]*Lab, 0, len(running))
	for l := range running {
		labs = append(labs, l)
	}
	registryMu.Unlock()
	var first error
	for _, l := range labs {
		if err := l.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
