package doctor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckProgressFile(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T) string // returns the state dir
		want  Status
		words []string
	}{
		{"missing dir: fresh start", func(t *testing.T) string {
			return filepath.Join(t.TempDir(), "not", "yet")
		}, OK, []string{"fresh start"}},
		{"no file: fresh start", func(t *testing.T) string { return t.TempDir() }, OK, []string{"fresh start"}},
		{"valid", func(t *testing.T) string {
			d := t.TempDir()
			os.WriteFile(filepath.Join(d, ProgressFileName), []byte(`{"lessons":{}}`), 0o600)
			return d
		}, OK, []string{"reads fine"}},
		{"corrupt", func(t *testing.T) string {
			d := t.TempDir()
			os.WriteFile(filepath.Join(d, ProgressFileName), []byte(`{"lessons":`), 0o600)
			return d
		}, Warn, []string{"damaged", "back it up"}},
		{"a directory in the way", func(t *testing.T) string {
			d := t.TempDir()
			os.Mkdir(filepath.Join(d, ProgressFileName), 0o700)
			return d
		}, Fail, []string{"is a directory"}},
		{"state dir under a file", func(t *testing.T) string {
			f := filepath.Join(t.TempDir(), "file")
			os.WriteFile(f, nil, 0o600)
			return filepath.Join(f, "state")
		}, Fail, []string{"cannot write", "CQRSLAB_STATE_DIR"}},
	}
	if os.Geteuid() != 0 {
		cases = append(cases, struct {
			name  string
			setup func(t *testing.T) string
			want  Status
			words []string
		}{"read-only dir", func(t *testing.T) string {
			d := t.TempDir()
			os.Chmod(d, 0o500)
			t.Cleanup(func() { os.Chmod(d, 0o700) })
			return d
		}, Fail, []string{"cannot write"}})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.setup(t)
			c := checkProgressFile(dir)
			if c.Status != tc.want {
				t.Fatalf("status %s, want %s: %+v", c.Status, tc.want, c)
			}
			for _, w := range tc.words {
				if !strings.Contains(c.Detail+" "+c.Fix, w) {
					t.Errorf("%+v lacks %q", c, w)
				}
			}
			if c.Status != OK && c.Fix == "" {
				t.Errorf("no fix: %+v", c)
			}
			// Looking leaves nothing behind.
			if entries, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), "*", ".cqrslab-doctor-*")); len(entries) > 0 {
				t.Errorf("probe files left: %v", entries)
			}
		})
	}
}
