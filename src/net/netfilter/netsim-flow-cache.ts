// netsim's own per-flow walk cache, not a kernel path: it short-cuts nf_hook_slow()'s rule walks (ipt_do_table, nft_do_chain) at PREROUTING, FORWARD and POSTROUTING for an established connection's forwarded packets.
//
// The kernel's flowtable skips the hooks of an offloaded flow outright (no
// counter moves); netsim's flows (nf-flow-table.ts) must change nothing a
// user can see, so a flow whose path walks rules (a Docker host: raw's
// filterDirectAccess, FORWARD through DOCKER-USER and DOCKER-FORWARD,
// docker-bridges' vmaps) carries the record of one slow-path walk of its
// packets, and each later packet replays it:
//  - Recording: ip_rcv() starts a record for a packet of a namespace with
//    conntrack; nf_hook_slow() hands it to the walks of PREROUTING, FORWARD
//    and POSTROUTING, in that order and for that packet (any other hook run
//    in the namespace meanwhile spoils it). A walk notes every counter it
//    moves (rule counters, policy counters, nft counter statements), every
//    rule and policy that decided (for a trace), the named nft sets it read,
//    and whether anything it evaluated is not a function of what stays the
//    same for every packet of the flow's direction: the tuple, the devices,
//    the conntrack state and direction. Stateful matches (limit, recent,
//    statistic, set, nfacct, connlimit, --ctstatus, --ctexpire, marks),
//    targets with effects (LOG, MARK, SET, REJECT) and nft statements with
//    effects (dynset, mark set, notrack) make the record uncacheable, and
//    the flow is not offloaded (its packets keep the slow path).
//  - Replay: the counters move by one packet and its bytes (NAT and the TTL
//    do not change a packet's length), with conntrack, NAT and neighbour
//    output done by the flow as before. A flow is dropped when a named set
//    it read changed, and all flows go with any configuration change of the
//    namespace (rt-genid.ts: rulesets, sets, routes, addresses, sysctls).
//  - Tracing observes the same path: a traced hit records the decided rules
//    of the record as the slow path's walk named them (built once per flow
//    from plain data, then shared), so a traced run takes the same fast path
//    as an untraced one.
// test/net/netfilter/netsim-flow-cache.test.ts holds it to the slow path.
import type { Chain, HookName, Match, Rule, RuleCounters, Table } from "../../model/netfilter.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { NftChain, NftExpression, NftRule, NftSet, NftTable } from "../../model/nf-tables.js";
import type { Ipv4Packet } from "../../model/packet.js";
import type { NetfilterRecordDecision } from "../../model/trace.js";
import type { IptEvent, NftEvent, TraceReason } from "../../model/trace-reason.js";

/** A rule or policy that decided in a recorded walk, as plain data: a trace's step is made of it only when a traced run needs it. */
export type RecordedDecision =
  | { readonly kind: "iptables"; readonly hook: HookName; readonly table: Table; readonly chain: Chain; readonly ruleNumber: number; readonly rule: Rule | undefined; readonly target: string; readonly verdict: "continue" | "drop"; readonly step: IptEvent; readonly in: string | undefined; readonly out: string | undefined }
  | { readonly kind: "nft"; readonly hook: HookName; readonly table: NftTable; readonly chain: NftChain; readonly rule: NftRule | undefined; readonly target: NetfilterRecordDecision["target"]; readonly verdict: "continue" | "drop"; readonly step: NftEvent; readonly in: string | undefined; readonly out: string | undefined };

/** The trace record a recorded decision stands for (its packet, namespace and time are the hit's own): typed data, its sentence written by src/render/trace-why.ts as the slow path's is. */
export interface CachedStepText {
  readonly device: string | undefined;
  readonly decision: NetfilterRecordDecision;
  readonly verdict: "continue" | "drop";
  readonly reason: TraceReason;
}

/** What one or more rule walks did, recorded: what a replay does again. */
export interface WalkRecord {
  /** Whether every rule evaluated and every target taken is a function of the flow (see above). */
  cacheable: boolean;
  /** Rules evaluated, matched or not (TCP flows are offloaded only past no rule at all: conntrack's state machine may change what a ctstate match sees). */
  rulesEvaluated: number;
  /** Counters the walk moved, in order (one entry per move). */
  readonly counters: RuleCounters[];
  readonly decisions: RecordedDecision[];
  /** The named nft sets read, with their element arrays then (a dynset replaces the array). */
  readonly sets: { readonly set: NftSet; readonly elements: readonly unknown[] }[];
  /** The decisions' trace steps, made on the first traced hit. */
  texts: readonly CachedStepText[] | undefined;
}

