package progress

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"cqrslab/internal/atomicfile"
)

// FileName is the progress file inside the state directory.
const FileName = "progress.json"

// ErrNotSaved is returned by Save when saving is off for this session,
// because writing would destroy a file that could not be read or backed up.
var ErrNotSaved = errors.New("progress is kept in memory only this session")

// Store reads and writes the progress file in one directory. Save may be
// called from several goroutines; the newest copy always wins.
type Store struct {
	dir string

	mu       sync.Mutex
	savedSeq uint64
	saved    bool
	readOnly string // why saving is off, or ""
	now      func() time.Time
}

// Open reads the progress in dir. It never fails: whatever goes wrong, the
// learner gets a usable Progress, and each notice says in plain words what
// happened and where their old file is.
func Open(dir string) (*Store, *Progress, []string) {
	s := &Store{dir: dir, now: time.Now}
	p, notices := s.load()
	return s, p, notices
}

// Path is the progress file's path.
func (s *Store) Path() string { return filepath.Join(s.dir, FileName) }

func (s *Store) load() (*Progress, []string) {
	path := s.Path()
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return New(), nil // nothing saved yet (or nowhere it could be): Save will say if it cannot write
	case err != nil:
		s.readOnly = "the progress file could not be read"
		return New(), []string{fmt.Sprintf("Could not read your progress (%v). Starting fresh; your answers this session are kept in memory only, and %s is left as it is.", err, path)}
	}
	p := &Progress{}
	err = json.Unmarshal(data, p)
	if err == nil && p.Version > Version {
		s.readOnly = "the progress file is from a newer cqrslab"
		return New(), []string{fmt.Sprintf("Your progress file was written by a newer cqrslab (format %d). Starting fresh in memory; %s is left untouched.", p.Version, path)}
	}
	if err == nil && p.Version < 1 {
		err = fmt.Errorf("no format version")
	}
	if err == nil {
		for id, q := range p.Quiz.Questions {
			if q == nil {
				delete(p.Quiz.Questions, id)
			}
		}
		return p, nil
	}
	backup := fmt.Sprintf("%s.corrupt-%s", path, s.now().UTC().Format("20060102T150405Z"))
	if rerr := os.Rename(path, backup); rerr != nil {
		s.readOnly = "the damaged progress file could not be backed up"
		return New(), []string{fmt.Sprintf("Your progress file is damaged (%v) and could not be set aside (%v). Starting fresh in memory only; %s is left as it is.", err, rerr, path)}
	}
	return New(), []string{fmt.Sprintf("Your progress file was damaged (%v). It is kept as %s; starting fresh.", err, backup)}
}

// Save writes p atomically. A copy older than one already saved is skipped,
// so saves racing in goroutines cannot go back in time. On error the file
// on disk is unchanged and p is still good in memory.
func (s *Store) Save(p *Progress) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.readOnly != "" {
		return fmt.Errorf("%w (%s)", ErrNotSaved, s.readOnly)
	}
	if s.saved && p.seq <= s.savedSeq {
		return nil
	}
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	if err := writeAtomic(s.dir, FileName, append(data, '\n')); err != nil {
		return fmt.Errorf("saving progress to %s: %w", s.dir, err)
	}
	s.saved, s.savedSeq = true, p.seq
	return nil
}

// writeAtomic replaces dir/name with data so a reader (or a crash) sees the
// old file or the new one, never half of either. 0600: progress is the
// learner's own.
func writeAtomic(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, name), data, 0o600)
}
