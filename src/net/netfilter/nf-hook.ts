// NF_HOOK() (include/linux/netfilter.h) and the order the kernel runs its
// hook functions in (priorities in include/uapi/linux/netfilter_ipv4.h):
//   PREROUTING  raw -> conntrack -> mangle -> nat (DNAT)
//   INPUT       mangle -> filter -> nat (SNAT) -> conntrack confirm
//   FORWARD     mangle -> filter
//   OUTPUT      raw -> conntrack -> mangle -> nat (DNAT) -> filter
//   POSTROUTING mangle -> nat (SNAT) -> conntrack confirm
// A namespace with no tables (iptables never ran there) accepts everything.
import { formatIpv4Address } from "../../model/address.js";
import type { ConntrackEntry, ConntrackTuple } from "../../model/conntrack.js";
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { HookName, NetfilterState, TableName } from "../../model/netfilter.js";
import type { Ipv4Packet } from "../../model/packet.js";
import type { TraceStep } from "../../model/trace.js";
import { recordStep, traceTime, type Simulation } from "../simulation.js";
import { iptDoTable } from "./ip-tables.js";
import { conntrackConfirm, conntrackIn, isIcmpError, packetEntry } from "./nf-conntrack.js";
import { markNatDone, natIcmpReplyTranslation, natInitialized, natPacket, natSetupInfo, type ManipType } from "./nf-nat.js";
import type { MatchContext } from "./xt-match-context.js";

export type Hook = HookName;

export interface HookDevices {
  readonly in?: NetDevice;
  readonly out?: NetDevice;
  /** The next hop the packet is routed to (POSTROUTING): MASQUERADE picks its address by it. */
  readonly nexthop?: number;
  /** br_netfilter: the bridge ports, and whether the packet is bridged rather than routed. */
  readonly physIn?: NetDevice;
  readonly physOut?: NetDevice;
  readonly bridged?: boolean;
}

/** Tuples are immutable records, so each one's text is made once (a trace names a connection's tuples at every hop). */
const tupleTexts = new WeakMap<ConntrackTuple, string>();

export function formatTuple(tuple: ConntrackTuple): string {
  let text = tupleTexts.get(tuple);
  if (text === undefined) {
    text = tupleText(tuple);
    tupleTexts.set(tuple, text);
  }
  return text;
}

function tupleText(tuple: ConntrackTuple): string {
  const protocol = tuple.protocol === 1 ? "icmp" : tuple.protocol === 6 ? "tcp" : tuple.protocol === 17 ? "udp" : `proto ${tuple.protocol}`;
  if (tuple.protocol === 1) return `${protocol} ${formatIpv4Address(tuple.source)} > ${formatIpv4Address(tuple.destination)} type ${tuple.icmpType ?? 0} id ${tuple.sourcePort}`;
  return `${protocol} ${formatIpv4Address(tuple.source)}:${tuple.sourcePort} > ${formatIpv4Address(tuple.destination)}:${tuple.destinationPort}`;
}

/** Each entry's text, kept while its tuples are the ones it was made from (NAT replaces the reply tuple). */
const entryTexts = new WeakMap<ConntrackEntry, { readonly original: ConntrackTuple; readonly reply: ConntrackTuple; readonly text: string }>();

export function formatEntry(entry: ConntrackEntry): string {
  const known = entryTexts.get(entry);
  if (known !== undefined && known.original === entry.original && known.reply === entry.reply) return known.text;
  const text = `#${entry.id} original ${formatTuple(entry.original)}, reply ${formatTuple(entry.reply)}`;
  entryTexts.set(entry, { original: entry.original, reply: entry.reply, text });
  return text;
}

/** A packet's port as the change text shows it: ` id N` for ICMP echo, `:N` for TCP and UDP. */
function portText(packet: Ipv4Packet, side: "source" | "destination"): string {
  const transport = packet.transport;
  if (transport.protocol === "icmp") return transport.id === undefined ? "" : ` id ${transport.id}`;
  return `:${side === "source" ? transport.sourcePort : transport.destinationPort}`;
}

/** The number behind portText(), to see whether the text can differ before building it. */
function portValue(packet: Ipv4Packet, side: "source" | "destination"): number | undefined {
  const transport = packet.transport;
  return transport.protocol === "icmp" ? transport.id : side === "source" ? transport.sourcePort : transport.destinationPort;
}

