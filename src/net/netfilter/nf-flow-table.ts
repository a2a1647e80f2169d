// The flowtable fast path for forwarded connections (net/netfilter/
// nf_flow_table_core.c: flow_offload_add, flow_offload_lookup,
// flow_offload_teardown; nf_flow_table_ip.c: nf_flow_offload_ip_hook).
//
// As in the kernel, an established connection that the namespace forwards is
// offloaded: later packets are looked up by their tuple and ingress device at
// ip_rcv and sent on directly (conntrack, NAT, TTL, neighbour output),
// skipping the route lookup and the netfilter hooks. Unlike the kernel's
// (which skips the FORWARD chain and its counters by design), this one must
// not change anything a user can see: it is an internal cache of the slow
// path's decision, and a packet it cannot vouch for takes the slow path.
//  - A flow is offloaded only once conntrack calls its packets ESTABLISHED
//    (the nat table is not asked again; NAT rewrites from the connection's
//    tuples), and only where the rule walks of its packet's path through
//    PREROUTING, FORWARD and POSTROUTING stand for every packet of it:
//    netsim's flow cache (netsim-flow-cache.ts) records them on the slow
//    path and replays them for each later packet, every counter moving as
//    the walks would move it (empty chains with an ACCEPT policy are the
//    walks that record nothing). TCP flows only where no rule is on the path.
//  - Every packet first asks conntrack what the slow path would: the gc pass
//    and the lookup (nf_conntrack_find_get). Another connection or direction
//    than the flow's tears the flow down, and the slow path takes the packet,
//    nothing having changed yet but what it would do itself.
//  - Conntrack's own effects follow: TCP runs conntrack's state machine
//    (nf_conntrack_in); ICMP echo and UDP get the found path's timeout
//    refresh, the only change it makes to an ESTABLISHED entry.
//  - The rewrite (NAT, one hop less) comes from the flow, which stays valid
//    while the connection's tuples and NAT bits are those it was made from;
//    neighbour output (states, timers, device counters, the bridge's FDB) is
//    the slow path's own function.
//  - Every configuration change of the namespace (rt-genid.ts) makes its flows stale.
// Traced or not, packets take it alike; a traced hit is a step of its own,
// "netsim_flow_cache", which says what the slow path's decision was, then
// the rules and policies that decided in the recorded walks (a trace shows
// the full path for the connection's packets before it). The property
// test test/properties/flow-offload.test.ts holds it to the slow path.
import { ConntrackStatus, type ConntrackEntry, type ConntrackTuple, type PacketConntrack } from "../../model/conntrack.js";
import { derivedOf } from "../../model/derived.js";
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { ipv4TotalLength, type Ipv4Packet, type Transport } from "../../model/packet.js";
import type { TraceReason } from "../../model/trace-reason.js";
import { neighOutput } from "../core/neighbour.js";
import { rtGenid } from "../core/rt-genid.js";
import type { OutputRoute } from "../ipv4/route.js";
import { recordStep, traceTime, type Simulation } from "../simulation.js";
import { conntrackIn, conntrackRefresh, conntrackRefreshedExpiry, expireEntries, findEntryHolding, packetEntry, tupleDirection } from "./nf-conntrack.js";
import { entryView } from "./nf-hook.js";
import { natPacket } from "./nf-nat.js";
import { flowWalkCount, flowWalkForwarded, flowWalkHolds, flowWalkStart, flowWalkTexts, type FlowWalk } from "./netsim-flow-cache.js";

/** The IPS_* bits that decide which NAT rewrites a connection's packets get. */
const NAT_STATUS = ConntrackStatus.sourceNat | ConntrackStatus.destinationNat;

