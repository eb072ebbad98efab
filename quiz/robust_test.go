package quiz

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestGradingIsRobust: case, spacing, sentence order and typing slips in a
// good answer change neither its verdict nor the points it earns.
func TestGradingIsRobust(t *testing.T) {
	b := embedded(t)
	// Sentence ends, not the "1." of a numbered step.
	sentenceEnd := regexp.MustCompile(`([a-zA-Z)])\. `)
	reverse := func(s string) string {
		parts := strings.Split(sentenceEnd.ReplaceAllString(s, "$1.\x00"), "\x00")
		slices.Reverse(parts)
		return strings.Join(parts, " ")
	}
	typos := strings.NewReplacer("PostgreSQL", "PostgresQL", "Postgres", "Postgress", "committed", "commited", "reconciler", "reconciller", "circuit", "circiut", "exhausted", "exhuasted")
	variants := map[string]func(string) string{
		"lower": strings.ToLower,
		"upper": strings.ToUpper,
		"spacing": func(s string) string {
			return strings.ReplaceAll(sentenceEnd.ReplaceAllString(s, "$1.\n\n"), " ", "   ")
		},
		"reorder": reverse,
		"typos":   typos.Replace,
	}
	for _, s := range loadSamples(t, "testdata/tuning.json") {
		if s.Label != "pass" {
			continue
		}
		base, _ := b.Grade(s.Question, s.Answer, b.Example)
		for name, f := range variants {
			res, err := b.Grade(s.Question, f(s.Answer), b.Example)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Passed || !slices.Equal(res.FoundIDs(), base.FoundIDs()) || len(res.Misconceptions) != len(base.Misconceptions) {
				t.Errorf("%s/%s, %s: passed %v, found %v (was %v), misconceptions %v",
					s.Question, s.Kind, name, res.Passed, res.FoundIDs(), base.FoundIDs(), res.MisconceptionIDs())
			}
		}
	}
}

// TestNegationDecidesTheClaim: the same words with and without a negation
// earn opposite things.
func TestNegationDecidesTheClaim(t *testing.T) {
	b := embedded(t)
	for _, tc := range []struct {
		question, answer string
		found            []string // points or misconceptions that must be found
		notFound         []string
	}{
		{"explain-sync-cqrs", "Redis is not the source of truth.", []string{"postgres-is-truth"}, []string{"redis-is-truth"}},
		{"explain-sync-cqrs", "Redis is the source of truth.", []string{"redis-is-truth"}, []string{"postgres-is-truth"}},
		{"explain-sync-cqrs", "PostgreSQL, not Redis, is the source of truth.", []string{"postgres-is-truth"}, []string{"redis-is-truth"}},
		{"explain-sync-cqrs", "PostgreSQL isn't the source of truth - Redis is.", []string{"postgres-not-truth"}, []string{"postgres-is-truth"}},
		{"explain-sync-cqrs", "The two writes are not atomic.", nil, []string{"one-transaction"}},
		{"explain-sync-cqrs", "The two writes are atomic.", []string{"one-transaction"}, nil},
		{"explain-sync-cqrs", "There is no message queue involved.", nil, []string{"async-update"}},
		{"createpost-walkthrough", "If the ZADD fails we never roll back the PostgreSQL insert.", nil, []string{"rollback-postgres"}},
		{"createpost-walkthrough", "If the ZADD fails we roll back the PostgreSQL insert.", []string{"rollback-postgres"}, nil},
		{"createpost-walkthrough", "Redis is not written before PostgreSQL commits.", []string{"postgres-commits-first"}, []string{"redis-first"}},
		{"createpost-walkthrough", "Redis is written before PostgreSQL commits.", []string{"redis-first"}, []string{"postgres-commits-first"}},
		{"createpost-walkthrough", "Until the ZADD runs, GetFeed does not show the post.", []string{"read-path-before-zadd"}, nil},
		{"createpost-walkthrough", "GetFeed shows the post.", nil, []string{"read-path-before-zadd"}},
		{"createpost-walkthrough", "GetFeed never reads PostgreSQL.", nil, []string{"feed-reads-postgres"}},
		{"createpost-walkthrough", "GetFeed reads PostgreSQL.", []string{"feed-reads-postgres"}, nil},
		{"redis-spike-500wps", "Instead of rolling back the Postgres write, let the reconciler repair the feed.", []string{"repair-from-postgres"}, []string{"rollback-postgres"}},
		{"redis-spike-500wps", "Retries do not create duplicates.", []string{"idempotent-members"}, nil},
		{"redis-spike-500wps", "Retries create duplicates.", nil, []string{"idempotent-members"}},
	} {
		res, err := b.Grade(tc.question, tc.answer, b.Example)
		if err != nil {
			t.Fatal(err)
		}
		got := append(res.FoundIDs(), res.MisconceptionIDs()...)
		for _, id := range tc.found {
			if !slices.Contains(got, id) {
				t.Errorf("%q: %s not found (got %v)", tc.answer, id, got)
			}
		}
		for _, id := range tc.notFound {
			if slices.Contains(got, id) {
				t.Errorf("%q: %s found but must not be", tc.answer, id)
			}
		}
	}
}

// TestKeywordListsNeverPass: the rubric's own terms, one per key point,
// listed without sentences, stay below the pass mark for all three prompts.
func TestKeywordListsNeverPass(t *testing.T) {
	b := embedded(t)
	for _, id := range tryIt {
		q, _ := b.Question(id)
		var terms []string
		for _, p := range q.Rubric.Points {
			if p.Weight < 0 {
				continue
			}
			var words []string
			for _, term := range p.Claims[0].Terms {
				alt := strings.Split(term, "|")[0]
				if name, ok := strings.CutPrefix(alt, "@"); ok {
					alt = strings.Join(b.concepts[name][0].words, " ")
				}
				words = append(words, alt)
			}
			terms = append(terms, strings.Join(words, " "))
		}
		for _, sep := range []string{", ", "\n", "; ", "\n- "} {
			list := strings.Join(terms, sep)
			res, _ := b.Grade(id, list, b.Example)
			if res.Passed || !res.KeywordList {
				t.Errorf("%s: passed %v (score %.2f), keyword list %v:\n%s", id, res.Passed, res.Score, res.KeywordList, list)
			}
		}
	}
}
