package demo

import (
	"strings"
	"testing"
)

// clusterSlot is Redis Cluster's key slot (CRC16/XMODEM of the key, or of
// its hash tag, modulo 16384), written out here so the test does not take
// the rule from the code it checks.
func clusterSlot(key string) int {
	if open := strings.IndexByte(key, '{'); open >= 0 {
		if end := strings.IndexByte(key[open+1:], '}'); end > 0 {
			key = key[open+1 : open+1+end]
		}
	}
	var crc uint16
	for i := 0; i < len(key); i++ {
		crc ^= uint16(key[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return int(crc) % 16384
}

// TestRebuildTmpKeyShareTheLiveKeysSlot: the rebuild RENAMEs its temporary
// key over the live feed, which Redis Cluster allows within one slot only;
// for every shape of key prefix the temporary key must hash where the live
// key does, stay under the prefix (a namespace's clean-up finds it), and be
// recognised as a rebuild key. The feeds themselves carry no tag: four
// authors must not all land in one slot.
func TestRebuildTmpKeyShareTheLiveKeysSlot(t *testing.T) {
	if clusterSlot("123456789") != 0x31C3%16384 || clusterSlot("foo") != 12182 {
		t.Fatalf("the test's CRC16 is wrong: %d %d", clusterSlot("123456789"), clusterSlot("foo"))
	}
	for _, prefix := range []string{"", "cqrslab:", "exp_cluster_primary_loss_seed_abc123:", "{team}:"} {
		slots := map[int]bool{}
		for _, a := range []string{"alice", "bob", "carol", "dave"} {
			live := prefix + "feed:" + a
			tmp := rebuildTmpKey(prefix, live, "lw3k2")
			if clusterSlot(tmp) != clusterSlot(live) {
				t.Errorf("prefix %q: %q in slot %d, live %q in slot %d", prefix, tmp, clusterSlot(tmp), live, clusterSlot(live))
			}
			if !strings.HasPrefix(tmp, prefix) || !IsRebuildKey(tmp) || tmp == live {
				t.Errorf("prefix %q: temporary key %q is not under the prefix, not a rebuild key, or the live key", prefix, tmp)
			}
			slots[clusterSlot(live)] = true
		}
		if !hasHashTag(prefix) && len(slots) < 2 {
			t.Errorf("prefix %q: all four feeds in one slot; feeds must spread", prefix)
		}
	}
	if IsRebuildKey("feed:alice") || IsRebuildKey("cqrslab:feed:rebuilder") {
		t.Error("a feed key taken for a rebuild key")
	}
}
