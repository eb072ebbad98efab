package experiment

import (
	"context"
	"time"

	"cqrslab/demo"
)

// What a failover does to the feed, counted from the writes one by one.
//
// A write's ZADD is "acknowledged" when the request path's ZADD returned
// OK (CreatePost succeeded with no projection error). After the fault, the
// reconciler's check lists the posts PostgreSQL has and the feed lacks;
// those of them whose ZADD was acknowledged were not skipped by the write
// path: Redis said OK and then lost them (a killed primary that had not
// yet sent them to the promoted replica, or a partitioned primary whose
// writes were thrown away when it rejoined as a replica). Their members
// are also read from Redis directly, so zadd_acknowledged = present + lost
// is a check of the accounting, not an identity.

// zaddLog remembers the acknowledged ZADDs and when the client saw the
// Redis step fail.
type zaddLog struct {
	acked               []string
	firstMiss, lastMiss time.Time
	oks                 []time.Time // starts of writes whose ZADD succeeded
}

// note is called under writeLog.mu for every completed write.
func (z *zaddLog) note(w demo.Write) {
	switch {
	case w.ZAddMissed():
		if z.firstMiss.IsZero() || w.Started.Before(z.firstMiss) {
			z.firstMiss = w.Started
		}
		if w.Started.After(z.lastMiss) {
			z.lastMiss = w.Started
		}
	case w.Outcome == demo.Acknowledged && w.ProjectionErr == nil && w.PostID != "":
		z.acked = append(z.acked, w.PostID)
		z.oks = append(z.oks, w.Started)
	}
}

// outage is the Redis step's outage as the client saw it: from the first
// write whose ZADD missed to the first write after the last miss whose
// ZADD succeeded (to the last miss when none did). 0 when no ZADD missed:
// a partition the client never noticed.
func (z *zaddLog) outage() time.Duration {
	if z.firstMiss.IsZero() {
		return 0
	}
	end := z.lastMiss
	var firstOK time.Time
	for _, t := range z.oks {
		if t.After(z.lastMiss) && (firstOK.IsZero() || t.Before(firstOK)) {
			firstOK = t
		}
	}
	if !firstOK.IsZero() {
		end = firstOK
	}
	return end.Sub(z.firstMiss)
}

// accountFailover fills the report's acknowledged-then-lost figures from
// the check made before any repair.
func accountFailover(ctx context.Context, rec *demo.Reconciler, before demo.Drift, writes *writeLog, rep *Report) error {
	writes.mu.Lock()
	acked := append([]string(nil), writes.zadd.acked...)
	outage := writes.zadd.outage()
	writes.mu.Unlock()
	missing := map[string]bool{}
	for _, id := range before.MissingPostIDs() {
		missing[id] = true
	}
	present, err := rec.FeedPostIDs(ctx)
	if err != nil {
		return err
	}
	r := &rep.Redis
	r.ZAddAcknowledged = len(acked)
	for _, id := range acked {
		if missing[id] {
			r.AcknowledgedThenLost++
		}
		if present[id] {
			r.AcknowledgedPresent++
		}
	}
	r.OutageMs = ms(outage)
	return nil
}
