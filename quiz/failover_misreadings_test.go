package quiz

import (
	"fmt"
	"testing"
)

// TestFailoverMisreadings: on the acknowledged-then-lost prompt an answer
// can name asynchronous replication, the promotion and the silent success,
// and still get the loss wrong: a mechanism said to guarantee that an
// acknowledged member survives the failover, a cause that contradicts the
// prompt (the ZADD "really" failed, the failover clears the feed keys),
// reads served from PostgreSQL, or a feed that mends itself. Blind set F's
// three false passes were all of this kind (0.63-0.84); these are our own
// phrasings of the same ideas. The right story nearby must still pass.
func TestFailoverMisreadings(t *testing.T) {
	b := embedded(t)
	const q = "acknowledged-then-lost"
	story := "Replication to the replicas is asynchronous, so the primary said OK to the ZADD before any replica had the member, and Sentinel promoted a replica that lacked it. Nobody saw an error: CreatePost had already returned success. "
	for _, tc := range []struct{ name, answer, mis string }{
		{"wait-cannot-drop", story + "Postgres still holds the post. The cure is WAIT 1 0 after each ZADD: from then on Redis answers only when a replica holds the member, so no failover could ever drop an acked post and the reconciler is redundant.", "failover-never-loses"},
		{"sentinel-ensures", "Sentinel makes sure every acknowledged write already sits on a replica, so the promotion could not have dropped the member. Instead the ZADD must have errored and CreatePost swallowed it with a warning, so nobody noticed. Postgres has the post; make CreatePost propagate the Redis error.", "failover-never-loses"},
		{"zadd-really-failed", story + "Actually the ZADD itself failed on the primary and only a warning was logged. Postgres keeps the post and the reconciler re-adds it from Postgres.", "invented-cause"},
		{"failover-wipes-keys", "During a failover Sentinel clears the feed keys on the promoted node so that readers start from a clean slate. That is routine, so no error is raised. Readers then read the feed from PostgreSQL until Redis fills up again, so it heals on its own.", "invented-cause"},
		{"keys-cleared-no-error", "Sentinel wipes the feed keys on the promoted node during a failover, and no error is raised because that is routine. Postgres has the post and a reconciler compares each feed with Postgres and re-adds it.", "invented-cause"},
		{"mends-itself-no-one", story + "Postgres still has the row. The feed mends itself as the cache warms up, and no one has to do anything.", "self-healing"},
		{"sentinel-ensures-no-reconciler", story + "Postgres still has the row. Sentinel ensures every acknowledged write reaches a replica first, so no reconciler is needed.", "failover-never-loses"},
		{"reads-fall-back", story + "Postgres has the post, and until the reconciler re-adds the member GetFeed just falls back to PostgreSQL, so readers still see it.", "reads-from-postgres"},
		{"heals-itself", story + "Postgres still has the row. The feed mends itself over time as the cache warms up again, so nothing has to be done.", "self-healing"},
		{"right-story", story + "PostgreSQL committed the post first and still has it. A reconciler that compares each feed with PostgreSQL after every failover finds the missing member and adds it back; WAIT 1 narrows the window at a latency cost but guarantees nothing.", ""},
		{"right-old-primary", "In a split brain the old primary keeps taking ZADDs, answering OK before any replica has them; when it rejoins, Sentinel demotes it and it flushes its data to resync from the new primary, so those members are gone. Nobody saw an error, since CreatePost had already returned success. Postgres still has the posts, and the reconciler diffs each feed against Postgres and re-adds them.", ""},
	} {
		wantVerdict(t, b, tc.name, q, tc.answer, tc.mis)
	}
}

// TestRepairNotFromAFix: the reconciler point is the feed rebuilt from
// PostgreSQL; "the fix is to …" proposing something else, or a feed said to
// repair itself, does not earn it.
func TestRepairNotFromAFix(t *testing.T) {
	b := embedded(t)
	for _, answer := range []string{
		"Replication is asynchronous, so the replica lacked the member when Sentinel promoted it, and no error was seen. The fix is to return the error to the client so it knows the feed was not updated.",
		"Replication is asynchronous, so the replica lacked the member when Sentinel promoted it, and no error was seen. It repairs itself automatically later.",
	} {
		res := grade(t, b, "acknowledged-then-lost", answer)
		for _, id := range res.FoundIDs() {
			if id == "reconciler-repairs" {
				t.Errorf("credited reconciler-repairs from %q", answer)
			}
		}
	}
}

