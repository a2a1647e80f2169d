// NF_HOOK() and nf_hook_slow() (include/linux/netfilter.h, net/netfilter/core.c):
// each hook runs the functions registered at it in priority order
// (include/uapi/linux/netfilter_ipv4.h), which gives, for iptables-nft's tables:
//   PREROUTING  raw -> conntrack -> mangle -> nat (DNAT)
//   INPUT       mangle -> filter -> nat (SNAT) -> conntrack confirm
//   FORWARD     mangle -> filter
//   OUTPUT      raw -> conntrack -> mangle -> nat (DNAT) -> filter
//   POSTROUTING mangle -> nat (SNAT) -> conntrack confirm
// A namespace with no netfilter state (iptables never ran there) accepts everything.
import type { ConntrackEntry } from "../../model/conntrack.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { derivedOf } from "../../model/derived.js";
import type { HookName, NetfilterState, TableName } from "../../model/netfilter.js";
import type { Ipv4Packet } from "../../model/packet.js";
import type { ConntrackEntryView, TraceRecord } from "../../model/trace.js";
import { recordStep, traceTime, type Simulation } from "../simulation.js";
import { iptDoTable } from "./ip-tables.js";
import { conntrackConfirm, conntrackIn, isIcmpError, packetEntry } from "./nf-conntrack.js";
import { markNatDone, natIcmpReplyTranslation, natInitialized, natPacket, natSetupInfo, type ManipType, type NatBinding } from "./nf-nat.js";
import type { HookDevices } from "./core.js";
import type { MatchContext } from "./xt-match-context.js";
import type { NftChain, NftHook, NftTable } from "../../model/nf-tables.js";
import { nftDoChain } from "./nft-do-chain.js";
import { flowWalkAt, flowWalkCount, flowWalkHookDone, flowWalkTexts, hookSegment, hookSegmentDone, hookSegmentStart, hookSignature, walkRecordAppend, type HookSignature, type WalkRecord, type WalkSegment } from "./netsim-flow-cache.js";
import { rtGenid } from "../core/rt-genid.js";
import { ipv4TotalLength } from "../../model/packet.js";

/** The entry as a step shows it: its id and its tuples as they stand now (NAT replaces the reply tuple later). */
export function entryView(entry: ConntrackEntry): ConntrackEntryView {
  return { id: entry.id, original: entry.original, reply: entry.reply };
}

/** A packet's port as a NAT change shows it: the echo id for ICMP, the port for TCP and UDP. */
function portValue(packet: Ipv4Packet, side: "source" | "destination"): number | undefined {
  const transport = packet.transport;
  return transport.protocol === "icmp" ? transport.id : side === "source" ? transport.sourcePort : transport.destinationPort;
}

/** Whether one end (address and port) reads differently after NAT: an ICMP end and a TCP/UDP one never read alike. */
function endChanged(before: Ipv4Packet, after: Ipv4Packet, side: "source" | "destination"): boolean {
  if ((side === "source" ? before.source : before.destination) !== (side === "source" ? after.source : after.destination)) return true;
  if (portValue(before, side) !== portValue(after, side)) return true;
  return before.transport.protocol !== after.transport.protocol && (before.transport.protocol === "icmp" || after.transport.protocol === "icmp");
}

