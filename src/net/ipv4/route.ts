// Route resolution (net/ipv4/route.c: ip_route_output_key_hash_rcu,
// ip_route_input_slow), through the routing policy (fib-rules.ts).
import { derivedOf } from "../../model/derived.js";
import { isLoopbackAddress, LIMITED_BROADCAST, type Ipv4Address } from "../../model/address.js";
import type { Errno } from "../../model/errno.js";
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { FibRule } from "../../model/fib-rule.js";
import type { Ipv4Packet } from "../../model/packet.js";
import type { Route, RouteType } from "../../model/route.js";
import { deviceByIndex, LOOPBACK_IFINDEX } from "../core/net-namespace.js";
import { rtGenid } from "../core/rt-genid.js";
import { inetSelectAddress, RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE } from "./devinet.js";
import type { MartianCause } from "../../model/trace-reason.js";
import { fibRulesLookup, fibRulesNeedTransport, type FibResult, type Flowi4 } from "./fib-rules.js";

export type { FibResult } from "./fib-rules.js";

/** fib_lookup() for a locally generated flow with only a destination (and a bound device): a route, or none (a rule's own verdict is none too). */
export function fibLookup(namespace: NetworkNamespace, destination: Ipv4Address, outputInterface?: number): FibResult | undefined {
  const found = fibRulesLookup(namespace, outputFlow(destination, 0, outputInterface ?? 0, 0));
  return found === undefined || "errno" in found ? undefined : found;
}

function outputFlow(destination: Ipv4Address, source: Ipv4Address, outputInterface: number, mark: number, transport?: FlowTransport): Flowi4 {
  return {
    destination,
    source,
    inputInterface: LOOPBACK_IFINDEX,
    outputInterface,
    mark,
    protocol: transport?.protocol ?? 0,
    sourcePort: transport?.sourcePort ?? 0,
    destinationPort: transport?.destinationPort ?? 0,
  };
}

/** The transport fields of a flow, for rules that select on them (ipproto, sport, dport). */
export interface FlowTransport {
  readonly protocol: number;
  readonly sourcePort: number;
  readonly destinationPort: number;
}

/** The flow's transport as flowi4 carries it: IPPROTO_* and the ports (ICMP has none here). */
export function packetTransport(packet: Ipv4Packet): FlowTransport {
  const transport = packet.transport;
  switch (transport.protocol) {
    case "tcp":
      return { protocol: 6, sourcePort: transport.sourcePort, destinationPort: transport.destinationPort };
    case "udp":
      return { protocol: 17, sourcePort: transport.sourcePort, destinationPort: transport.destinationPort };
    default:
      return { protocol: 1, sourcePort: 0, destinationPort: 0 };
  }
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

export type OutputRouteResult = { readonly ok: true; readonly route: OutputRoute } | { readonly ok: false; readonly errno: Errno; readonly fib?: FibResult; readonly rule?: FibRule };

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
  readonly mark: number;
  readonly result: OutputRouteResult;
}

interface InputCacheEntry {
  readonly deviceIndex: number;
  readonly source: Ipv4Address;
  readonly destination: Ipv4Address;
  readonly mark: number;
  readonly result: InputRouteResult;
}

