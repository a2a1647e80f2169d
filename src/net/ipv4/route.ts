// Route resolution (net/ipv4/route.c: ip_route_output_key_hash_rcu,
// ip_route_input_slow; fib_rules: the default rules look in local, then main).
import { derivedOf } from "../../model/derived.js";
import { isLoopbackAddress, LIMITED_BROADCAST, type Ipv4Address } from "../../model/address.js";
import type { Errno } from "../../model/errno.js";
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { RT_TABLE_LOCAL, RT_TABLE_MAIN, tableName, type Route, type RouteType } from "../../model/route.js";
import { deviceByIndex, LOOPBACK_IFINDEX } from "../core/net-namespace.js";
import { rtGenid } from "../core/rt-genid.js";
import { inetSelectAddress, RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE } from "./devinet.js";
import type { MartianCause } from "../../model/trace-reason.js";
import { fibTableLookup, type FibMatch } from "./fib-table.js";

export interface FibResult {
  readonly route: Route;
  readonly candidates: readonly Route[];
  readonly table: string;
}

/** The rules `ip rule` shows on a fresh namespace: 0 local, 32766 main, 32767 default (empty). */
const DEFAULT_RULE_TABLES = [RT_TABLE_LOCAL, RT_TABLE_MAIN];

/** fib_lookup(): the first table of the rule list with a match. */
export function fibLookup(namespace: NetworkNamespace, destination: Ipv4Address, outputInterface?: number): FibResult | undefined {
  for (const id of DEFAULT_RULE_TABLES) {
    const table = namespace.tables.get(id);
    if (!table) continue;
    const match: FibMatch | undefined = fibTableLookup(table, destination, (route) => {
      // fib_table_lookup() honours a bound output interface (SO_BINDTODEVICE, ping -I)
      // for unicast nexthops; local and broadcast routes answer regardless.
      if (outputInterface === undefined || route.type === "local" || route.type === "broadcast") return true;
      return route.nexthop?.deviceIndex === outputInterface;
    });
    if (match) return { route: match.route, candidates: match.candidates, table: tableName(id) };
  }
  return undefined;
}

export interface OutputRoute {
  readonly type: RouteType;
  /** The device the packet leaves by (lo for local destinations). */
  readonly device: NetDevice;
  readonly source: Ipv4Address;
  /** Where the frame goes next: the gateway, or the destination itself. */
  readonly nexthop: Ipv4Address;
  readonly fib?: FibResult;
}

export type OutputRouteResult = { readonly ok: true; readonly route: OutputRoute } | { readonly ok: false; readonly errno: Errno; readonly fib?: FibResult };

function routeScopeValue(route: Route): number {
  return route.scope === "global" ? RT_SCOPE_UNIVERSE : route.scope === "link" ? RT_SCOPE_LINK : RT_SCOPE_HOST;
}

/*
 * The dst cache. ip_route_output and ip_route_input are pure functions of a
 * namespace's configuration (tables, addresses, devices, sysctls), so their
 * results are kept per namespace and reused while the routing generation
 * (rt-genid.ts) stands: the kernel keeps dst entries on its nexthops for the
 * same reason. Results are immutable records, so a cached one is the same
 * answer a fresh lookup gives, down to the objects a trace shows. Each map
 * is keyed by a 30-bit hash of the lookup's arguments, checked against the
 * arguments kept in the entry; a clash or a full map just recomputes.
 */
interface OutputCacheEntry {
  readonly destination: Ipv4Address;
  readonly source: number;
  readonly outputInterface: number;
  readonly result: OutputRouteResult;
}

interface InputCacheEntry {
  readonly deviceIndex: number;
  readonly source: Ipv4Address;
  readonly destination: Ipv4Address;
  readonly result: InputRouteResult;
}

interface DstCache {
  readonly genid: number;
  readonly output: Map<number, OutputCacheEntry>;
  readonly input: Map<number, InputCacheEntry>;
}

/** Entries per map before it is emptied: bounds memory for worlds with many flows. */
const DST_CACHE_LIMIT = 4096;

// The dst cache is the namespace's derived state (model/derived.ts).
declare module "../../model/netns.js" {
  interface NamespaceDerived {
    dstCache?: DstCache;
  }
}

function dstCache(namespace: NetworkNamespace): DstCache {
  const genid = rtGenid(namespace);
  const derived = derivedOf(namespace);
  let cache = derived.dstCache;
  if (cache === undefined || cache.genid !== genid) {
    cache = { genid, output: new Map(), input: new Map() };
    derived.dstCache = cache;
  }
  return cache;
}