/** One slow-path walk of a flow's packet through PREROUTING, FORWARD and POSTROUTING. */
export interface FlowWalk extends WalkRecord {
  readonly namespace: NetworkNamespace;
  readonly ingressIndex: number;
  /** Hooks recorded so far, in order: 0 none, 1 PREROUTING, 2 FORWARD, 3 POSTROUTING (the record is whole). */
  stage: number;
  /** FORWARD's result: POSTROUTING must be given this very packet. */
  forwarded: Ipv4Packet | undefined;
  /** br_netfilter ran PREROUTING on the bridge before ip_rcv(): the record starts at FORWARD. */
  readonly prerouted: boolean;
}

/** The record being made, if any: packets are handled one at a time, synchronously, so one suffices. */
let current: FlowWalk | undefined;

/** Whether the cache is in use: tests turn it off to compare with the slow path alone. */
let enabled = true;

/** Turns netsim's flow cache (and with it every flow of nf-flow-table.ts) on or off, for tests comparing it with the slow path; returns the previous setting. */
export function setNetsimFlowCache(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  current = undefined;
  return previous;
}

/** ip_rcv(): a forwarded packet may follow; its walks are recorded from here. */
export function flowWalkStart(namespace: NetworkNamespace, ingressIndex: number, prerouted: boolean): void {
  const state = namespace.netfilter;
  current = enabled && state !== undefined && state.conntrackEnabled ? { namespace, ingressIndex, stage: prerouted ? 1 : 0, cacheable: true, rulesEvaluated: 0, forwarded: undefined, prerouted, counters: [], decisions: [], sets: [], texts: undefined } : undefined;
}

const EXPECTED_HOOK: readonly HookName[] = ["PREROUTING", "FORWARD", "POSTROUTING"];

/** The record a hook's walks add to, when `hook` is the next one of the recorded packet's path in `namespace`. */
export function flowWalkAt(namespace: NetworkNamespace, hook: HookName, packet: Ipv4Packet): FlowWalk | undefined {
  const walk = current;
  if (walk === undefined || walk.namespace !== namespace) return undefined;
  if (EXPECTED_HOOK[walk.stage] === hook && (walk.stage !== 2 || packet === walk.forwarded)) return walk;
  // Another hook ran in the namespace meanwhile (an ICMP error sent, a nested delivery): the record is not this packet's path.
  walk.cacheable = false;
  current = undefined;
  return undefined;
}

/** A hook's walks are done: `result` is what it let through (undefined: dropped, and the record ends). */
export function flowWalkHookDone(walk: FlowWalk, result: Ipv4Packet | undefined): void {
  if (result === undefined || !walk.cacheable) {
    walk.cacheable = false;
    if (current === walk) current = undefined;
    return;
  }
  walk.stage++;
  if (walk.stage === 2) walk.forwarded = result;
  if (walk.stage === 3 && current === walk) current = undefined;
}

/** The record of `packet`'s PREROUTING and FORWARD walks, when it is the packet FORWARD just let through at `ingressIndex` (flow_offload_add's caller). */
export function flowWalkForwarded(namespace: NetworkNamespace, ingressIndex: number, packet: Ipv4Packet): FlowWalk | undefined {
  const walk = current;
  if (walk === undefined || walk.namespace !== namespace || walk.ingressIndex !== ingressIndex || walk.stage !== 2 || walk.forwarded !== packet || !walk.cacheable) return undefined;
  return walk;
}

/** Whether a flow's record stands for its next packet: whole, cacheable, and every named set it read unchanged. */
export function flowWalkHolds(walk: FlowWalk): boolean {
  return walk.stage === 3 && walk.cacheable && setsUnchanged(walk);
}

/** Whether every named nft set a record read still has the elements it had. */
function setsUnchanged(walk: WalkRecord): boolean {
  const sets = walk.sets;
  for (let index = 0; index < sets.length; index++) {
    const read = sets[index]!;
    if (read.set.elements !== read.elements) return false;
  }
  return true;
}

/** The replay: every counter the recorded walk moved, moved again for a packet of `bytes`. */
export function flowWalkCount(walk: WalkRecord, bytes: number): void {
  const counters = walk.counters;
  for (let index = 0; index < counters.length; index++) {
    const counter = counters[index]!;
    counter.packets += 1;
    counter.bytes += bytes;
  }
}

