package quiz

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

func TestZZDebug(t *testing.T) {
	a := os.Getenv("ANS")
	if a == "" {
		t.Skip()
	}
	b := embedded(t)
	rd := read(a)
	for i, s := range rd.sents {
		ws := ""
		for k, tk := range s.tokens {
			m := ""
			if rd.heard[i][k] {
				m += "^"
			}
			if rd.negs[i].in[k] {
				m += "~"
			}
			if tk.softBefore {
				ws += "| "
			}
			ws += tk.word + m + " "
		}
		fmt.Printf("S%d list=%v: %s\n", i, rd.list[i], ws)
	}
	res, _ := b.Grade(os.Getenv("Q"), a, b.Example)
	j, _ := json.MarshalIndent(struct {
		S  float64
		P  bool
		NR bool
		F  []string
		M  []string
		N  []string
	}{res.Score, res.Passed, res.NeedsReview, res.FoundIDs(), res.MisconceptionIDs(), res.Notes}, "", " ")
	fmt.Println(string(j))
	for _, f := range append(res.Found, res.Misconceptions...) {
		fmt.Printf("  %s: %q\n", f.ID, f.Quote)
	}
}
