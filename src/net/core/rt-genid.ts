// The routing generation id (include/net/net_namespace.h: rt_genid_ipv4,
// rt_genid_bump_ipv4): cached routing results (route.ts's dst cache) and
// offloaded flows (nf-flow-table.ts) carry the id they were made under and
// are stale once it moved. The kernel bumps it when the FIB or an address
// changes; the model bumps it on every configuration change (each rtnetlink
// operation, iptables ruleset, sysctl, address or route), because the
// model's caches also stand in for rule walks the kernel's flowtable skips.
// One counter for all namespaces and worlds: a change anywhere (a veth peer
// in another namespace, another world) invalidates every cache, which costs
// a slow-path packet and is always safe.
let genid = 0;

/** The current generation. */
export function rtGenid(): number {
  return genid;
}

/** Something a cached decision may depend on changed (rt_genid_bump_ipv4): every cache goes stale. */
export function rtGenidBump(): void {
  genid++;
}
