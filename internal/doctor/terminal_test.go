package doctor

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
)

func TestCheckTerminal(t *testing.T) {
	cases := []struct {
		name          string
		t             terminal
		size, colour  Status
		colourMention string
	}{
		{"not a terminal", terminal{}, OK, OK, "not a terminal"},
		{"roomy, 256 colours", terminal{isTTY: true, width: 120, height: 40, profile: colorprofile.ANSI256, term: "xterm-256color"}, OK, OK, "256"},
		{"true colour", terminal{isTTY: true, width: 80, height: 24, profile: colorprofile.TrueColor, term: "xterm-kitty", colorTerm: "truecolor"}, OK, OK, "24-bit"},
		{"too narrow", terminal{isTTY: true, width: 79, height: 40, profile: colorprofile.ANSI, term: "xterm"}, Warn, OK, "16"},
		{"too short", terminal{isTTY: true, width: 100, height: 20, profile: colorprofile.ANSI, term: "xterm"}, Warn, OK, ""},
		{"size unknown", terminal{isTTY: true, sizeErr: errors.New("ioctl"), profile: colorprofile.ANSI, term: "xterm"}, Warn, OK, ""},
		{"NO_COLOR=1", terminal{isTTY: true, width: 80, height: 24, profile: colorprofile.ASCII, term: "xterm", noColor: "1"}, OK, OK, "NO_COLOR"},
		{"NO_COLOR=yes is ignored by the library", terminal{isTTY: true, width: 80, height: 24, profile: colorprofile.ANSI, term: "xterm", noColor: "yes"}, OK, Warn, "NO_COLOR=1"},
		{"TERM=dumb", terminal{isTTY: true, width: 80, height: 24, profile: colorprofile.NoTTY, term: "dumb"}, OK, Warn, "dumb"},
		{"TERM unset", terminal{isTTY: true, width: 80, height: 24, profile: colorprofile.NoTTY}, OK, Warn, "TERM"},
		{"no colours", terminal{isTTY: true, width: 80, height: 24, profile: colorprofile.ASCII, term: "vt100"}, OK, Warn, "vt100"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cs := checkTerminal(tc.t)
			if len(cs) != 2 || cs[0].Status != tc.size || cs[1].Status != tc.colour {
				t.Fatalf("got %+v, want size %s colour %s", cs, tc.size, tc.colour)
			}
			if !strings.Contains(cs[1].Detail+" "+cs[1].Fix, tc.colourMention) {
				t.Errorf("colour %+v lacks %q", cs[1], tc.colourMention)
			}
			for _, c := range cs {
				if c.Status != OK && c.Fix == "" {
					t.Errorf("no fix: %+v", c)
				}
			}
		})
	}
}

func TestFindTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var nilFile *os.File
	if got := FindTerminal(f, nilFile, &strings.Builder{}, nil); got != nil {
		t.Errorf("a regular file, a nil file and a buffer are not terminals, got %v", got)
	}
	if tt := readTerminal(f); tt.isTTY {
		t.Error("a regular file read as a terminal")
	}
}