/** One offloaded direction of a connection (struct flow_offload_tuple_rhash). */
interface FlowOffload {
  /** The key: the ingress device and the tuple the packet arrives with (before any NAT). */
  readonly ingressIndex: number;
  readonly tuple: ConntrackTuple;
  /** ICMP type (echo request and reply travel on different tuples); -1 for TCP and UDP. */
  readonly icmpType: number;
  /** The connection and direction conntrack attaches the packet to. */
  readonly entry: ConntrackEntry;
  readonly direction: "original" | "reply";
  /** The connection's tuples and NAT bits when offloaded: NAT rewrites from them, so the flow holds while they do. */
  readonly original: ConntrackTuple;
  readonly reply: ConntrackTuple;
  readonly natStatus: number;
  /** The packet's addresses and ports as it leaves (both NAT rewrites done): the slow path's result for this direction. */
  readonly outSource: number;
  readonly outDestination: number;
  readonly outSourcePort: number;
  readonly outDestinationPort: number;
  readonly route: OutputRoute;
  /** The hooks' walks for this direction's packets (netsim-flow-cache.ts), replayed for each. */
  readonly walk: FlowWalk;
  /**
   * A flow of frames br_netfilter takes through PREROUTING on their bridge
   * (a container's packets on a Docker host): looked up at ip_rcv() after
   * that, by the packet as PREROUTING left it, and it stands for FORWARD and
   * POSTROUTING only (conntrack and PREROUTING ran already).
   */
  readonly prerouted: boolean;
  /** The key's addresses and ports (echo id twice for ICMP) and kind ((protocol << 8) | ICMP type, 0xff for TCP and UDP). */
  readonly keySource: number;
  readonly keyDestination: number;
  readonly keySourcePort: number;
  readonly keyDestinationPort: number;
  readonly kind: number;
  /** The hit's trace reason, made on the first traced hit. */
  reason: TraceReason | undefined;
}

interface FlowTable {
  /** The routing generation the flows were made under (rt-genid.ts). */
  readonly genid: number;
  readonly flows: Map<number, FlowOffload>;
}

/** Flows per namespace before the table is emptied: bounds memory; an evicted flow just takes the slow path once more. */
const FLOW_TABLE_LIMIT = 4096;

// The flows are the namespace's derived state (model/derived.ts).
declare module "../../model/netns.js" {
  interface NamespaceDerived {
    flowTable?: FlowTable;
  }
}

/** Packets the fast path has forwarded, all worlds together: lets a test see that it ran (diagnostics, not model state). */
let offloadedPackets = 0;

/** How many packets flows have carried so far in this process. */
export function flowOffloadPackets(): number {
  return offloadedPackets;
}

/** A 30-bit hash of a flow's key (small integers stay V8 Smis as Map keys). */
function flowHash(ingressIndex: number, source: number, destination: number, sourcePort: number, destinationPort: number, kind: number): number {
  let hash = Math.imul(source ^ 0x9e3779b9, 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13) ^ destination, 0xc2b2ae35);
  hash = Math.imul(hash ^ (hash >>> 16) ^ ((sourcePort << 16) | destinationPort), 0x27d4eb2f);
  hash = Math.imul(hash ^ (hash >>> 15) ^ kind ^ (ingressIndex << 16), 0x165667b1);
  return (hash ^ (hash >>> 16)) & 0x3fffffff;
}

function flowTable(namespace: NetworkNamespace): FlowTable {
  const genid = rtGenid(namespace);
  const derived = derivedOf(namespace);
  let table = derived.flowTable;
  if (table === undefined || table.genid !== genid) {
    table = { genid, flows: new Map() };
    derived.flowTable = table;
  }
  return table;
}

/** The port-like fields a packet's transport carries: the echo id twice for ICMP. */
function transportPorts(transport: Transport): { sourcePort: number; destinationPort: number } | undefined {
  if (transport.protocol !== "icmp") return transport;
  return transport.id === undefined ? undefined : { sourcePort: transport.id, destinationPort: transport.id };
}

/**
 * flow_offload_add(): called by ip_forward() once the FORWARD
 * hook accepted `packet` (as PREROUTING left it, one hop less) on its way
 * out by `route`. Offloads this direction of the packet's connection when it
 * qualifies.
 */
