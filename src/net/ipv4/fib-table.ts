// Routing tables: insertion with the kernel's ordering rules and
// longest-prefix lookup (net/ipv4/fib_trie.c: fib_table_insert,
// fib_table_delete, fib_table_lookup). See FibTable for the structure. A change
// flushes its namespace's cached routes (rt_cache_flush: rt-genid.ts), so the
// mutators take the namespace, as the kernel's take their struct net.
import { networkAddress, prefixMask, type Ipv4Address, type Ipv4Prefix } from "../../model/address.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { FibTable, Route } from "../../model/route.js";
import { rtGenidBump } from "../core/rt-genid.js";

export function createFibTable(id: number): FibTable {
  return { id, byLength: new Map(), lengths: [] };
}

/** The aliases for exactly this prefix, in kernel order (empty when none). */
export function fibAliases(table: FibTable, prefix: Ipv4Prefix): readonly Route[] {
  return table.byLength.get(prefix.length)?.get(prefix.address) ?? [];
}

function aliasList(table: FibTable, prefix: Ipv4Prefix): Route[] {
  let byAddress = table.byLength.get(prefix.length);
  if (!byAddress) {
    byAddress = new Map();
    table.byLength.set(prefix.length, byAddress);
    table.lengths = [...table.byLength.keys()].sort((a, b) => b - a);
  }
  let aliases = byAddress.get(prefix.address);
  if (!aliases) {
    aliases = [];
    byAddress.set(prefix.address, aliases);
  }
  return aliases;
}

function forgetIfEmpty(table: FibTable, prefix: Ipv4Prefix): void {
  const byAddress = table.byLength.get(prefix.length);
  if (!byAddress) return;
  if (byAddress.get(prefix.address)?.length === 0) byAddress.delete(prefix.address);
  if (byAddress.size === 0) {
    table.byLength.delete(prefix.length);
    table.lengths = [...table.byLength.keys()].sort((a, b) => b - a);
  }
}

export type InsertMode = "append" | "prepend" | "exclusive";

/**
 * fib_table_insert(): aliases of one prefix stay sorted by metric. `append`
 * (NLM_F_APPEND, what fib_magic() uses for kernel routes) goes after every
 * alias of the same metric; `prepend` before them; `exclusive` (plain
 * `ip route add`) refuses when any alias of the same metric exists.
 * Returns false for an exclusive clash.
 */
export function fibTableInsert(namespace: NetworkNamespace, table: FibTable, route: Route, mode: InsertMode): boolean {
  rtGenidBump(namespace);
  const aliases = aliasList(table, route.prefix);
  const sameMetric = aliases.findIndex((alias) => alias.metric === route.metric);
  if (mode === "exclusive" && sameMetric !== -1) {
    forgetIfEmpty(table, route.prefix);
    return false;
  }
  let position: number;
  if (mode === "prepend") {
    position = aliases.findIndex((alias) => alias.metric >= route.metric);
  } else {
    position = aliases.findIndex((alias) => alias.metric > route.metric);
  }
  if (position === -1) position = aliases.length;
  aliases.splice(position, 0, route);
  return true;
}

/** Removes the aliases the predicate selects; returns how many went. */
export function fibTableRemove(namespace: NetworkNamespace, table: FibTable, predicate: (route: Route) => boolean): number {
  rtGenidBump(namespace);
  let removed = 0;
  for (const length of [...table.lengths]) {
    const byAddress = table.byLength.get(length)!;
    for (const [address, aliases] of [...byAddress]) {
      const kept = aliases.filter((route) => !predicate(route));
      removed += aliases.length - kept.length;
      if (kept.length !== aliases.length) {
        aliases.splice(0, aliases.length, ...kept);
        forgetIfEmpty(table, { address, length });
      }
    }
  }
  return removed;
}

/** Removes one given alias (by identity). */
export function fibTableDelete(namespace: NetworkNamespace, table: FibTable, route: Route): boolean {
  rtGenidBump(namespace);
  const aliases = table.byLength.get(route.prefix.length)?.get(route.prefix.address);
  const index = aliases?.indexOf(route) ?? -1;
  if (!aliases || index === -1) return false;
  aliases.splice(index, 1);
  forgetIfEmpty(table, route.prefix);
  return true;
}

/** Replaces one alias (by identity) in place. */
export function fibTableReplace(namespace: NetworkNamespace, table: FibTable, old: Route, replacement: Route): void {
  rtGenidBump(namespace);
  const aliases = table.byLength.get(old.prefix.length)?.get(old.prefix.address);
  const index = aliases?.indexOf(old) ?? -1;
  if (aliases && index !== -1) aliases[index] = replacement;
}

export interface FibMatch {
  readonly route: Route;
  /** Every alias of the matched prefix, in order, for the trace. */
  readonly candidates: readonly Route[];
}

/**
 * fib_table_lookup(): the longest prefix holding an alias the caller can
 * use; within it the first usable alias (lowest metric, then list order).
 * A prefix whose aliases are all unusable is skipped, as the kernel
 * backtracks to a shorter one.
 */
export function fibTableLookup(table: FibTable, destination: Ipv4Address, usable: (route: Route) => boolean): FibMatch | undefined {
  for (const length of table.lengths) {
    const aliases = table.byLength.get(length)!.get(length === 0 ? 0 : (destination & prefixMask(length)) >>> 0);
    if (!aliases) continue;
    const route = aliases.find(usable);
    if (route) return { route, candidates: aliases };
  }
  return undefined;
}

/** Every route, in `ip route` dump order: address ascending, longer prefix first, then alias order. */
export function fibTableDump(table: FibTable): Route[] {
  const keys: Ipv4Prefix[] = [];
  for (const [length, byAddress] of table.byLength) for (const address of byAddress.keys()) keys.push({ address, length });
  keys.sort((a, b) => a.address - b.address || b.length - a.length);
  return keys.flatMap((key) => table.byLength.get(key.length)!.get(key.address)!);
}

export function isNetworkPrefix(prefix: Ipv4Prefix): boolean {
  return networkAddress(prefix.address, prefix.length) === prefix.address;
}
