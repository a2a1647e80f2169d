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
// a copy of the world starts again at 0 with no caches. A namespace's id is
// its own count plus the world's, which every namespace shares (one object),
// so a bump of all of them is one increment, not one per container.
import { derivedOf } from "../../model/derived.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { World } from "../../model/world.js";

/** The world's share of every namespace's generation. */
interface WorldGeneration {
  value: number;
}

declare module "../../model/netns.js" {
  interface NamespaceDerived {
    rtGenid?: number;
    /** The world's generation, shared by all its namespaces (rtGenidBumpWorld). */
    rtGenidWorld?: WorldGeneration;
  }
}

declare module "../../model/world.js" {
  interface WorldDerived {
    rtGenidWorld?: WorldGeneration;
  }
}

/** rt_genid_ipv4(): the namespace's current generation (both counts only grow, so their sum moves with either). */
export function rtGenid(namespace: NetworkNamespace): number {
  const derived = namespace.derived;
  return derived === undefined ? 0 : (derived.rtGenid ?? 0) + (derived.rtGenidWorld?.value ?? 0);
}

/** rt_genid_bump_ipv4(): something the namespace's cached decisions may depend on changed; they all go stale. */
export function rtGenidBump(namespace: NetworkNamespace): void {
  const derived = derivedOf(namespace);
  derived.rtGenid = (derived.rtGenid ?? 0) + 1;
}

/** A configuration change that may reach across namespaces (an rtnetlink operation): every namespace's caches go stale. */
export function rtGenidBumpWorld(world: World): void {
  const derived = derivedOf(world);
  let generation = derived.rtGenidWorld;
  if (generation === undefined) {
    // The first bump of this world (a fresh one, or a copy): its namespaces join the shared count.
    generation = derived.rtGenidWorld = { value: 0 };
    for (const namespace of world.namespaces.values()) rtGenidJoinWorld(world, namespace);
  }
  generation.value++;
}

/** A new namespace takes its world's shared count (from createNamespace). */
export function rtGenidJoinWorld(world: World, namespace: NetworkNamespace): void {
  const generation = world.derived?.rtGenidWorld;
  if (generation !== undefined) derivedOf(namespace).rtGenidWorld = generation;
}