/** One end of a change, `address:port -> address:port`, or undefined when its text stays the same. */
function endChange(before: Ipv4Packet, after: Ipv4Packet, side: "source" | "destination"): string | undefined {
  const beforeAddress = side === "source" ? before.source : before.destination;
  const afterAddress = side === "source" ? after.source : after.destination;
  if (before.transport.protocol === after.transport.protocol && beforeAddress === afterAddress && portValue(before, side) === portValue(after, side)) return undefined;
  const from = `${formatIpv4Address(beforeAddress)}${portText(before, side)}`;
  const to = `${formatIpv4Address(afterAddress)}${portText(after, side)}`;
  return from === to ? undefined : `${side} ${from} -> ${to}`;
}

/** What NAT changed, in words ("" when nothing a person would see). */
function describeChange(before: Ipv4Packet, after: Ipv4Packet): string {
  const source = endChange(before, after, "source");
  const destination = endChange(before, after, "destination");
  if (source !== undefined && destination !== undefined) return `${source}, ${destination}`;
  if (source !== undefined || destination !== undefined) return (source ?? destination)!;
  return before.transport !== after.transport ? "the quoted packet inside the ICMP error" : "";
}

interface HookRun {
  readonly simulation: Simulation;
  readonly namespace: NetworkNamespace;
  readonly state: NetfilterState;
  readonly hook: HookName;
  readonly devices: HookDevices;
}

function matchContext(run: HookRun, packet: Ipv4Packet): MatchContext {
  const { devices } = run;
  // Every key present (absent devices undefined): one object shape for every match to read, and no spreads per packet.
  return {
    namespace: run.namespace,
    hook: run.hook,
    packet,
    in: devices.in,
    out: devices.out,
    physIn: devices.physIn,
    physOut: devices.physOut,
    bridged: devices.bridged ?? false,
  };
}

function deviceName(run: HookRun): string | undefined {
  return run.devices.in?.name ?? run.devices.out?.name;
}

/**
 * A step of this hook run (tracing only), built whole by the caller:
 * `device: deviceName(run)` first, `namespace` and `time` last (no copy to
 * put them there). A hook run always has an in or an out device; without
 * one the key goes.
 */
function recordHookStep(run: HookRun, step: Omit<TraceStep, "device"> & { device: string | undefined }): void {
  if (step.device === undefined) delete (step as { device?: string }).device;
  recordStep(run.simulation, step);
}

/** The step that shows a NAT rewrite (tracing only; nothing when only the packet's identity changed). */
function recordNatChange(run: HookRun, before: Ipv4Packet, after: Ipv4Packet, entry: ConntrackEntry, manip: ManipType): void {
  const change = describeChange(before, after);
  if (change === "") return;
  const attached = before.conntrack!;
  const direction = attached.direction;
  const how = attached.state === "NEW" && direction === "original" ? "the rule's NAT" : `conntrack entry #${entry.id} (${direction === "reply" ? "a reply: the NAT undone" : "a later packet of the connection"})`;
  recordHookStep(run, {
    device: deviceName(run),
    stage: "nf_hook",
    packet: before,
    packetAfter: after,
    decision: { kind: "conntrack", state: attached.state, entry: formatEntry(entry) },
    verdict: "continue",
    why: `${run.hook} ${manip === "source" ? "SNAT" : "DNAT"} by ${how}: ${change}`,
    namespace: run.namespace.name,
    time: traceTime(run.simulation),
  });
}

/** A plain table (raw, mangle, filter) at this hook: the packet, or undefined when dropped. */
function runTable(run: HookRun, name: TableName, packet: Ipv4Packet): Ipv4Packet | undefined {
  const table = run.state.tables.get(name);
  if (!table) return packet;
  const result = iptDoTable({ simulation: run.simulation, table, context: matchContext(run, packet) }, run.hook);
  return result.verdict === "DROP" ? undefined : result.packet;
}

