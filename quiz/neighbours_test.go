package quiz

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"cqrslab/assets"
)

// TestNeighboursAreCurrent fails when the rubric's words changed after
// assets/quiz/neighbours.txt was written: the list is built from Debian's
// word list, which tests cannot assume, so the script records a
// fingerprint of the rubric words it read and this test recomputes it the
// same way (scripts/typo-neighbours.py: strings and words_of).
func TestNeighboursAreCurrent(t *testing.T) {
	raw, err := fs.ReadFile(assets.FS, "quiz/"+neighboursFile)
	if err != nil {
		t.Fatal(err)
	}
	var recorded string
	for _, line := range strings.Split(string(raw), "\n") {
		if s, ok := strings.CutPrefix(line, "# rubric words: "); ok {
			recorded = s
		}
	}
	if recorded == "" {
		t.Fatalf("%s has no '# rubric words:' line; run python3 scripts/typo-neighbours.py", neighboursFile)
	}
	words := map[string]bool{}
	add := func(s string) {
		for _, alt := range strings.Split(s, "|") {
			if strings.HasPrefix(alt, "@") {
				continue
			}
			for _, w := range latinWord.FindAllString(strings.ToLower(alt), -1) {
				if len(w) >= MinTypoLength {
					words[w] = true
				}
			}
		}
	}
	var concepts map[string][]string
	readAsset(t, "quiz/"+conceptsFile, &concepts)
	for _, alts := range concepts {
		for _, s := range alts {
			add(s)
		}
	}
	sections, err := fs.Glob(assets.FS, "quiz/sections/*.json")
	if err != nil || len(sections) == 0 {
		t.Fatalf("no sections (%v)", err)
	}
	for _, name := range sections {
		var v any
		readAsset(t, name, &v)
		rubricStrings(v, add)
	}
	sorted := make([]string, 0, len(words))
	for w := range words {
		sorted = append(sorted, w)
	}
	slices.Sort(sorted)
	sum := sha256.Sum256([]byte(strings.Join(sorted, "\n")))
	if want := fmt.Sprintf("%d, sha256 %s", len(sorted), hex.EncodeToString(sum[:])); recorded != want {
		t.Errorf("%s was written for other rubric words (%s; the rubric now gives %s): run python3 scripts/typo-neighbours.py with wamerican installed", neighboursFile, recorded, want)
	}
}

var latinWord = regexp.MustCompile(`[a-z]+`)

// rubricStrings calls add on the strings the script reads: every string
// under a key that holds matching terms, and every string in a list.
func rubricStrings(v any, add func(string)) {
	switch v := v.(type) {
	case string:
		add(v)
	case []any:
		for _, x := range v {
			rubricStrings(x, add)
		}
	case map[string]any:
		for k, x := range v {
			switch k {
			case "terms", "unless", "notBetween", "with", "unlessInClause", "topic":
				rubricStrings(x, add)
			default:
				if _, scalar := x.(string); !scalar {
					rubricStrings(x, add)
				}
			}
		}
	}
}

func readAsset(t *testing.T, name string, v any) {
	t.Helper()
	raw, err := fs.ReadFile(assets.FS, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}
