// The routing generation id (include/net/net_namespace.h: rt_genid_ipv4,
// rt_genid_bump_ipv4; net/ipv4/route.c: rt_cache_flush): cached routing
// results (route.ts's dst cache) and offloaded flows (nf-flow-table.ts)
// carry the id of their namespace they were made under and are stale once
// it moved. As in the kernel the id is the namespace's own, so a change in
// one container leaves the others' caches warm. The kernel bumps it when the
// FIB or an address changes; the model bumps it on every configuration
// change of the namespace (its FIB tables, iptables and nft rulesets, ipsets,
// sysctls), because the model's caches also stand in for rule walks the
// kernel's flowtable skips. A link operation can reach other namespaces (a
// veth peer's carrier, a device moved): every rtnetlink operation bumps all
// of the world's namespaces, which costs each a slow-path packet and is
// always safe.
//
// The id lives with the caches it guards, in the namespace's derived state:
// a copy of the world starts again at 0 with no caches.
import { derivedOf } from "../../model/derived.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { World } from "../../model/world.js";

declare module "../../model/netns.js" {
  interface NamespaceDerived {
    rtGenid?: number;
  }
}

/** rt_genid_ipv4(): the namespace's current generation. */
export function rtGenid(namespace: NetworkNamespace): number {
  return namespace.derived?.rtGenid ?? 0;
}

/** rt_genid_bump_ipv4(): something the namespace's cached decisions may depend on changed; they all go stale. */
export function rtGenidBump(namespace: NetworkNamespace): void {
  const derived = derivedOf(namespace);
  derived.rtGenid = (derived.rtGenid ?? 0) + 1;
}

/** A configuration change that may reach across namespaces (an rtnetlink operation): every namespace's caches go stale. */
export function rtGenidBumpWorld(world: World): void {
  for (const namespace of world.namespaces.values()) rtGenidBump(namespace);
}