/** nf_nat_inet_fn(): the nat table for a connection's first packet, then the rewrite every packet gets. */
function runNat(run: HookRun, packet: Ipv4Packet, manip: ManipType): Ipv4Packet | undefined {
  const { simulation, namespace, state } = run;
  const entry = packetEntry(state, namespace, packet);
  const attached = packet.conntrack;
  if (!entry || !attached || attached.direction === undefined) return packet;
  let current = packet;
  const direction = attached.direction;
  if (attached.state === "RELATED" && isIcmpError(packet)) {
    current = natIcmpReplyTranslation(entry, direction, manip, packet);
  } else {
    if ((attached.state === "NEW" || attached.state === "RELATED") && !natInitialized(entry, manip)) {
      const table = state.tables.get("nat");
      const result = table ? iptDoTable({ simulation, table, context: matchContext(run, packet), ...(run.devices.nexthop !== undefined ? { nexthop: run.devices.nexthop } : {}) }, run.hook) : { verdict: "ACCEPT" as const, packet };
      if (result.verdict === "DROP") return undefined;
      current = result.packet;
      if (result.binding) {
        if (!natSetupInfo(state.conntrack, entry, result.binding, simulation.world.clock)) {
          if (simulation.steps !== null) recordHookStep(run, { device: deviceName(run), stage: "nf_hook", packet, decision: { kind: "conntrack", state: attached.state, entry: formatEntry(entry) }, verdict: "drop", dropReason: "NETFILTER_DROP", why: `${run.hook} nat: no free ${manip} tuple for this connection: dropped`, namespace: run.namespace.name, time: traceTime(run.simulation) });
          return undefined;
        }
        if (simulation.steps !== null) recordHookStep(run, { device: deviceName(run), stage: "nf_hook", packet, decision: { kind: "conntrack", state: attached.state, entry: formatEntry(entry) }, verdict: "continue", why: `${run.hook} nat: connection #${entry.id} bound; replies will come back as ${formatTuple(entry.reply)}`, namespace: run.namespace.name, time: traceTime(run.simulation) });
      } else markNatDone(entry, manip);
    }
    current = natPacket(entry, direction, manip, current);
  }
  // The change is described only for a trace: untraced packets build no text.
  if (current !== packet && simulation.steps !== null) recordNatChange(run, packet, current, entry, manip);
  return current;
}

function runConntrack(run: HookRun, packet: Ipv4Packet, keep: boolean): Ipv4Packet {
  const { simulation, namespace, state } = run;
  const result = conntrackIn(state, namespace, packet, simulation.world.clock, keep, simulation.steps !== null);
  if (result.why && state.conntrackEnabled && simulation.steps !== null) {
    const entry = result.entry;
    const ctstate = result.packet.conntrack?.state ?? "UNTRACKED";
    recordHookStep(run, {
      device: deviceName(run),
      stage: "nf_hook",
      packet: result.packet,
      decision: { kind: "conntrack", state: ctstate, entry: entry ? formatEntry(entry) : "(none)" },
      verdict: "continue",
      why: `${run.hook} conntrack: ${result.why}`,
      namespace: run.namespace.name,
      time: traceTime(run.simulation),
    });
  }
  return result.packet;
}

function confirm(run: HookRun, packet: Ipv4Packet): void {
  const entry = conntrackConfirm(run.state, run.namespace, packet);
  if (!entry || run.simulation.steps === null) return;
  recordHookStep(run, { device: deviceName(run), stage: "nf_hook", packet, decision: { kind: "conntrack", state: packet.conntrack?.state ?? "NEW", entry: formatEntry(entry) }, verdict: "continue", why: `${run.hook} conntrack confirms connection #${entry.id}: later packets and replies follow it`, namespace: run.namespace.name, time: traceTime(run.simulation) });
}

/** The packet to continue with (maybe rewritten by NAT), or undefined when dropped. */
export function nfHook(simulation: Simulation, namespace: NetworkNamespace, hook: Hook, packet: Ipv4Packet, devices: HookDevices): Ipv4Packet | undefined {
  const state = namespace.netfilter;
  if (!state) return packet;
  const run: HookRun = { simulation, namespace, state, hook, devices };
  let current: Ipv4Packet | undefined = packet;
  switch (hook) {
    case "PREROUTING":
      current = runTable(run, "raw", current);
      if (!current) return undefined;
      current = runConntrack(run, current, devices.in?.kind === "loopback");
      current = runTable(run, "mangle", current);
      if (!current) return undefined;
      return runNat(run, current, "destination");
    case "INPUT":
      current = runTable(run, "mangle", current);
      if (current) current = runTable(run, "filter", current);
      if (current) current = runNat(run, current, "source");
      if (current) confirm(run, current);
      return current;
    case "FORWARD":
      current = runTable(run, "mangle", current);
      if (current) current = runTable(run, "filter", current);
      return current;
    case "OUTPUT":
      current = runTable(run, "raw", current);
      if (!current) return undefined;
      current = runConntrack(run, current, true);
      current = runTable(run, "mangle", current);
      if (current) current = runNat(run, current, "destination");
      if (current) current = runTable(run, "filter", current);
      return current;
    case "POSTROUTING":
      current = runTable(run, "mangle", current);
      if (current) current = runNat(run, current, "source");
      if (current) confirm(run, current);
      return current;
  }
}

/** Bridged IPv4 (br_netfilter): FORWARD with in = out = the bridge. */
export function nfBridgeForward(simulation: Simulation, namespace: NetworkNamespace, bridge: NetDevice, ingress: NetDevice, egress: NetDevice, packet: Ipv4Packet): Ipv4Packet | undefined {
  return nfHook(simulation, namespace, "FORWARD", packet, { in: bridge, out: bridge, physIn: ingress, physOut: egress, bridged: true });
}