// TestFailoverMisreadingsBeyondF: the same prompt's other wrong stories,
// written as probes after F: disk persistence as what makes the member
// survive a failover, PostgreSQL said to have lost the row too, the write
// sent to a read-only replica, Sentinel replaying writes it keeps, and the
// ZADD moved into the PostgreSQL transaction. Each passed at 0.79-1.00
// with every key point beside it; the right remark next to each must not
// be flagged.
func TestFailoverMisreadingsBeyondF(t *testing.T) {
	b := embedded(t)
	const q = "acknowledged-then-lost"
	story := "The primary answers OK to the ZADD before streaming it to the replicas, so the replica Sentinel promoted never received the member. No error appeared: CreatePost had already returned success. PostgreSQL keeps the post. "
	fix := " A reconciler diffing every feed against PostgreSQL after each failover puts the member back."
	for _, tc := range []struct{ name, answer, mis string }{
		{"fsync-always", story + "Set appendfsync to always and every acked ZADD is durable on disk, so the next failover would keep it." + fix, "failover-never-loses"},
		{"aof-denied", story + "AOF on the old primary's disk does not help, since the promoted replica never had the member." + fix, ""},
		{"pg-lost-too", story + "But PostgreSQL dropped the row as well during the failover, so the reconciler has nothing to restore from.", "post-lost"},
		{"pg-kept", story + "PostgreSQL never lost the row, so the reconciler can restore the member from it." + fix, ""},
		{"read-only-replica", "The client wrote the ZADD to a read-only replica, which quietly rejected it, so the member never reached the feed. No error surfaced. PostgreSQL still has the post and a reconciler diffing each feed against it after failovers re-adds the member. Replication is asynchronous too.", "invented-cause"},
		{"sentinel-replays", story + "Normally Sentinel buffers every write and replays it on the new primary; this time the replay lagged." + fix, "invented-cause"},
		{"sentinel-watches", story + "Sentinel only watches the nodes and picks the new primary; it holds no data of its own." + fix, ""},
		{"one-transaction", story + "To stop this, put the ZADD inside the PostgreSQL transaction, so both commit or neither does." + fix, "one-transaction"},
	} {
		wantVerdict(t, b, tc.name, q, tc.answer, tc.mis)
	}
}

// TestFailoverVoices: correct answers to the same prompt in the voices the
// blind sets use (terse notes, a timeline, an everyday analogy with its own
// mapping, a hedge, split-brain jargon) pass with no misconception: the
// rules above must not fire on them. The analogy scored 0.58 ("nobody
// complained", "nods but has not yet told the others" were not read) and
// 0.01 under a first, too wide, post-lost rule.
func TestFailoverVoices(t *testing.T) {
	b := embedded(t)
	for i, a := range []string{
		// terse list
		"async replication: primary ACKs ZADD, replicates later. primary dies -> sentinel promotes replica w/o the member -> member gone. no error anywhere: ZADD returned OK, CreatePost returned success long before. PG still has the row. fix: reconciler diffs feed vs PG after every failover, re-adds missing. WAIT 1 narrows window, costs latency, no guarantee.",
		// timeline
		"t0 INSERT commits in PG\nt1 ZADD on primary -> OK, CreatePost returns success\nt2 primary crashes before the replica got the member\nt3 Sentinel promotes the replica, which lacks it\nt4 feed is missing the post; nobody saw an error\nrepair: reconciler compares feed with PG and re-adds it",
		// analogy
		"Think of a teacher who writes a grade in the official register (PostgreSQL) and then tells one assistant to copy it onto the classroom board (Redis). The assistant nods (the OK) but has not yet told the other assistants. Then he goes home sick, and another assistant takes over the board without that grade. Nobody complained, because the teacher already got the nod. The register still has the grade, so the next morning someone compares the board with the register and adds what is missing (the reconciler).",
		// hedging
		"I think what happens is Redis replicates asynchronously, so the primary probably said OK before any replica had the post. If the primary then died, Sentinel would promote a replica that doesn't have it. I don't think anything reports an error, since CreatePost already returned success. Postgres should still have the post, so I believe the reconciler, comparing the feed with Postgres, would find it missing and add it back. Maybe WAIT helps a bit, but it is not a guarantee.",
		// split brain jargon
		"Split brain: the old master got partitioned from the Sentinels and replicas but the app could still reach it, so it kept acking ZADDs. Sentinel elected a new master. When the partition healed the old master was demoted, did a full resync and discarded its writes. Nothing errored because every ZADD had returned OK. Postgres is the source of truth and still has the posts; the reconciler diffs each feed against Postgres and backfills the missing members. min-replicas-to-write reduces the window at some latency cost.",
	} {
		wantVerdict(t, b, fmt.Sprintf("voice-%d", i), "acknowledged-then-lost", a, "")
	}
}