export function flowOffloadAdd(namespace: NetworkNamespace, ingress: NetDevice, route: OutputRoute, packet: Ipv4Packet): void {
  const state = namespace.netfilter;
  const attached = packet.conntrack;
  if (state === undefined || !state.conntrackEnabled || attached === undefined || attached.namespaceId !== namespace.id) return;
  if (attached.state !== "ESTABLISHED" || attached.direction === undefined || ingress.kind === "loopback") return;
  // The hooks' walks of this packet so far, recorded (netsim-flow-cache.ts): only walks that stand for every packet of the flow.
  const walk = flowWalkForwarded(namespace, ingress.index, packet);
  if (walk === undefined) return;
  const entry = packetEntry(state, namespace, packet);
  if (entry === undefined) return;
  // The tuple the packet arrived with is the one conntrack matched: the entry's tuple of that direction.
  const direction = attached.direction;
  const tuple = direction === "original" ? entry.original : entry.reply;
  if (tuple.protocol === 1 ? tuple.icmpType !== 0 && tuple.icmpType !== 8 : tuple.protocol !== 6 && tuple.protocol !== 17) return;
  // TCP's state machine runs on every packet and may change what a ctstate match sees: TCP flows only where no rule is on the path.
  if (tuple.protocol === 6 && walk.rulesEvaluated > 0) return;
  // What POSTROUTING's nat will make of it: the flow's output, the same for every packet while the tuples stand.
  const leaving = natPacket(entry, direction, "source", packet);
  const ports = transportPorts(leaving.transport);
  if (ports === undefined) return;
  const icmpType = tuple.protocol === 1 ? tuple.icmpType! : -1;
  // The key: the tuple the packet arrived with, or for a prerouted flow the packet as PREROUTING left it (a reply's SNAT undone).
  const prerouted = walk.prerouted;
  const arrived = prerouted ? transportPorts(packet.transport) : tuple;
  if (arrived === undefined) return;
  const keySource = prerouted ? packet.source : tuple.source;
  const keyDestination = prerouted ? packet.destination : tuple.destination;
  const kind = (tuple.protocol << 8) | (icmpType & 0xff);
  const flow: FlowOffload = {
    ingressIndex: ingress.index,
    tuple,
    icmpType,
    entry,
    direction,
    original: entry.original,
    reply: entry.reply,
    natStatus: entry.status & NAT_STATUS,
    outSource: leaving.source,
    outDestination: leaving.destination,
    outSourcePort: ports.sourcePort,
    outDestinationPort: ports.destinationPort,
    route,
    walk,
    prerouted,
    keySource,
    keyDestination,
    keySourcePort: arrived.sourcePort,
    keyDestinationPort: arrived.destinationPort,
    kind,
    reason: undefined,
  };
  const flows = flowTable(namespace).flows;
  if (flows.size >= FLOW_TABLE_LIMIT) flows.clear();
  flows.set(flowHash(ingress.index, keySource, keyDestination, arrived.sourcePort, arrived.destinationPort, kind | (prerouted ? PREROUTED_KIND : 0)), flow);
}

/** Set in a prerouted flow's hashed kind, so the two lookups never meet. */
const PREROUTED_KIND = 1 << 20;

/** The transport as it leaves: the NAT'd ports (a new record, as nf_nat_packet() makes one), or the same one when NAT does not touch them. */
function leavingTransport(transport: Transport, flow: FlowOffload, natted: boolean): Transport {
  if (!natted) return transport;
  if (transport.protocol === "icmp") return { ...transport, id: flow.outSourcePort };
  return { ...transport, sourcePort: flow.outSourcePort, destinationPort: flow.outDestinationPort };
}

/** The reason of a flow's hits: the same for every packet of it (the TTL is in the packets), so made once. */
function hitReason(flow: FlowOffload, packet: Ipv4Packet, leaving: Ipv4Packet): TraceReason {
  let reason = flow.reason;
  if (reason !== undefined) return reason;
  const natted = leaving.source !== packet.source || leaving.destination !== packet.destination;
  reason = { code: "flow-cache", entryId: flow.entry.id, natted, out: flow.route.device.name, decided: flow.walk.decisions.length };
  flow.reason = reason;
  return reason;
}