/** A 30-bit mix of three 32-bit values (small integers stay V8 Smis as Map keys). */
function lookupHash(first: number, second: number, third: number): number {
  let hash = Math.imul(first ^ 0x9e3779b9, 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13) ^ second, 0xc2b2ae35);
  hash = Math.imul(hash ^ (hash >>> 16) ^ third, 0x27d4eb2f);
  return (hash ^ (hash >>> 15)) & 0x3fffffff;
}

/**
 * ip_route_output_key_hash_rcu(): the route for a locally generated packet
 * and the source address it gets when the socket did not choose one.
 */
export function ipRouteOutput(
  namespace: NetworkNamespace,
  destination: Ipv4Address,
  options: { source?: Ipv4Address; outputInterface?: number } = {},
): OutputRouteResult {
  const source = options.source ?? -1;
  const outputInterface = options.outputInterface ?? -1;
  const cache = dstCache(namespace).output;
  const hash = lookupHash(destination, source, outputInterface);
  const cached = cache.get(hash);
  if (cached !== undefined && cached.destination === destination && cached.source === source && cached.outputInterface === outputInterface) return cached.result;
  const result = ipRouteOutputSlow(namespace, destination, options);
  if (cache.size >= DST_CACHE_LIMIT) cache.clear();
  cache.set(hash, { destination, source, outputInterface, result });
  return result;
}

/**
 * __mkroute_output(): a packet from 127.0.0.0/8 leaves by a device other
 * than lo only where route_localnet is on (the device or all), else EINVAL.
 */
function mkrouteOutput(namespace: NetworkNamespace, route: OutputRoute): OutputRouteResult {
  const { device } = route;
  if (isLoopbackAddress(route.source) && device.kind !== "loopback" && !(device.conf.routeLocalnet || namespace.sysctl.confAll.routeLocalnet)) {
    return route.fib ? { ok: false, errno: "EINVAL", fib: route.fib } : { ok: false, errno: "EINVAL" };
  }
  return { ok: true, route };
}

function ipRouteOutputSlow(namespace: NetworkNamespace, destination: Ipv4Address, options: { source?: Ipv4Address; outputInterface?: number }): OutputRouteResult {
  const loopback = deviceByIndex(namespace, LOOPBACK_IFINDEX);
  if (destination === 0) {
    // No destination means this host: daddr becomes saddr, or 127.0.0.1 for both, out through lo as RTN_LOCAL.
    const source = options.source ?? 0x7f000001;
    return { ok: true, route: { type: "local", device: loopback, source, nexthop: destination } };
  }
  const fib = fibLookup(namespace, destination, options.outputInterface);
  if (!fib) {
    if (options.outputInterface !== undefined) {
      // "Apparently, routing tables are wrong. Assume, that the destination is on link."
      const device = deviceByIndex(namespace, options.outputInterface);
      const source = options.source ?? inetSelectAddress(namespace, device, 0, RT_SCOPE_LINK) ?? 0;
      return mkrouteOutput(namespace, { type: "unicast", device, source, nexthop: destination });
    }
    return { ok: false, errno: "ENETUNREACH" };
  }
  const route = fib.route;
  switch (route.type) {
    case "local": {
      const source = options.source ?? route.preferredSource ?? destination;
      return { ok: true, route: { type: "local", device: loopback, source, nexthop: destination, fib } };
    }
    case "blackhole":
      return { ok: false, errno: "EINVAL", fib };
    case "unreachable":
      return { ok: false, errno: "EHOSTUNREACH", fib };
    case "prohibit":
      return { ok: false, errno: "EACCES", fib };
    case "broadcast":
    case "unicast": {
      const device = deviceByIndex(namespace, route.nexthop!.deviceIndex);
      const gateway = route.nexthop!.gateway;
      const nexthopScope = gateway === undefined ? RT_SCOPE_HOST : RT_SCOPE_LINK;
      const source =
        options.source ??
        route.preferredSource ??
        inetSelectAddress(namespace, device, gateway ?? 0, Math.min(nexthopScope, Math.max(routeScopeValue(route), RT_SCOPE_UNIVERSE))) ??
        0;
      return mkrouteOutput(namespace, { type: route.type, device, source, nexthop: gateway ?? destination, fib });
    }
  }
}