// TestFailoverWrongRepairsAndCauses: a second round of own probes on the
// same prompt, each passing at 0.69-1.00 before: a ZADD that timed out,
// a loss put down to the network or to the author deleting the post, a
// promotion that "lets nothing acknowledged go missing", and repairs that
// do not exist (the author reposts, a restart reloads the AOF, the outbox
// redelivers). A WAIT that times out, a partition that cuts the primary
// off, and the old primary's data are the right story and stay unflagged.
func TestFailoverWrongRepairsAndCauses(t *testing.T) {
	b := embedded(t)
	const q = "acknowledged-then-lost"
	story := "Redis acknowledged the ZADD before any replica had copied it, since replication is asynchronous, and Sentinel promoted a replica that lacked the member. CreatePost had long returned success, so no error was ever seen. Postgres still holds the post. "
	fix := " A reconciler comparing each feed with Postgres adds the member back."
	for _, tc := range []struct{ name, answer, mis string }{
		{"zadd-timed-out", story + "Really, the ZADD timed out on the primary and its warning went unread." + fix, "invented-cause"},
		{"network-ate-it", story + "The network dropped the ZADD on the way, although the client was told OK." + fix, "invented-cause"},
		{"author-deleted", story + "Most likely the author deleted the post themselves." + fix, "invented-cause"},
		{"nothing-goes-missing", story + "Sentinel always picks the replica with the newest data, so nothing acknowledged can go missing." + fix, "failover-never-loses"},
		{"author-reposts", story + "The easiest repair is to have the author publish it again.", "post-lost"},
		{"restart-aof", story + "Restarting Redis reloads the feed from its AOF file and brings the post back.", "self-healing"},
		{"outbox-redelivers", story + "The outbox redelivers the ZADD to the new primary, so the feed is whole again.", "client-gets-error"},
		{"wait-times-out", story + "With WAIT 1 50, a ZADD that no replica confirms in time times out and becomes a visible failure, which narrows the window." + fix, ""},
		{"partition", "A network partition cut the primary off from its replicas and the Sentinels while the app could still reach it, so it kept acknowledging ZADDs; when it rejoined as a replica it discarded them. CreatePost had returned success, so no error was seen. Postgres still holds the posts." + fix, ""},
	} {
		wantVerdict(t, b, tc.name, q, tc.answer, tc.mis)
	}
}

// TestFailoverDenialsPass: correct answers that deny the wrong causes and
// repairs the rules above look for ("the ZADD did not fail", "not
// evicted", "does not need to post again", "restarting would not help",
// "Sentinel holds no data", a WAIT that "times out", a partition whose
// writes "were lost") pass with no misconception.
func TestFailoverDenialsPass(t *testing.T) {
	b := embedded(t)
	for i, a := range []string{
		"The ZADD did not fail and the key was not evicted: replication is asynchronous, so the primary answered OK before the replicas had the member, then crashed, and Sentinel promoted a replica that never received it. Nothing errored, since CreatePost had already returned success. The author does not need to post again, because Postgres committed the post first and still has it; the reconciler compares the feed with Postgres and re-adds it.",
		"Redis says OK as soon as the primary has the write; copying to replicas happens afterwards. A network partition isolated the primary, it kept accepting ZADDs, Sentinel promoted a replica, and when the partition healed the old primary resynced and its writes were lost. No error, no warning: the ack came before the loss. Retries, the breaker and the outbox never see it. Postgres has every post, so the reconciler that diffs feeds against Postgres after each failover puts them back.",
		"Asynchronous replication: the ack to the ZADD does not wait for replicas. If the primary dies first, the promoted replica lacks the member. CreatePost already returned success, so nothing reported an error. Restarting Redis would not help either, since the new primary never had it. PostgreSQL is the source of truth and still has the post; a reconciler comparing feeds with PostgreSQL re-adds it. WAIT 1 100 can reduce this at a latency cost, and a ZADD that times out under WAIT becomes a visible failure, but it is still no guarantee.",
		"Because Redis acks before replicating, a failover can lose an acknowledged ZADD: Sentinel promoted a replica that had not got it yet. There was no error because the write had already succeeded from the client's side. Sentinel holds no data itself; it just picks the new primary. Postgres still contains the post, so the reconciler, which checks each feed against Postgres, finds the gap and fixes it.",
	} {
		wantVerdict(t, b, fmt.Sprintf("denial-%d", i), "acknowledged-then-lost", a, "")
	}
}

// TestOldPrimaryWipeIsRight: the old primary wiping its own data when
// Sentinel turns it into a replica is how a split brain loses writes; the
// rule for a failover that clears the feed keys must not flag it.
func TestOldPrimaryWipeIsRight(t *testing.T) {
	b := embedded(t)
	wantVerdict(t, b, "old-primary-wipe", "acknowledged-then-lost", "Cut off in a split brain, the old primary kept acknowledging ZADDs before any replica had them. When the partition healed, Sentinel reconfigured it as a replica of the new primary and it wiped its dataset to resync, so those members were gone. No error was seen: CreatePost had returned success. Postgres still has every post, and the reconciler diffs each feed against Postgres and re-adds them.", "")
}