/** Where an iptables rule's matches first read something other than the flow's fixed fields, in preparedRuleMatches()'s order of parts (NO_STATEFUL_PART: nowhere). */
export const NO_STATEFUL_PART = 0x7fffffff;

/** Whether an xt match decides alike for every packet of an established flow's direction (its tuple, devices, conntrack state and direction). */
export function xtMatchIsFlowInvariant(match: Match): boolean {
  switch (match.kind) {
    case "comment":
    case "icmp":
    case "multiport":
    case "state":
    case "addrtype":
    case "physdev":
    case "iprange":
    case "owner":
      return true;
    case "tcp":
      // TCP flags differ packet by packet.
      return match.tcpFlags === undefined;
    case "udp":
      return true;
    case "conntrack":
      // The connection's status bits and remaining time change under it.
      return match.status === undefined && match.expires === undefined;
    default:
      // statistic, limit, recent, set, nfacct, connlimit (state of their own), mark (the packet's mark is not part of the flow).
      return false;
  }
}

/** Whether an nft expression, when evaluated, decides alike for every packet of the flow's direction and has no effect but a counter (`table`: where named sets live). */
export function nftExpressionIsFlowInvariant(expression: NftExpression, table: NftTable, walk: WalkRecord): boolean {
  switch (expression.kind) {
    case "counter":
    case "verdict":
    case "log":
      return true;
    case "match":
    case "vmap": {
      for (const selector of expression.left) {
        if (selector.kind === "meta" && selector.key === "mark") return false;
        if (selector.kind === "ct" && selector.key !== "state" && selector.key !== "direction") return false;
        // numgen random draws per packet, numgen inc counts packets: neither is a function of the flow.
        if (selector.kind === "numgen") return false;
      }
      const name = expression.kind === "vmap" ? (expression.map.kind === "setref" ? expression.map.name : undefined) : expression.right.kind === "setref" ? expression.right.name : undefined;
      if (name !== undefined) {
        const set = table.sets.get(name);
        if (set === undefined) return true;
        // Elements that time out make the answer depend on the clock.
        if (set.timeout !== undefined || set.elements.some((element) => element.expires !== undefined)) return false;
        walk.sets.push({ set, elements: set.elements });
      }
      return true;
    }
    default:
      // nat (not asked for an established connection), mark set, reject, notrack, dynset.
      return false;
  }
}

function stepText(decision: RecordedDecision): CachedStepText {
  const device = decision.in ?? decision.out;
  let full: { -readonly [K in keyof NetfilterRecordDecision]: NetfilterRecordDecision[K] };
  let reason: TraceReason;
  if (decision.kind === "iptables") {
    const rule = decision.rule;
    const chain = decision.chain.name;
    full = decision.step.event === "policy" ? { kind: "netfilter", table: decision.table.name, chain, target: decision.target } : rule ? { kind: "netfilter", table: decision.table.name, chain, ruleNumber: decision.ruleNumber, ruleText: { chain, rule }, target: decision.target } : { kind: "netfilter", table: decision.table.name, chain, ruleNumber: decision.ruleNumber, target: decision.target };
    if (rule?.origin) full.origin = rule.origin;
    reason = { code: "iptables", hook: decision.hook, table: decision.table.name, chain, step: decision.step };
  } else {
    const rule = decision.rule;
    const table = decision.table;
    const chain = decision.chain.name;
    const tableKey = { family: table.family, name: table.name };
    full = rule
      ? rule.origin
        ? { kind: "netfilter", table: tableKey, chain, ruleNumber: rule.handle, ruleText: { text: rule.text, handle: rule.handle }, origin: rule.origin, target: decision.target }
        : { kind: "netfilter", table: tableKey, chain, ruleNumber: rule.handle, ruleText: { text: rule.text, handle: rule.handle }, target: decision.target }
      : { kind: "netfilter", table: tableKey, chain, target: decision.target };
    reason = { code: "nft", hook: decision.hook, family: table.family, table: table.name, chain, handle: rule?.handle, step: decision.step };
  }
  if (decision.in !== undefined) full.in = decision.in;
  if (decision.out !== undefined) full.out = decision.out;
  return { device, decision: full, verdict: decision.verdict, reason };
}

