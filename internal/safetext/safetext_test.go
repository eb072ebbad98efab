package safetext

import (
	"strings"
	"testing"
)

func TestVisible(t *testing.T) {
	cases := map[string]string{
		"plain title":            "plain title",
		"café ☕":                 "café ☕",
		"\x1b[2Jgone":            `\x1b[2Jgone`,
		"\x1b]0;pwned\x07":       `\x1b]0;pwned\x07`,
		"a\x00b":                 `a\x00b`,
		"csi\u009b2J":            `csi\u009b2J`,
		"bad \xff":               `bad \xff`,
		"rtl\u202eevil":          `rtl\u202eevil`,
		`back\slash`:             `back\\slash`,
		"tab\there\nnewline\rcr": `tab\x09here\x0anewline\x0dcr`,
	}
	for in, want := range cases {
		if got := Visible(in); got != want {
			t.Errorf("Visible(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzVisibleHasNoControls(f *testing.F) {
	f.Add("\x1b[31mred\x1b[0m")
	f.Add("ok")
	f.Fuzz(func(t *testing.T, s string) {
		out := Visible(s)
		for _, r := range out {
			if unsafeRune(r) {
				t.Fatalf("Visible(%q) = %q keeps %U", s, out, r)
			}
		}
		if strings.ContainsRune(out, 0x1b) {
			t.Fatal("escape survived")
		}
	})
}