/** Whether NAT changed anything a person would see (the addresses, ports, or the packet an ICMP error quotes). */
function visibleChange(before: Ipv4Packet, after: Ipv4Packet): boolean {
  return endChanged(before, after, "source") || endChanged(before, after, "destination") || before.transport !== after.transport;
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
    now: run.simulation.world.clock,
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
function recordHookStep(run: HookRun, step: Omit<TraceRecord, "device"> & { device: string | undefined }): void {
  if (step.device === undefined) delete (step as { device?: string }).device;
  recordStep(run.simulation, step);
}

/** The step that shows a NAT rewrite (tracing only; nothing when only the packet's identity changed). */
function recordNatChange(run: HookRun, before: Ipv4Packet, after: Ipv4Packet, entry: ConntrackEntry, manip: ManipType): void {
  if (!visibleChange(before, after)) return;
  const attached = before.conntrack!;
  const direction = attached.direction;
  recordHookStep(run, {
    device: deviceName(run),
    stage: "nf_hook",
    packet: before,
    packetAfter: after,
    decision: { kind: "conntrack", state: attached.state, entry: entryView(entry) },
    verdict: "continue",
    reason: { code: "nat-rewrite", hook: run.hook, manip, byRule: attached.state === "NEW" && direction === "original", entryId: entry.id, direction },
    namespace: run.namespace.name,
    time: traceTime(run.simulation),
  });
}

/** A plain table (raw, mangle, filter) at this hook: the packet, or undefined when dropped. */
function runTable(run: HookRun, name: TableName, packet: Ipv4Packet, record: WalkRecord | undefined): Ipv4Packet | undefined {
  const table = run.state.tables.get(name);
  if (!table) return packet;
  const context = matchContext(run, packet);
  const result = iptDoTable(record === undefined ? { simulation: run.simulation, table, context } : { simulation: run.simulation, table, context, record }, run.hook);
  return result.verdict === "DROP" ? undefined : result.packet;
}

/** nft's hook names as the model's. */
const NFT_HOOKS: Readonly<Record<NftHook, HookName>> = { prerouting: "PREROUTING", input: "INPUT", forward: "FORWARD", output: "OUTPUT", postrouting: "POSTROUTING" };

/** An nft filter/route base chain at this hook: the packet, or undefined when dropped. */
/** What nft's expressions see: at POSTROUTING the forwarded packet's input device too (ip_output's indev). */
function nftContext(run: HookRun, packet: Ipv4Packet): MatchContext {
  const context = matchContext(run, packet);
  const indev = run.devices.indev;
  return indev === undefined || context.in !== undefined ? context : { ...context, in: indev };
}

function runNftChain(run: HookRun, table: NftTable, chain: NftChain, packet: Ipv4Packet, record: WalkRecord | undefined): Ipv4Packet | undefined {
  const context = nftContext(run, packet);
  const result = nftDoChain(record === undefined ? { simulation: run.simulation, table, chain, context, hook: run.hook } : { simulation: run.simulation, table, chain, context, hook: run.hook, record });
  return result.verdict === "DROP" ? undefined : result.packet;
}

/** One nat chain nf_nat's hook function asks (nf_nat_register_fn's lookup list): iptables-nft's nat table or an nft nat base chain. */
type NatLookup = { readonly priority: number; readonly table: NftTable; readonly chain: NftChain } | { readonly priority: number; readonly table: undefined; readonly chain: undefined };

/** The nat chains at this hook, by priority (iptables-nft's nat table at nf_nat's own priority). */
function natChains(run: HookRun, manip: ManipType): NatLookup[] {
  const lookups: NatLookup[] = [];
  const add = (entry: NatLookup): void => {
    const at = lookups.findIndex((other) => other.priority >= entry.priority);
    lookups.splice(at < 0 ? lookups.length : at, 0, entry);
  };
  if (run.state.tables.has("nat")) add({ priority: manip === "destination" ? NF_IP_PRI_NAT_DST : NF_IP_PRI_NAT_SRC, table: undefined, chain: undefined });
  for (const table of run.state.nft?.tables ?? []) {
    for (const chain of table.chains.values()) {
      const base = chain.base;
      if (base && base.type === "nat" && NFT_HOOKS[base.hook] === run.hook) add({ priority: base.priority, table, chain });
    }
  }
  return lookups;
}

/** One nat chain's verdict for the connection's first packet. */
function natLookup(run: HookRun, lookup: NatLookup, packet: Ipv4Packet): { readonly verdict: "ACCEPT" | "DROP"; readonly packet: Ipv4Packet; readonly binding?: NatBinding } {
  const nexthop = run.devices.nexthop !== undefined ? { nexthop: run.devices.nexthop } : {};
  if (lookup.table !== undefined) return nftDoChain({ simulation: run.simulation, table: lookup.table, chain: lookup.chain, context: nftContext(run, packet), hook: run.hook, ...nexthop });
  const table = run.state.tables.get("nat")!;
  return iptDoTable({ simulation: run.simulation, table, context: matchContext(run, packet), ...nexthop }, run.hook);
}

/**
 * nf_nat_inet_fn(): for a connection's first packet, the nat chains at this
 * hook in priority order until one binds the connection (a drop ends the
 * packet; none binding: the null binding), then the rewrite every packet gets.
 */
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
      let result: { readonly verdict: "ACCEPT" | "DROP"; readonly packet: Ipv4Packet; readonly binding?: NatBinding } = { verdict: "ACCEPT", packet };
      for (const lookup of natChains(run, manip)) {
        result = natLookup(run, lookup, current);
        if (result.verdict === "DROP") return undefined;
        current = result.packet;
        if (result.binding) break;
      }
      if (result.binding) {
        if (!natSetupInfo(state.conntrack, entry, result.binding, simulation.world.clock)) {
          if (simulation.steps !== null) recordHookStep(run, { device: deviceName(run), stage: "nf_hook", packet, decision: { kind: "conntrack", state: attached.state, entry: entryView(entry) }, verdict: "drop", dropReason: "NETFILTER_DROP", reason: { code: "nat-no-tuple", hook: run.hook, manip }, namespace: run.namespace.name, time: traceTime(run.simulation) });
          return undefined;
        }
        if (simulation.steps !== null) recordHookStep(run, { device: deviceName(run), stage: "nf_hook", packet, decision: { kind: "conntrack", state: attached.state, entry: entryView(entry) }, verdict: "continue", reason: { code: "nat-bound", hook: run.hook, entryId: entry.id, reply: entry.reply }, namespace: run.namespace.name, time: traceTime(run.simulation) });
      } else markNatDone(entry, manip);
    }
    current = natPacket(entry, direction, manip, current);
  }
  // The change is reported only to a trace.
  if (current !== packet && simulation.steps !== null) recordNatChange(run, packet, current, entry, manip);
  return current;
}