/** A traced hit: the cache's step, then each rule and policy that decided, as the recorded walk's (shared) steps. */
function recordHit(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, flow: FlowOffload, packet: Ipv4Packet, leaving: Ipv4Packet): void {
  const time = traceTime(simulation);
  const name = namespace.name;
  recordStep(simulation, { device: device.name, stage: "netsim_flow_cache", packet, packetAfter: leaving, decision: { kind: "conntrack", state: "ESTABLISHED", entry: entryView(flow.entry) }, verdict: "continue", reason: hitReason(flow, packet, leaving), namespace: name, time });
  const texts = flowWalkTexts(flow.walk);
  for (let index = 0; index < texts.length; index++) {
    const text = texts[index]!;
    recordStep(
      simulation,
      text.device === undefined
        ? { stage: "nf_hook", packet, decision: text.decision, verdict: text.verdict, reason: text.reason, namespace: name, time }
        : { device: text.device, stage: "nf_hook", packet, decision: text.decision, verdict: text.verdict, reason: text.reason, namespace: name, time },
    );
  }
}

/**
 * A prerouted flow's packet (PREROUTING ran on the bridge: conntrack found
 * the connection, NAT undid what it undoes): FORWARD's and POSTROUTING's
 * walks replayed, POSTROUTING's NAT and the hop from the flow. A packet
 * conntrack attached to another connection, direction or state is the slow
 * path's, nothing having changed.
 */
function preroutedHit(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, flow: FlowOffload, packet: Ipv4Packet, sourcePort: number, destinationPort: number): boolean {
  const attached = packet.conntrack;
  if (attached === undefined || attached.namespaceId !== namespace.id || attached.entryId !== flow.entry.id || attached.direction !== flow.direction || attached.state !== "ESTABLISHED") return false;
  if (namespace.netfilter!.conntrack.entries.get(flow.entry.id) !== flow.entry) return false;
  flowWalkCount(flow.walk, ipv4TotalLength(packet));
  const natted = flow.outSource !== packet.source || flow.outDestination !== packet.destination || flow.outSourcePort !== sourcePort || flow.outDestinationPort !== destinationPort;
  const leaving: Ipv4Packet = {
    source: flow.outSource,
    destination: flow.outDestination,
    ttl: packet.ttl - 1,
    transport: leavingTransport(packet.transport, flow, natted),
    payloadLength: packet.payloadLength,
    conntrack: attached,
  };
  if (simulation.steps !== null) recordHit(simulation, namespace, device, flow, packet, leaving);
  offloadedPackets++;
  neighOutput(simulation, namespace, flow.route.device, flow.route.nexthop, leaving, false);
  return true;
}

/**
 * nf_flow_offload_ip_hook(): a packet arriving on `device` that belongs to an
 * offloaded flow goes on without the slow path. Returns false, having
 * changed nothing, when it is not offloaded: the caller runs the slow path,
 * whose rule walks are recorded for a flow (netsim-flow-cache.ts).
 */
export function nfFlowOffloadIpHook(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, packet: Ipv4Packet, prerouted = false): boolean {
  if (flowOffloadLookup(simulation, namespace, device, packet, prerouted)) return true;
  flowWalkStart(namespace, device.index, prerouted);
  return false;
}

/**
 * A packet arriving on `device` that belongs to an
 * offloaded flow goes on without the slow path. Returns false,
 * having changed nothing, when it is not offloaded: the caller runs the slow
 * path.
 */