export type InputRouteResult =
  | { readonly kind: "local"; readonly fib?: FibResult }
  | { readonly kind: "broadcast"; readonly fib?: FibResult }
  | { readonly kind: "forward"; readonly route: OutputRoute; readonly fib: FibResult }
  /** Needs forwarding, but forwarding is off on the ingress device: dropped silently. */
  | { readonly kind: "forwarding-off"; readonly fib?: FibResult }
  /** ip_error(): no route (forwarding on: net unreachable), or an unreachable/prohibit/blackhole route. */
  | { readonly kind: "error"; readonly errno: Errno; readonly fib?: FibResult }
  | { readonly kind: "martian"; readonly reason: "IP_LOCALNET" | "IP_INVALID_SOURCE" | "IP_RPFILTER"; readonly martian: MartianCause };

/**
 * fib_validate_source(): a packet from outside may not claim one of this
 * namespace's own addresses; with rp_filter (the larger of all and the
 * device) 1 the route back to the source must leave by the device the
 * packet came in on, with 2 some route back must exist.
 */
function validateSource(namespace: NetworkNamespace, device: NetDevice, source: Ipv4Address): InputRouteResult | undefined {
  if (source === 0) return undefined;
  const reverse = fibLookup(namespace, source);
  if (reverse?.route.type === "local") {
    return { kind: "martian", reason: "IP_INVALID_SOURCE", martian: { cause: "own-source", source, device: device.name } };
  }
  const rpFilter = Math.max(device.conf.rpFilter, namespace.sysctl.confAll.rpFilter);
  if (rpFilter === 1 && (reverse?.route.type !== "unicast" || reverse.route.nexthop?.deviceIndex !== device.index)) {
    return { kind: "martian", reason: "IP_RPFILTER", martian: { cause: "rp-filter-strict", source, device: device.name } };
  }
  if (rpFilter === 2 && reverse?.route.type !== "unicast") {
    return { kind: "martian", reason: "IP_RPFILTER", martian: { cause: "rp-filter-loose", source } };
  }
  return undefined;
}

/** ip_route_input_noref(): what becomes of a packet that arrived on `device` (from the dst cache when it can). */
export function ipRouteInput(namespace: NetworkNamespace, device: NetDevice, source: Ipv4Address, destination: Ipv4Address): InputRouteResult {
  const cache = dstCache(namespace).input;
  const deviceIndex = device.index;
  const hash = lookupHash(destination, source, deviceIndex);
  const cached = cache.get(hash);
  if (cached !== undefined && cached.destination === destination && cached.source === source && cached.deviceIndex === deviceIndex) return cached.result;
  const result = ipRouteInputSlow(namespace, device, source, destination);
  if (cache.size >= DST_CACHE_LIMIT) cache.clear();
  cache.set(hash, { deviceIndex, source, destination, result });
  return result;
}

/** ip_route_input_slow(): the lookup itself. */
function ipRouteInputSlow(namespace: NetworkNamespace, device: NetDevice, source: Ipv4Address, destination: Ipv4Address): InputRouteResult {
  if (destination === LIMITED_BROADCAST) return { kind: "broadcast" };
  const forwarding = device.conf.forwarding;
  if (device.kind !== "loopback" && (isLoopbackAddress(source) || isLoopbackAddress(destination)) && !(device.conf.routeLocalnet || namespace.sysctl.confAll.routeLocalnet)) {
    return { kind: "martian", reason: "IP_LOCALNET", martian: { cause: "localnet", side: isLoopbackAddress(source) ? "source" : "destination", device: device.name } };
  }
  // Looped-back packets carry their route from the output path: nothing to validate.
  const invalid = device.kind === "loopback" ? undefined : validateSource(namespace, device, source);
  const fib = fibLookup(namespace, destination);
  if (!fib) return forwarding ? { kind: "error", errno: "ENETUNREACH" } : { kind: "forwarding-off" };
  switch (fib.route.type) {
    case "broadcast":
      return invalid ?? { kind: "broadcast", fib };
    case "local":
      return invalid ?? { kind: "local", fib };
    default:
      break;
  }
  if (!forwarding) return { kind: "forwarding-off", fib };
  if (invalid && (fib.route.type === "unicast")) return invalid;
  switch (fib.route.type) {
    case "blackhole":
      return { kind: "error", errno: "EINVAL", fib };
    case "unreachable":
      return { kind: "error", errno: "EHOSTUNREACH", fib };
    case "prohibit":
      return { kind: "error", errno: "EACCES", fib };
    default: {
      const out = deviceByIndex(namespace, fib.route.nexthop!.deviceIndex);
      const gateway = fib.route.nexthop!.gateway;
      return { kind: "forward", fib, route: { type: "unicast", device: out, source, nexthop: gateway ?? destination, fib } };
    }
  }
}
