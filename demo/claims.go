package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lib/pq"
)

// The lesson's claims shown live: these measure, on the learner's own lab,
// what the seed only says (reads are faster from Redis; rolling back the
// commit costs more than a stale feed).

// ReadRace is GetFeed against the SQL join it replaces, on the same author,
// asked in turns so both see the same machine at the same moment.
type ReadRace struct {
	Rounds        int           `json:"rounds"`
	Items         int           `json:"items"` // what each read returned
	Redis, SQL    time.Duration `json:"-"`     // medians
	RedisMs       float64       `json:"redis_median_ms"`
	SQLMs         float64       `json:"sql_median_ms"`
	Ratio         float64       `json:"ratio"` // SQL median / Redis median
	RedisErr, Err error         `json:"-"`
}

// RaceReads runs rounds of GetFeed and GetFeedSQL for author, alternating
// which goes first, and reports both medians and their ratio.
func (m *ReadModel) RaceReads(ctx context.Context, author string, n, rounds int) ReadRace {
	r := ReadRace{Rounds: rounds}
	var red, sq []time.Duration
	for i := range rounds {
		first, second := true, false
		if i%2 == 1 {
			first, second = false, true
		}
		for _, redis := range []bool{first, second} {
			t0 := time.Now()
			var items []FeedItem
			var err error
			if redis {
				items, err = m.GetFeed(ctx, author, n)
			} else {
				items, err = m.GetFeedSQL(ctx, author, n)
			}
			d := time.Since(t0)
			if err != nil {
				r.Err = fmt.Errorf("read race: %w", err)
				return r
			}
			r.Items = len(items)
			if redis {
				red = append(red, d)
			} else {
				sq = append(sq, d)
			}
		}
	}
	r.Redis, r.SQL = median(red), median(sq)
	r.RedisMs, r.SQLMs = msOf(r.Redis), msOf(r.SQL)
	if r.Redis > 0 {
		r.Ratio = float64(r.SQL) / float64(r.Redis)
	}
	return r
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// WriteTally is what n writes under one policy did while the caller
// watched: how many the caller was told succeeded or failed, how many
// PostgreSQL kept, and how many of the failures were posts PostgreSQL had
// committed and the policy deleted again.
type WriteTally struct {
	Policy     PolicyName `json:"policy"`
	Attempted  int        `json:"attempted"`
	Succeeded  int        `json:"succeeded"`   // the caller was told "saved"
	Failed     int        `json:"failed"`      // the caller was told "not saved"
	RolledBack int        `json:"rolled_back"` // of those: committed, then deleted
	InPG       int        `json:"in_postgres"` // posts PostgreSQL holds afterwards
	StaleFeed  int        `json:"stale_feed"`  // succeeded, but the ZADD failed
}

// TallyWrites runs n CreatePosts for author under svc's policy and counts
// what the caller saw against what PostgreSQL holds afterwards.
func TallyWrites(ctx context.Context, svc *PostService, author, title string, n int) (WriteTally, error) {
	t := WriteTally{Policy: svc.Policy()}
	var ids []string
	for i := range n {
		res, err := svc.CreatePost(ctx, NewPost{AuthorID: author, Title: fmt.Sprintf("%s #%d", title, i+1)})
		t.Attempted++
		switch {
		case err == nil:
			t.Succeeded++
			if res.ProjectionErr != nil {
				t.StaleFeed++
			}
		case errors.Is(err, ErrRolledBack):
			t.Failed++
			t.RolledBack++
		default:
			t.Failed++
		}
		if res.Post.ID != "" {
			ids = append(ids, res.Post.ID)
		}
	}
	for _, id := range ids {
		var one int
		err := svc.pg.QueryRowContext(ctx, "SELECT 1 FROM "+pq.QuoteIdentifier(svc.opts.Schema)+".posts WHERE id = $1", id).Scan(&one)
		if err == nil {
			t.InPG++
		}
	}
	return t, nil
}
