package experiment

import (
	"context"
	"slices"
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
	lastMissEnd         time.Time
	oks                 []time.Time // starts of writes whose ZADD succeeded
	okEnds              []time.Time // when those writes returned
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
		if w.Ended.After(z.lastMissEnd) {
			z.lastMissEnd = w.Ended
		}
	case w.Outcome == demo.Acknowledged && w.ProjectionErr == nil && w.PostID != "":
		z.acked = append(z.acked, w.PostID)
		z.oks = append(z.oks, w.Started)
		z.okEnds = append(z.okEnds, w.Ended)
	case !w.Committed.IsZero():
		// Committed, then failed or unknown: under rollback a failed ZADD
		// fails the whole write. No ZADD succeeded here either.
		if w.Ended.After(z.lastMissEnd) {
			z.lastMissEnd = w.Ended
		}
	}
}

// stall is a failover's duration as the client saw it: the longest time
// in which no ZADD succeeded while the load kept writing (a steady open
// loop, so at 200 writes/s the quiet time is 5 ms). A failover's client
// mostly sees no error at all: go-redis asks Sentinel again and retries,
// so the ZADDs issued after the kill wait and then all succeed together
// on the promoted replica; the gap between two successful ZADDs is then
// the failover. ZADDs that failed meanwhile (a timeout, WAIT short of
// replicas, a write the rollback policy undid) leave the same gap, and a
// gap still open when the load ended runs to the last failed write's
// return.
func (z *zaddLog) stall() time.Duration {
	ends := slices.Clone(z.okEnds)
	slices.SortFunc(ends, func(a, b time.Time) int { return a.Compare(b) })
	var longest time.Duration
	for i := 1; i < len(ends); i++ {
		longest = max(longest, ends[i].Sub(ends[i-1]))
	}
	if n := len(ends); n > 0 && z.lastMissEnd.After(ends[n-1]) {
		longest = max(longest, z.lastMissEnd.Sub(ends[n-1]))
	}
	return longest
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
	stall := writes.zadd.stall()
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
	r.FailoverMs = ms(stall)
	return nil
}