interface DstCache {
  readonly genid: number;
  readonly output: Map<number, OutputCacheEntry>;
  readonly input: Map<number, InputCacheEntry>;
  /** Rules select on the protocol or ports: lookups depend on more than the keys above, so none is cached. */
  readonly uncached: boolean;
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
    cache = { genid, output: new Map(), input: new Map(), uncached: fibRulesNeedTransport(namespace) };
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
export interface OutputRouteOptions {
  readonly source?: Ipv4Address;
  readonly outputInterface?: number;
  /** skb->mark / SO_MARK: what fwmark rules select on. */
  readonly mark?: number;
  /** The transport, for rules that select on it (the packet's, where the caller has one). */
  readonly transport?: FlowTransport;
}

export function ipRouteOutput(namespace: NetworkNamespace, destination: Ipv4Address, options: OutputRouteOptions = {}): OutputRouteResult {
  const source = options.source ?? -1;
  const outputInterface = options.outputInterface ?? -1;
  const mark = options.mark ?? 0;
  const dst = dstCache(namespace);
  if (dst.uncached) return ipRouteOutputSlow(namespace, destination, options);
  const cache = dst.output;
  const hash = lookupHash(destination, source ^ Math.imul(mark, 0x9e3779b1), outputInterface);
  const cached = cache.get(hash);
  if (cached !== undefined && cached.destination === destination && cached.source === source && cached.outputInterface === outputInterface && cached.mark === mark) return cached.result;
  const result = ipRouteOutputSlow(namespace, destination, options);
  if (cache.size >= DST_CACHE_LIMIT) cache.clear();
  cache.set(hash, { destination, source, outputInterface, mark, result });
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

function ipRouteOutputSlow(namespace: NetworkNamespace, destination: Ipv4Address, options: OutputRouteOptions): OutputRouteResult {
  const loopback = deviceByIndex(namespace, LOOPBACK_IFINDEX);
  if (destination === 0) {
    // No destination means this host: daddr becomes saddr, or 127.0.0.1 for both, out through lo as RTN_LOCAL.
    const source = options.source ?? 0x7f000001;
    return { ok: true, route: { type: "local", device: loopback, source, nexthop: destination } };
  }
  const found = fibRulesLookup(namespace, outputFlow(destination, options.source ?? 0, options.outputInterface ?? 0, options.mark ?? 0, options.transport));
  if (found === undefined || "errno" in found) {
    if (options.outputInterface !== undefined) {
      // "Apparently, routing tables are wrong. Assume, that the destination is on link."
      const device = deviceByIndex(namespace, options.outputInterface);
      const source = options.source ?? inetSelectAddress(namespace, device, 0, RT_SCOPE_LINK) ?? 0;
      return mkrouteOutput(namespace, { type: "unicast", device, source, nexthop: destination });
    }
    return found === undefined ? { ok: false, errno: "ENETUNREACH" } : { ok: false, errno: found.errno, rule: found.rule };
  }
  const fib = found;
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
  | { readonly kind: "error"; readonly errno: Errno; readonly fib?: FibResult; readonly rule?: FibRule }
  | { readonly kind: "martian"; readonly reason: "IP_LOCALNET" | "IP_INVALID_SOURCE" | "IP_RPFILTER"; readonly martian: MartianCause };

/**
 * fib_validate_source(): a packet from outside may not claim one of this
 * namespace's own addresses; with rp_filter (the larger of all and the
 * device) 1 the route back to the source must leave by the device the
 * packet came in on, with 2 some route back must exist.
 */
function validateSource(namespace: NetworkNamespace, device: NetDevice, source: Ipv4Address, destination: Ipv4Address): InputRouteResult | undefined {
  if (source === 0) return undefined;
  // The route back: to the source, from the destination, as if sent from this host (iif lo).
  const found = fibRulesLookup(namespace, outputFlow(source, destination, 0, 0));
  const reverse = found === undefined || "errno" in found ? undefined : found;
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

/**
 * ip_route_input_noref(): what becomes of a packet that arrived on `device`
 * (from the dst cache when it can). `mark` is the skb's, and `packet` gives
 * the transport, for rules that select on them.
 */
export function ipRouteInput(namespace: NetworkNamespace, device: NetDevice, source: Ipv4Address, destination: Ipv4Address, mark = 0, packet?: Ipv4Packet): InputRouteResult {
  const dst = dstCache(namespace);
  if (dst.uncached) return ipRouteInputSlow(namespace, device, source, destination, mark, packet === undefined ? undefined : packetTransport(packet));
  const cache = dst.input;
  const deviceIndex = device.index;
  const hash = lookupHash(destination, source ^ Math.imul(mark, 0x9e3779b1), deviceIndex);
  const cached = cache.get(hash);
  if (cached !== undefined && cached.destination === destination && cached.source === source && cached.deviceIndex === deviceIndex && cached.mark === mark) return cached.result;
  const result = ipRouteInputSlow(namespace, device, source, destination, mark, undefined);
  if (cache.size >= DST_CACHE_LIMIT) cache.clear();
  cache.set(hash, { deviceIndex, source, destination, mark, result });
  return result;
}

/** ip_route_input_slow(): the lookup itself. */
function ipRouteInputSlow(namespace: NetworkNamespace, device: NetDevice, source: Ipv4Address, destination: Ipv4Address, mark: number, transport: FlowTransport | undefined): InputRouteResult {
  if (destination === LIMITED_BROADCAST) return { kind: "broadcast" };
  const forwarding = device.conf.forwarding;
  // "Accept zero addresses only to limited broadcast."
  if (source === 0) return { kind: "martian", reason: "IP_INVALID_SOURCE", martian: { cause: "zero-source", device: device.name } };
  if (device.kind !== "loopback" && (isLoopbackAddress(source) || isLoopbackAddress(destination)) && !(device.conf.routeLocalnet || namespace.sysctl.confAll.routeLocalnet)) {
    return { kind: "martian", reason: "IP_LOCALNET", martian: { cause: "localnet", side: isLoopbackAddress(source) ? "source" : "destination", device: device.name } };
  }
  // Looped-back packets carry their route from the output path: nothing to validate.
  const invalid = device.kind === "loopback" ? undefined : validateSource(namespace, device, source, destination);
  const found = fibRulesLookup(namespace, {
    destination,
    source,
    inputInterface: device.index,
    outputInterface: 0,
    mark,
    protocol: transport?.protocol ?? 0,
    sourcePort: transport?.sourcePort ?? 0,
    destinationPort: transport?.destinationPort ?? 0,
  });
  if (found === undefined) return forwarding ? { kind: "error", errno: "ENETUNREACH" } : { kind: "forwarding-off" };
  // A rule's own verdict (blackhole, unreachable, prohibit) is an error route as a table's would be (ip_error()).
  if ("errno" in found) return forwarding ? { kind: "error", errno: found.errno, rule: found.rule } : { kind: "forwarding-off" };
  const fib = found;
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