function runConntrack(run: HookRun, packet: Ipv4Packet, keep: boolean): Ipv4Packet {
  const { simulation, namespace, state } = run;
  const result = conntrackIn(state, namespace, packet, simulation.world.clock, keep);
  if (result.result !== "untracked" && state.conntrackEnabled && simulation.steps !== null) {
    const entry = result.entry;
    const ctstate = result.packet.conntrack?.state ?? "UNTRACKED";
    recordHookStep(run, {
      device: deviceName(run),
      stage: "nf_hook",
      packet: result.packet,
      decision: { kind: "conntrack", state: ctstate, entry: entry ? entryView(entry) : undefined },
      verdict: "continue",
      reason: { code: "conntrack-in", hook: run.hook, result: result.result, entryId: entry?.id },
      namespace: run.namespace.name,
      time: traceTime(run.simulation),
    });
  }
  return result.packet;
}

function confirm(run: HookRun, packet: Ipv4Packet): void {
  const entry = conntrackConfirm(run.state, run.namespace, packet);
  if (!entry || run.simulation.steps === null) return;
  recordHookStep(run, { device: deviceName(run), stage: "nf_hook", packet, decision: { kind: "conntrack", state: packet.conntrack?.state ?? "NEW", entry: entryView(entry) }, verdict: "continue", reason: { code: "conntrack-confirm", hook: run.hook, entryId: entry.id }, namespace: run.namespace.name, time: traceTime(run.simulation) });
}

/*
 * The hook functions registered at each hook, in the order nf_hook_slow()
 * runs them: by priority (enum nf_ip_hook_priorities), whatever table or
 * module registered them. A base chain's verdict ends only that chain: ACCEPT
 * goes on to the next hook function, DROP ends the packet.
 */
export const NF_IP_PRI_RAW = -300;
export const NF_IP_PRI_CONNTRACK = -200;
export const NF_IP_PRI_MANGLE = -150;
export const NF_IP_PRI_NAT_DST = -100;
export const NF_IP_PRI_FILTER = 0;
export const NF_IP_PRI_SECURITY = 50;
export const NF_IP_PRI_NAT_SRC = 100;
export const NF_IP_PRI_CONNTRACK_CONFIRM = 0x7fffffff;