/** The recorded decisions as trace steps, made once per flow (a traced hit shares them). */
export function flowWalkTexts(walk: WalkRecord): readonly CachedStepText[] {
  let texts = walk.texts;
  if (texts === undefined) walk.texts = texts = walk.decisions.map(stepText);
  return texts;
}

/** Adds what `segment` did to a flow's record of its whole path. */
export function walkRecordAppend(walk: WalkRecord, segment: WalkRecord): void {
  if (!segment.cacheable) walk.cacheable = false;
  walk.rulesEvaluated += segment.rulesEvaluated;
  for (const counter of segment.counters) walk.counters.push(counter);
  for (const decision of segment.decisions) walk.decisions.push(decision);
  for (const read of segment.sets) walk.sets.push(read);
}

/*
 * The per-hook side of the cache, for the hooks a packet still runs (a
 * frame br_netfilter takes through PREROUTING on its bridge, which the
 * flows of nf-flow-table.ts cannot take): each base chain's walk at a hook
 * is recorded once per signature (what a flow-invariant walk can read: the
 * packet's addresses, protocol, ports or ICMP type, code and id, its link
 * type, the hook's devices) and conntrack association (entry, direction,
 * state: none before conntrack has run), and replayed for the next packet
 * with the same ones. A walk that is not flow-invariant is not kept, so it
 * runs (stateful matches included) for every packet.
 */

/** One base chain's recorded walk at a hook, for one conntrack association. */
export interface WalkSegment extends WalkRecord {
  readonly entryId: number;
  readonly direction: number;
  readonly state: string;
  /** The walk dropped the packet. */
  dropped: boolean;
}

/** A hook's recorded walks for one signature, by the position of their hook function. */
export interface HookSignature {
  readonly hash: number;
  readonly source: number;
  readonly destination: number;
  readonly protocol: number;
  readonly ports: number;
  readonly icmp: number;
  readonly linkType: number;
  /** in, out and indev; physIn and physOut (ifindexes stay far below 2^17, so each sum is exact). */
  readonly devices: number;
  readonly bridgePorts: number;
  readonly bridged: boolean;
  /** The hook functions the positions index (a re-registration makes a new list). */
  readonly ops: readonly unknown[];
  readonly segments: (WalkSegment | undefined)[];
}

interface HookCache {
  readonly genid: number;
  readonly signatures: Map<number, HookSignature>;
}

/** Signatures per namespace before the cache is emptied: bounds memory. */
const HOOK_CACHE_LIMIT = 4096;

declare module "../../model/netns.js" {
  interface NamespaceDerived {
    hookCache?: HookCache;
  }
}

/** The devices a hook run gives its walks (in, out, indev, physIn, physOut), as ifindexes. */
export interface HookDeviceIndexes {
  readonly in?: { readonly index: number };
  readonly out?: { readonly index: number };
  readonly indev?: { readonly index: number };
  readonly physIn?: { readonly index: number };
  readonly physOut?: { readonly index: number };
  readonly bridged?: boolean;
}

const HOOK_NUMBER: Readonly<Record<HookName, number>> = { PREROUTING: 0, INPUT: 1, FORWARD: 2, OUTPUT: 3, POSTROUTING: 4 };

/** A device as a key part: its ifindex plus one, 0 for none. */
function deviceKey(device: { readonly index: number } | undefined): number {
  return device === undefined ? 0 : device.index + 1;
}