function flowOffloadLookup(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, packet: Ipv4Packet, prerouted: boolean): boolean {
  const state = namespace.netfilter;
  if (state === undefined) return false;
  const table = namespace.derived?.flowTable;
  if (table === undefined || table.flows.size === 0) return false;
  if (table.genid !== rtGenid(namespace)) {
    namespace.derived!.flowTable = undefined;
    return false;
  }
  const transport = packet.transport;
  let sourcePort: number;
  let destinationPort: number;
  let kind: number;
  if (transport.protocol === "icmp") {
    if ((transport.type !== 0 && transport.type !== 8) || transport.id === undefined) return false;
    sourcePort = destinationPort = transport.id;
    kind = (1 << 8) | transport.type;
  } else {
    sourcePort = transport.sourcePort;
    destinationPort = transport.destinationPort;
    kind = ((transport.protocol === "tcp" ? 6 : 17) << 8) | 0xff;
  }
  const hash = flowHash(device.index, packet.source, packet.destination, sourcePort, destinationPort, kind | (prerouted ? PREROUTED_KIND : 0));
  const flow = table.flows.get(hash);
  if (flow === undefined) return false;
  const tuple = flow.tuple;
  if (
    flow.ingressIndex !== device.index ||
    flow.prerouted !== prerouted ||
    flow.keySource !== packet.source ||
    flow.keyDestination !== packet.destination ||
    flow.keySourcePort !== sourcePort ||
    flow.keyDestinationPort !== destinationPort ||
    flow.kind !== kind
  ) {
    return false;
  }
  // TTL 1 is the slow path's: ip_forward() drops it and answers "time exceeded".
  if (packet.ttl <= 1) return false;
  // The walks' record: whole (POSTROUTING ran after the flow was added), and every named set it read as it was.
  const walk = flow.walk;
  if (!flowWalkHolds(walk) || (walk.rulesEvaluated > 0 && flow.tuple.protocol === 6)) {
    table.flows.delete(hash);
    return false;
  }
  // NAT rewrites from the connection's tuples and bits: the flow holds while they are the ones it was made from.
  const entry = flow.entry;
  if (entry.original !== flow.original || entry.reply !== flow.reply || (entry.status & NAT_STATUS) !== flow.natStatus) {
    table.flows.delete(hash);
    return false;
  }

  if (prerouted) return preroutedHit(simulation, namespace, device, flow, packet, sourcePort, destinationPort);
  // PREROUTING: nf_conntrack_in() as the slow path runs it. The gc pass first (the
  // same pass conntrack would make), then the lookup; a different answer tears the flow down, and
  // the slow path, which finds the same answer, takes the packet (nothing else changed yet).
  const now = simulation.world.clock;
  const conntrack = state.conntrack;
  expireEntries(conntrack, now);
  if (findEntryHolding(conntrack, tuple, now) !== entry || tupleDirection(entry, tuple) !== flow.direction) {
    table.flows.delete(hash);
    return false;
  }
  let association: PacketConntrack | undefined;
  if (tuple.protocol === 6) {
    // TCP's state machine is conntrack's own: run it (it finds the same entry).
    association = conntrackIn(state, namespace, packet, now, false).packet.conntrack;
  } else {
    // ICMP and UDP: the found path of nf_conntrack_in() is a timeout refresh (which only moves the
    // expiry later) and, for a reply, the seen-reply bit (set already: the flow was offloaded
    // ESTABLISHED). Anything else would be a change the flow cannot stand for.
    if (conntrackRefreshedExpiry(entry, now) < entry.expires || (entry.status & ConntrackStatus.seenReply) === 0) return false;
    conntrackRefresh(conntrack, entry, flow.direction, packet, now);
    const existing = packet.conntrack;
    association = { namespaceId: namespace.id, state: "ESTABLISHED", mark: existing !== undefined && existing.namespaceId === namespace.id ? existing.mark : 0, entryId: entry.id, direction: flow.direction };
  }
  // The hooks' rule walks, replayed: every counter they moved moves again (NAT and the hop leave the length as it is).
  flowWalkCount(walk, ipv4TotalLength(packet));
  // PREROUTING and POSTROUTING nat, ip_forward()'s hop: the flow's output in one record.
  const natted = flow.outSource !== packet.source || flow.outDestination !== packet.destination || flow.outSourcePort !== sourcePort || flow.outDestinationPort !== destinationPort;
  const leaving: Ipv4Packet = {
    source: flow.outSource,
    destination: flow.outDestination,
    ttl: packet.ttl - 1,
    transport: leavingTransport(transport, flow, natted),
    payloadLength: packet.payloadLength,
    conntrack: association!,
  };
  if (simulation.steps !== null) recordHit(simulation, namespace, device, flow, packet, leaving);
  // ip_output() -> the neighbour layer of the egress device, as the slow path.
  offloadedPackets++;
  neighOutput(simulation, namespace, flow.route.device, flow.route.nexthop, leaving, false);
  return true;
}