/** struct nf_hook_ops, as the model registers them. */
type NfHookOps =
  /** An iptables-nft table's base chain at this hook (nft_do_chain of `ip TABLE`). */
  | { readonly kind: "chain"; readonly priority: number; readonly table: TableName }
  /** An nft base chain of type filter or route at this hook (nft_do_chain). */
  | { readonly kind: "nft"; readonly priority: number; readonly table: NftTable; readonly chain: NftChain }
  /** nf_conntrack_in(). */
  | { readonly kind: "conntrack"; readonly priority: number }
  /** nf_nat_ipv4_fn(): the nat chains for a connection's first packet, then the rewrite every packet gets. */
  | { readonly kind: "nat"; readonly priority: number; readonly manip: ManipType }
  /** nf_conntrack_confirm(). */
  | { readonly kind: "confirm"; readonly priority: number };

// The hook functions registered are the netfilter state's derived state (model/derived.ts).
declare module "../../model/netfilter.js" {
  interface NetfilterDerived {
    hooks?: { readonly generation: number; readonly tableCount: number; readonly entries: Readonly<Record<HookName, readonly NfHookOps[]>> };
  }
}

/** The iptables-nft tables' base chains: each table's priority (iptables-nft's `struct builtin_table`). */
const TABLE_PRIORITY: Readonly<Record<Exclude<TableName, "nat">, number>> = { raw: NF_IP_PRI_RAW, mangle: NF_IP_PRI_MANGLE, filter: NF_IP_PRI_FILTER };

/** Where nf_nat registers its hook functions (nf_nat_ipv4_ops): DNAT before routing and on output, SNAT on the way out and in. */
const NAT_OPS: Readonly<Partial<Record<HookName, NfHookOps>>> = {
  PREROUTING: { kind: "nat", priority: NF_IP_PRI_NAT_DST, manip: "destination" },
  OUTPUT: { kind: "nat", priority: NF_IP_PRI_NAT_DST, manip: "destination" },
  INPUT: { kind: "nat", priority: NF_IP_PRI_NAT_SRC, manip: "source" },
  POSTROUTING: { kind: "nat", priority: NF_IP_PRI_NAT_SRC, manip: "source" },
};

/** ipv4_conntrack_ops: conntrack_in where packets enter (PREROUTING) or are made (OUTPUT), confirm where they leave the stack's view. */
const CONNTRACK_OPS: Readonly<Partial<Record<HookName, NfHookOps>>> = {
  PREROUTING: { kind: "conntrack", priority: NF_IP_PRI_CONNTRACK },
  OUTPUT: { kind: "conntrack", priority: NF_IP_PRI_CONNTRACK },
  INPUT: { kind: "confirm", priority: NF_IP_PRI_CONNTRACK_CONFIRM },
  POSTROUTING: { kind: "confirm", priority: NF_IP_PRI_CONNTRACK_CONFIRM },
};

const HOOKS: readonly HookName[] = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"];

/**
 * The hook functions of every hook (nf_hook_entries), sorted by priority;
 * nf_register_net_hook() puts a newcomer before the first of equal or
 * higher priority. The model registers conntrack and NAT's functions with
 * the namespace's netfilter state (the kernel does once a rule needs them;
 * without one they change nothing), and a table's base chains while the
 * table exists.
 */
function registerHooks(state: NetfilterState): Readonly<Record<HookName, readonly NfHookOps[]>> {
  const registered = {} as Record<HookName, NfHookOps[]>;
  for (const hook of HOOKS) {
    const ops: NfHookOps[] = [];
    const add = (entry: NfHookOps | undefined): void => {
      if (entry === undefined) return;
      const at = ops.findIndex((other) => other.priority >= entry.priority);
      ops.splice(at < 0 ? ops.length : at, 0, entry);
    };
    add(CONNTRACK_OPS[hook]);
    add(NAT_OPS[hook]);
    for (const [name, table] of state.tables) {
      if (name !== "nat" && table.chains.has(hook)) add({ kind: "chain", priority: TABLE_PRIORITY[name], table: name });
    }
    // nft's filter and route base chains register at their own priority (nat chains run inside nf_nat's hook function: natChains()).
    for (const table of state.nft?.tables ?? []) {
      for (const chain of table.chains.values()) {
        const base = chain.base;
        if (base && base.type !== "nat" && NFT_HOOKS[base.hook] === hook) add({ kind: "nft", priority: base.priority, table, chain });
      }
    }
    registered[hook] = ops;
  }
  return registered;
}

