package quiz

import (
	"strings"
	"testing"
)

func words(s sentence) string {
	var w []string
	for _, t := range s.tokens {
		w = append(w, t.word)
	}
	return strings.Join(w, " ")
}

func TestSplit(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Redis isn't the truth. PostgreSQL is!", "redis is not the truth | postgresql is"},
		{"It doesn't show; it won't", "it does not show | it will not"},
		{"dont rollback postgres", "do not rollback postgres"},
		{"The author's feed:<authorId>", "the author feed authorid"},
		{"in-flight read-only", "in flight read only"},
		{"500/s × 0.05 s = 25", "500 s 0.05 s 25"},
		{"1. insert into pg\n2) zadd", "1 insert into pg | 2 zadd"},
		{"PG fails → error returned", "pg fails then error returned"},
		{"e.g. this", "e g | this"},
		{"  \n\t ", ""},
	} {
		var got []string
		for _, s := range split(tc.in) {
			got = append(got, words(s))
		}
		if g := strings.Join(got, " | "); g != tc.want {
			t.Errorf("split(%q) = %q, want %q", tc.in, g, tc.want)
		}
	}
}

func TestSplitKeepsOffsets(t *testing.T) {
	in := "Naïve café: Redis."
	for _, s := range split(in) {
		for _, tk := range s.tokens {
			if got := strings.ToLower(in[tk.start:tk.end]); got != tk.word {
				t.Errorf("token %q points at %q", tk.word, got)
			}
		}
	}
}

func TestStem(t *testing.T) {
	for _, group := range [][]string{
		{"commit", "commits", "committed", "committing"},
		{"write", "writes", "writing"},
		{"retry", "retries", "retried"},
		{"cache", "caches", "caching", "cached"},
		{"rebuild", "rebuilds", "rebuilding"},
		{"roll", "rolling", "rolled"},
	} {
		for _, w := range group[1:] {
			if stem(w) != stem(group[0]) {
				t.Errorf("stem(%q) = %q, stem(%q) = %q", w, stem(w), group[0], stem(group[0]))
			}
		}
	}
	for _, w := range []string{"redis", "status", "pass", "is"} {
		if stem(w) != w {
			t.Errorf("stem(%q) = %q, want it unchanged", w, stem(w))
		}
	}
}

func TestTypos(t *testing.T) {
	lx := lexicon{"state": true, "scale": true, "stale": true}
	for _, tc := range []struct {
		got, want string
		ok        bool
	}{
		{"postgress", "postgres", true},
		{"databse", "database", true},
		{"frist", "first", true}, // transposition
		{"circut", "circuit", true},
		{"serialises", "serializes", true},
		{"state", "stale", false}, // a real word is not a typo
		{"scale", "stale", false},
		{"reds", "redis", false}, // too short
		{"poll", "pool", false},
		{"reconcilation", "reconciliation", true},
		{"postgrse", "postgres", true},
		{"pstgrs", "postgres", false}, // two edits
	} {
		if got := lx.typoOf(tc.got, tc.want); got != tc.ok {
			t.Errorf("typoOf(%q, %q) = %v, want %v", tc.got, tc.want, got, tc.ok)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"abc", "abc", 0}, {"abc", "acb", 1}, {"kitten", "sitting", 3}, {"ab", "", 2},
	} {
		if d := editDistance(tc.a, tc.b, 5); d != tc.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, d, tc.d)
		}
	}
	if d := editDistance("abcdef", "uvwxyz", 1); d != 2 {
		t.Errorf("editDistance should stop at limit+1, got %d", d)
	}
}

// TestNegationScope checks which words each negation reaches.
func TestNegationScope(t *testing.T) {
	for _, tc := range []struct {
		in      string
		negated string // the words inside a negation, in order
	}{
		{"Redis is not the source of truth", "the source of truth"},
		{"PostgreSQL, not Redis, is the source of truth", "redis"},
		{"we do not roll back and we return success", "roll back"},
		{"nothing touches Redis until Postgres commits", "touches redis"},
		{"Redis is the source of truth and Postgres is not", "postgres is"},
		{"instead of rolling back, repair the feed", "rolling back"},
		{"not only fast but also simple", ""},
		{"the feed does not show the post", "show the post"},
	} {
		s := split(tc.in)[0]
		neg := negationScope(s)
		var got []string
		for i, in := range neg.in {
			if in {
				got = append(got, s.tokens[i].word)
			}
		}
		if g := strings.Join(got, " "); g != tc.negated {
			t.Errorf("%q: negated %q, want %q", tc.in, g, tc.negated)
		}
	}
}

func TestKeywordLists(t *testing.T) {
	for _, tc := range []struct {
		in   string
		list bool
	}{
		{"postgres, redis, source of truth, projection, stale", true},
		{"postgres = truth\nredis = read model\nsame request", true},
		{"1. latency\n2. pool exhaustion\n3. circuit breaker", true},
		{"PostgreSQL is the source of truth, and Redis holds a copy of the feed.", false},
		{"Insert commits first. Then the ZADD runs. If it fails we log it and return success.", false},
		{"PG fails → error returned. Redis fails → warning logged.", false},
	} {
		if got := isKeywordList(split(tc.in)); got != tc.list {
			t.Errorf("isKeywordList(%q) = %v, want %v", tc.in, got, tc.list)
		}
	}
}