/** The recorded walks of a hook run with this packet and these devices (made empty when new); undefined when the cache is off. */
export function hookSignature(namespace: NetworkNamespace, hook: HookName, ops: readonly unknown[], packet: Ipv4Packet, devices: HookDeviceIndexes, genid: number): HookSignature | undefined {
  if (!enabled) return undefined;
  const derived = namespace.derived;
  let cache = derived?.hookCache;
  if (cache === undefined || cache.genid !== genid) {
    cache = { genid, signatures: new Map() };
    if (derived === undefined) return undefined;
    derived.hookCache = cache;
  }
  const transport = packet.transport;
  let protocol: number;
  let ports: number;
  let icmp: number;
  if (transport.protocol === "icmp") {
    protocol = 1;
    ports = transport.id ?? -1;
    icmp = (transport.type << 8) | transport.code;
  } else {
    protocol = transport.protocol === "tcp" ? 6 : 17;
    ports = transport.sourcePort * 65536 + transport.destinationPort;
    icmp = -1;
  }
  const linkType = packet.linkType === undefined ? 0 : packet.linkType === "broadcast" ? 1 : 2;
  const devicesPart = (deviceKey(devices.in) * 131072 + deviceKey(devices.out)) * 131072 + deviceKey(devices.indev);
  const bridgePorts = deviceKey(devices.physIn) * 131072 + deviceKey(devices.physOut);
  const bridged = devices.bridged === true;
  let hash = Math.imul(packet.source ^ 0x9e3779b9, 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13) ^ packet.destination, 0xc2b2ae35);
  hash = Math.imul(hash ^ (hash >>> 16) ^ (ports | 0), 0x27d4eb2f);
  hash = Math.imul(hash ^ (hash >>> 15) ^ icmp ^ (protocol << 24) ^ (linkType << 20) ^ (HOOK_NUMBER[hook] << 28), 0x165667b1);
  hash = Math.imul(hash ^ (hash >>> 13) ^ (devicesPart % 0x7fffffff) ^ (bridgePorts << 7) ^ (bridged ? 0x40000000 : 0), 0x85ebca6b);
  hash = (hash ^ (hash >>> 16)) & 0x3fffffff;
  const signatures = cache.signatures;
  const known = signatures.get(hash);
  if (
    known !== undefined &&
    known.ops === ops &&
    known.source === packet.source &&
    known.destination === packet.destination &&
    known.protocol === protocol &&
    known.ports === ports &&
    known.icmp === icmp &&
    known.linkType === linkType &&
    known.devices === devicesPart &&
    known.bridgePorts === bridgePorts &&
    known.bridged === bridged
  ) {
    return known;
  }
  if (signatures.size >= HOOK_CACHE_LIMIT) signatures.clear();
  const fresh: HookSignature = { hash, source: packet.source, destination: packet.destination, protocol, ports, icmp, linkType, devices: devicesPart, bridgePorts, bridged, ops, segments: [] };
  signatures.set(hash, fresh);
  return fresh;
}

/** The packet's conntrack association in `namespace` as a segment's key: entry id (-1: none), direction (0 original, 1 reply, -1 none), state. */
function association(namespace: NetworkNamespace, packet: Ipv4Packet): { entryId: number; direction: number; state: string } {
  const attached = packet.conntrack;
  if (attached === undefined || attached.namespaceId !== namespace.id) return { entryId: -1, direction: -1, state: "" };
  return { entryId: attached.entryId ?? -1, direction: attached.direction === undefined ? -1 : attached.direction === "reply" ? 1 : 0, state: attached.state };
}

/** Walks replayed from the per-hook cache, all worlds together: lets a test see that it ran (diagnostics, not model state). */
let hookHits = 0;

/** How many base chain walks the per-hook cache has replayed so far in this process. */
export function hookCacheHits(): number {
  return hookHits;
}

/** The recorded walk of the hook function at `position` for this packet's association, when it still stands. */
export function hookSegment(signature: HookSignature, position: number, namespace: NetworkNamespace, packet: Ipv4Packet): WalkSegment | undefined {
  const segment = signature.segments[position];
  if (segment === undefined) return undefined;
  const attached = packet.conntrack;
  if (attached === undefined || attached.namespaceId !== namespace.id) {
    if (segment.entryId !== -1 || segment.state !== "") return undefined;
  } else if (segment.entryId !== (attached.entryId ?? -1) || segment.state !== attached.state || segment.direction !== (attached.direction === undefined ? -1 : attached.direction === "reply" ? 1 : 0)) {
    return undefined;
  }
  if (!setsUnchanged(segment)) return undefined;
  hookHits++;
  return segment;
}

/** An empty record for the walk of the hook function about to run on `packet`. */
export function hookSegmentStart(namespace: NetworkNamespace, packet: Ipv4Packet): WalkSegment {
  const { entryId, direction, state } = association(namespace, packet);
  return { cacheable: enabled, rulesEvaluated: 0, counters: [], decisions: [], sets: [], texts: undefined, entryId, direction, state, dropped: false };
}

/** Keeps a finished walk's record for the next packet of the signature, when it stands for one: flow-invariant, and leaving the packet as it was (or dropping it). */
export function hookSegmentDone(signature: HookSignature, position: number, segment: WalkSegment, before: Ipv4Packet, after: Ipv4Packet | undefined): void {
  if (!segment.cacheable || (after !== undefined && after !== before)) return;
  segment.dropped = after === undefined;
  signature.segments[position] = segment;
}