/** The state's hook functions, registered again after a ruleset change. */
function nfHookEntries(state: NetfilterState, hook: HookName): readonly NfHookOps[] {
  const derived = derivedOf(state);
  let hooks = derived.hooks;
  // The table count too: tests build tables by hand, without a ruleset change.
  if (hooks === undefined || hooks.generation !== state.generation || hooks.tableCount !== state.tables.size) {
    hooks = { generation: state.generation, tableCount: state.tables.size, entries: registerHooks(state) };
    derived.hooks = hooks;
  }
  return hooks.entries[hook];
}

/** A base chain's walk as recorded: its counters move, a trace gets its deciding rules, and its verdict stands. */
function replaySegment(run: HookRun, segment: WalkSegment, packet: Ipv4Packet): Ipv4Packet | undefined {
  flowWalkCount(segment, ipv4TotalLength(packet));
  const simulation = run.simulation;
  if (simulation.steps !== null) {
    const texts = flowWalkTexts(segment);
    const name = run.namespace.name;
    const time = traceTime(simulation);
    for (let index = 0; index < texts.length; index++) {
      const text = texts[index]!;
      const dropped = text.verdict === "drop";
      recordStep(
        simulation,
        text.device === undefined
          ? dropped
            ? { stage: "nf_hook", packet, decision: text.decision, verdict: "drop", dropReason: "NETFILTER_DROP", reason: text.reason, namespace: name, time }
            : { stage: "nf_hook", packet, decision: text.decision, verdict: "continue", reason: text.reason, namespace: name, time }
          : dropped
            ? { device: text.device, stage: "nf_hook", packet, decision: text.decision, verdict: "drop", dropReason: "NETFILTER_DROP", reason: text.reason, namespace: name, time }
            : { device: text.device, stage: "nf_hook", packet, decision: text.decision, verdict: "continue", reason: text.reason, namespace: name, time },
      );
    }
  }
  return segment.dropped ? undefined : packet;
}

/** nf_hook_slow(): the packet to continue with (maybe rewritten), or undefined when a hook function dropped it (registered with core.ts). */
export function nfHookSlow(simulation: Simulation, namespace: NetworkNamespace, hook: HookName, packet: Ipv4Packet, devices: HookDevices): Ipv4Packet | undefined {
  const state = namespace.netfilter;
  if (!state) return packet;
  const record = flowWalkAt(namespace, hook, packet);
  const run: HookRun = { simulation, namespace, state, hook, devices };
  const entries = nfHookEntries(state, hook);
  // netsim's flow cache (netsim-flow-cache.ts): this hook's recorded walks for the packet's signature, looked up at the first base chain.
  let signature: HookSignature | undefined;
  let looked = false;
  let current: Ipv4Packet | undefined = packet;
  for (let position = 0; position < entries.length && current !== undefined; position++) {
    const entry = entries[position]!;
    switch (entry.kind) {
      case "chain":
      case "nft": {
        if (!looked) {
          looked = true;
          signature = hookSignature(namespace, hook, entries, packet, devices, rtGenid(namespace));
        }
        const cached = signature === undefined ? undefined : hookSegment(signature, position, namespace, current);
        if (cached !== undefined) {
          current = replaySegment(run, cached, current);
          if (record !== undefined) walkRecordAppend(record, cached);
          break;
        }
        const segment = signature !== undefined || record !== undefined ? hookSegmentStart(namespace, current) : undefined;
        const before = current;
        current = entry.kind === "chain" ? runTable(run, entry.table, current, segment) : runNftChain(run, entry.table, entry.chain, current, segment);
        if (segment !== undefined) {
          if (record !== undefined) walkRecordAppend(record, segment);
          if (signature !== undefined) hookSegmentDone(signature, position, segment, before, current);
        }
        break;
      }
      case "conntrack":
        current = runConntrack(run, current, hook === "OUTPUT" || devices.in?.kind === "loopback");
        break;
      case "nat":
        current = runNat(run, current, entry.manip);
        break;
      case "confirm":
        confirm(run, current);
        break;
    }
  }
  if (record !== undefined) flowWalkHookDone(record, current);
  return current;
}
