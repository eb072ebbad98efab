package cli

import (
	"fmt"
	"strings"

	"cqrslab/demo/lab"
)

// printHAConnections adds the ha topology's Sentinels to printConnections:
// the Redis line there is only the primary the lab started with, which a
// failover demotes.
func printHAConnections(stdio Stdio, info lab.Info) {
	if r := info.PostgresReplica; r != nil {
		fmt.Fprintf(stdio.Out, "  PG replica: %s\n              (streaming from the primary; read-only, reached directly)\n",
			r.PsqlCommand())
	}
	if len(info.Redis.Sentinels) == 0 {
		return
	}
	fmt.Fprintf(stdio.Out, "  Sentinels:  %s\n              (master %q; the Redis line above is the first primary only)\n",
		strings.Join(info.Redis.Sentinels, ", "), info.Redis.MasterName)
	host, port, _ := strings.Cut(info.Redis.Sentinels[0], ":")
	fmt.Fprintf(stdio.Out, "              where is the primary now: REDISCLI_AUTH=%s redis-cli -h %s -p %s "+
		"sentinel get-master-addr-by-name %s\n", info.Redis.Password, host, port, info.Redis.MasterName)
}

// printHAFaultHelp replaces the single lab's fault help on topology ha.
func printHAFaultHelp(stdio Stdio) {
	fmt.Fprintf(stdio.Out, "\nBreak it on purpose (from another terminal):\n"+
		"  cqrslab fault inject %s  (Sentinel promotes a replica)\n"+
		"  cqrslab fault heal %s    (after the failover: a new replica)\n"+
		"  cqrslab fault inject %s     (the primary takes writes alone)\n"+
		"  cqrslab fault heal %s       (it rejoins: those writes are gone)\n"+
		"  cqrslab reconcile --repair             (puts them back from PostgreSQL)\n"+
		"  cqrslab fault inject %s=5s (a replica frozen 5 s: Sentinel marks\n"+
		"                                            it down, writes go on, nothing lost)\n"+
		"  cqrslab fault inject %s      (the PG replica stops applying WAL:\n"+
		"                                            psql the replica, then the primary)\n"+
		"  PostgreSQL faults work as usual; Redis network faults and pause/stop\n"+
		"  act on one Redis, so this topology refuses them.\n",
		lab.FaultRedisPrimaryKill, lab.FaultRedisPrimaryKill, lab.FaultRedisPartition, lab.FaultRedisPartition,
		lab.FaultRedisReplicaPause, lab.FaultPGReplicaLag)
}
