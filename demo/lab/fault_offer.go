package lab

// TopologyOffers reports whether a lab of topology t has the kind at all,
// as a front end's menu needs to know: the ha kinds exist only on ha, and
// ha has no use for the kinds that act on "the" single Redis (see
// topologyRefuses). A kind it offers may still be unavailable on one lab
// (Lab.SupportsFault says why); a kind it does not offer is better left
// out of a menu than listed as refused.
func TopologyOffers(t Topology, kind FaultKind) bool {
	d, ok := faultDefOf(kind)
	if !ok {
		return false
	}
	if t != TopologyHA {
		return d.Needs != NeedHA
	}
	return d.Needs == NeedHA || d.Target == TargetPostgres
}
