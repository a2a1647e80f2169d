// The nf_tables evaluator (net/netfilter/nf_tables_core.c: nft_do_chain):
// a base chain's rules in order, each a list of expressions run until one
// breaks (a match that fails: the next rule) or a verdict is set. jump pushes
// a return point, goto does not; return (or a user chain's end) pops, and
// with nothing to pop the base chain's policy decides. accept ends only this
// base chain (the next hook function runs), drop ends the packet.
// Expressions: payload/meta/ct/fib loads compared with cmp/lookup (sets and
// verdict maps, nft_lookup), counter, nat (nft_nat, nft_masq, nft_redir),
// meta/ct mark set, reject, log.
import { prefixMask } from "../../model/address.js";
import { ConntrackStatus } from "../../model/conntrack.js";
import type { HookName } from "../../model/netfilter.js";
import { NFT_REJECT_WITH, type NftAtom, type NftChain, type NftData, type NftElement, type NftExpression, type NftKey, type NftRight, type NftRule, type NftRuleset, type NftSelector, type NftTable, type NftVerdict } from "../../model/nf-tables.js";
import { ipv4TotalLength, type Ipv4Packet } from "../../model/packet.js";
import type { Simulation } from "../simulation.js";
import type { NftEvent } from "../../model/trace-reason.js";
import { pushNetfilterStep, type NetfilterDecision } from "./nf-hook-trace.js";
import { nftExpressionIsFlowInvariant, type WalkRecord } from "./netsim-flow-cache.js";
import { packetEntry } from "./nf-conntrack.js";
import { masqueradeBinding } from "./nf-nat-masquerade.js";
import { redirectBinding } from "./nf-nat-redirect.js";
import type { NatBinding } from "./nf-nat.js";
import { rejectTarget } from "./nf-reject.js";
import { addressType } from "./xt-addrtype.js";
import { markTarget, packetMark } from "./xt-mark.js";
import type { MatchContext } from "./xt-match-context.js";
import { statisticDraw } from "./xt-statistic.js";

/** Sets numgen random's draws apart from xt_statistic's (statisticDraw's rule number). */
const NUMGEN_DRAW_SALT = 0x6e67;

export interface NftChainVerdict {
  readonly verdict: "ACCEPT" | "DROP";
  readonly packet: Ipv4Packet;
  /** A nat statement's decision (nat chains only). */
  readonly binding?: NatBinding;
}

const PROTOCOL_NUMBER = { icmp: 1, tcp: 6, udp: 17 } as const;

/** NF_CT_STATE_BIT(): the ct state bits nft compares (invalid 1, established 2, related 4, new 8, untracked 64). */
export const CT_STATE_BITS = { invalid: 1, established: 2, related: 4, new: 8, untracked: 64 } as const;

/** RTN_* route types, as `fib ... type` yields them. */
export const FIB_TYPES = ["unspec", "unicast", "local", "broadcast", "anycast", "multicast", "blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve"] as const;

function ctStateBits(packet: Ipv4Packet, namespaceId: number): number {
  const attached = packet.conntrack;
  if (!attached || attached.namespaceId !== namespaceId) return CT_STATE_BITS.untracked;
  switch (attached.state) {
    case "NEW":
      return CT_STATE_BITS.new;
    case "ESTABLISHED":
      return CT_STATE_BITS.established;
    case "RELATED":
      return CT_STATE_BITS.related;
    case "INVALID":
      return CT_STATE_BITS.invalid;
    default:
      return CT_STATE_BITS.untracked;
  }
}

/** A selector's value for this packet; undefined when the load finds nothing (a port of a packet without ports: the rule breaks). */
function load(selector: NftSelector, context: MatchContext): NftAtom | undefined {
  const packet = context.packet;
  const transport = packet.transport;
  switch (selector.kind) {
    case "ip":
      return selector.field === "saddr" ? packet.source : selector.field === "daddr" ? packet.destination : PROTOCOL_NUMBER[transport.protocol];
    case "meta":
      switch (selector.key) {
        case "iifname":
          return context.in?.name ?? "";
        case "oifname":
          return context.out?.name ?? "";
        case "l4proto":
          return PROTOCOL_NUMBER[transport.protocol];
        case "mark":
          return (packetMark(context.namespace, packet) & (selector.mask ?? 0xffffffff)) >>> 0;
        case "nfproto":
          return 2;
        case "pkttype":
          // nft_meta_get_eval NFT_META_PKTTYPE: PACKET_HOST 0, _BROADCAST 1, _MULTICAST 2 (a locally made packet is the host's).
          return packet.linkType === "broadcast" ? 1 : packet.linkType === "multicast" ? 2 : 0;
      }
      return undefined;
    case "l4": {
      if (transport.protocol === "icmp") return undefined;
      if (selector.protocol !== "th" && selector.protocol !== transport.protocol) return undefined;
      return selector.field === "sport" ? transport.sourcePort : transport.destinationPort;
    }
    case "tcpflags":
      return undefined;
    case "icmp":
      return transport.protocol === "icmp" ? transport.type : undefined;
    case "ct": {
      if (selector.key === "state") return ctStateBits(packet, context.namespace.id);
      const entry = connection(context);
      if (!entry) return undefined;
      if (selector.key === "status") return entry.status & (ConntrackStatus.seenReply | ConntrackStatus.assured | ConntrackStatus.confirmed | ConntrackStatus.sourceNat | ConntrackStatus.destinationNat | 1);
      // nft_ct_get_eval NFT_CT_MARK: the connection's own mark, not the packet's.
      if (selector.key === "mark") return entry.mark;
      return packet.conntrack?.direction === "reply" ? 1 : 0;
    }
    case "fib": {
      // nft_fib4_eval, result type: inet_dev_addr_type() of the address, on the device when iif/oif is given.
      const address = selector.flags.includes("saddr") ? packet.source : packet.destination;
      const device = selector.flags.includes("iif") ? context.in : selector.flags.includes("oif") ? context.out : undefined;
      return FIB_TYPES.indexOf(addressType(context.namespace, address, device).toLowerCase() as (typeof FIB_TYPES)[number]);
    }
    case "numgen": {
      const state = selector.state;
      if (selector.mode === "inc") {
        // nft_ng_inc_gen(): the expression's counter moves on one, back to 0 at the modulus.
        state.count = state.count + 1 < selector.modulus ? state.count + 1 : 0;
        return state.count + (selector.offset ?? 0);
      }
      // nft_ng_random_eval(): reciprocal_scale(get_random_u32(), modulus); the model's draw is xt_statistic's seeded one
      // (the namespace, the packet, this expression's draws so far), so a run replays exactly.
      const draw = statisticDraw(context, NUMGEN_DRAW_SALT, state.count);
      state.count += 1;
      return Math.floor((draw / 0x80000000) * selector.modulus) + (selector.offset ?? 0);
    }
  }
}

/** Interface names as nft compares them: a trailing `*` matches any name with that stem. */
function atomEquals(pattern: NftAtom, actual: NftAtom): boolean {
  if (typeof pattern === "string" && typeof actual === "string") {
    if (pattern.endsWith("*") && !pattern.endsWith("\\*")) return actual.startsWith(pattern.slice(0, -1));
    return pattern === actual;
  }
  return pattern === actual;
}

function keyMatches(key: NftKey, values: readonly (NftAtom | undefined)[], offset = 0): boolean {
  const value = values[offset];
  switch (key.kind) {
    case "value":
      return value !== undefined && atomEquals(key.value, value);
    case "range":
      return typeof value === "number" && value >= key.first && value <= key.last;
    case "prefix":
      return typeof value === "number" && ((value & prefixMask(key.length)) >>> 0) === key.address;
    case "concat":
      return key.parts.every((part, index) => keyMatches(part, values, offset + index));
  }
}

/** The element the values hit; one whose timeout ran out (on the virtual clock, µs) is not there any more. */
function findElement(elements: readonly NftElement[], values: readonly (NftAtom | undefined)[], now?: number): NftElement | undefined {
  return elements.find((element) => keyMatches(element.key, values) && (element.expires === undefined || now === undefined || element.expires > now));
}

function rightHolds(right: NftRight, values: readonly (NftAtom | undefined)[], table: NftTable, now: number): boolean {
  switch (right.kind) {
    case "flags":
      return typeof values[0] === "number" && (values[0] & right.bits) !== 0;
    case "set":
      return findElement(right.elements, values) !== undefined;
    case "setref":
      return findElement(table.sets.get(right.name)?.elements ?? [], values, now) !== undefined;
    default:
      return keyMatches(right, values);
  }
}

/** Guards against jump loops (nft refuses loops when rules are added; this only stops a runaway walk). */
const MAX_STEPS = 100_000;

export interface NftWalk {
  readonly simulation: Simulation;
  readonly table: NftTable;
  readonly chain: NftChain;
  readonly context: MatchContext;
  readonly hook: HookName;
  readonly nexthop?: number;
  /** netsim's flow cache records this walk (netsim-flow-cache.ts). */
  readonly record?: WalkRecord;
}

function recordRule(walk: NftWalk, context: MatchContext, chain: NftChain, rule: NftRule | undefined, verdict: "continue" | "drop", target: NetfilterDecision["target"], step: NftEvent): void {
  const table = walk.table;
  // One literal per shape, no closure: this runs for every rule a traced packet meets.
  const tableKey = { family: table.family, name: table.name };
  const decision: NetfilterDecision = rule
    ? rule.origin
      ? { kind: "netfilter", table: tableKey, chain: chain.name, ruleNumber: rule.handle, ruleText: { text: rule.text, handle: rule.handle }, origin: rule.origin, target }
      : { kind: "netfilter", table: tableKey, chain: chain.name, ruleNumber: rule.handle, ruleText: { text: rule.text, handle: rule.handle }, target }
    : { kind: "netfilter", table: tableKey, chain: chain.name, target };
  pushNetfilterStep(walk.simulation, context, decision, verdict, { code: "nft", hook: walk.hook, family: table.family, table: table.name, chain: chain.name, handle: rule?.handle, step });
}

/** netsim's flow cache: a rule or policy that decided, as plain data (the step the slow path's trace says for it). */
function recordNftDecision(record: WalkRecord, walk: NftWalk, context: MatchContext, chain: NftChain, rule: NftRule | undefined, target: NetfilterDecision["target"], verdict: "continue" | "drop", step: NftEvent): void {
  record.decisions.push({ kind: "nft", hook: walk.hook, table: walk.table, chain, rule, target, verdict, step, in: context.in?.name, out: context.out?.name });
}

function withPacket(context: MatchContext, packet: Ipv4Packet): MatchContext {
  return { ...context, packet };
}

type Step = { readonly kind: "next" } | { readonly kind: "verdict"; readonly verdict: NftVerdict } | { readonly kind: "nat"; readonly binding: NatBinding | undefined; readonly statement: string } | { readonly kind: "reject" };

/**
 * nft_do_chain(): the verdict of one base chain for a packet at its hook,
 * traced or not (the trace only observes: each step is built behind
 * simulation.steps).
 */
export function nftDoChain(walk: NftWalk): NftChainVerdict {
  const { simulation, table } = walk;
  let context = walk.context;
  const tracing = simulation.steps !== null;
  const record = walk.record;
  const base = walk.chain;
  const stack: { chain: NftChain; next: number }[] = [];
  let chain = base;
  let index = 0;
  for (let steps = 0; steps < MAX_STEPS; steps++) {
    const rule = chain.rules[index];
    if (rule === undefined) {
      const back = stack.pop();
      if (chain === base || back === undefined) {
        const policy = base.base?.policy ?? "accept";
        if (record !== undefined && (base.rules.length > 0 || policy === "drop")) recordNftDecision(record, walk, context, base, undefined, policy, policy === "drop" ? "drop" : "continue", { event: "policy", policy });
        if (tracing && (base.rules.length > 0 || policy === "drop")) recordRule(walk, context, base, undefined, policy === "drop" ? "drop" : "continue", policy, { event: "policy", policy });
        return { verdict: policy === "drop" ? "DROP" : "ACCEPT", packet: context.packet };
      }
      if (tracing) recordRule(walk, context, chain, undefined, "continue", "return", { event: "chain-end", caller: back.chain.name });
      chain = back.chain;
      index = back.next;
      continue;
    }
    let outcome: Step = { kind: "next" };
    let failed: string | undefined;
    if (record !== undefined) record.rulesEvaluated++;
    for (const expression of rule.expressions) {
      if (record !== undefined) {
        if (!nftExpressionIsFlowInvariant(expression, table, record)) record.cacheable = false;
        else if (expression.kind === "counter") record.counters.push(expression.counters);
      }
      const result = evaluate(expression, context, walk);
      if (result === "break") {
        failed = "does not match";
        break;
      }
      if (result === "next") continue;
      if ("packet" in result) {
        context = withPacket(context, result.packet);
        continue;
      }
      outcome = result.step;
      break;
    }
    if (record !== undefined && failed === undefined) {
      if (outcome.kind === "verdict") {
        const verdict = outcome.verdict;
        switch (verdict.kind) {
          case "accept":
            recordNftDecision(record, walk, context, chain, rule, "accept", "continue", { event: "accept", base: base.name });
            break;
          case "drop":
            recordNftDecision(record, walk, context, chain, rule, "drop", "drop", { event: "drop" });
            break;
          case "continue":
            recordNftDecision(record, walk, context, chain, rule, "continue", "continue", { event: "continue" });
            break;
          case "return":
            recordNftDecision(record, walk, context, chain, rule, "return", "continue", { event: "return", caller: stack[stack.length - 1]?.chain.name, base: base.name });
            break;
          default:
            recordNftDecision(record, walk, context, chain, rule, { kind: verdict.kind, chain: verdict.chain }, "continue", { event: "jump", kind: verdict.kind, chain: verdict.chain });
        }
      } else if (outcome.kind === "next") recordNftDecision(record, walk, context, chain, rule, "(none)", "continue", { event: "next" });
      else record.cacheable = false;
    }
    if (failed !== undefined || outcome.kind === "next") {
      if (tracing) recordRule(walk, context, chain, rule, "continue", "(none)", failed !== undefined ? { event: "mismatch", ruleText: rule.text } : { event: "next" });
      index++;
      continue;
    }
    if (outcome.kind === "reject") {
      if (tracing) recordRule(walk, context, chain, rule, "drop", "reject", { event: "reject" });
      return { verdict: "DROP", packet: context.packet };
    }
    if (outcome.kind === "nat") {
      if (!outcome.binding) {
        if (tracing) recordRule(walk, context, chain, rule, "drop", outcome.statement, { event: "nat-no-address", statement: outcome.statement });
        return { verdict: "DROP", packet: context.packet };
      }
      if (tracing) recordRule(walk, context, chain, rule, "continue", outcome.statement, { event: "nat", statement: outcome.statement });
      return { verdict: "ACCEPT", packet: context.packet, binding: outcome.binding };
    }
    const verdict = outcome.verdict;
    switch (verdict.kind) {
      case "accept":
        if (tracing) recordRule(walk, context, chain, rule, "continue", "accept", { event: "accept", base: base.name });
        return { verdict: "ACCEPT", packet: context.packet };
      case "drop":
        if (tracing) recordRule(walk, context, chain, rule, "drop", "drop", { event: "drop" });
        return { verdict: "DROP", packet: context.packet };
      case "continue":
        if (tracing) recordRule(walk, context, chain, rule, "continue", "continue", { event: "continue" });
        index++;
        continue;
      case "return": {
        const back = stack.pop();
        if (tracing) recordRule(walk, context, chain, rule, "continue", "return", { event: "return", caller: back?.chain.name, base: base.name });
        if (!back) {
          index = Number.MAX_SAFE_INTEGER;
          chain = base;
          continue;
        }
        chain = back.chain;
        index = back.next;
        continue;
      }
      case "jump":
      case "goto": {
        const next = table.chains.get(verdict.chain);
        if (tracing) recordRule(walk, context, chain, rule, "continue", { kind: verdict.kind, chain: verdict.chain }, { event: "jump", kind: verdict.kind, chain: verdict.chain });
        if (!next) {
          index++;
          continue;
        }
        if (verdict.kind === "jump") stack.push({ chain, next: index + 1 });
        chain = next;
        index = 0;
        continue;
      }
    }
  }
  return { verdict: "DROP", packet: context.packet };
}

/**
 * The new mark of a mark set statement: its value, a mark as it is (copy),
 * or nft_bitwise's op on a mark it reads (meta: the packet's, ct: the
 * connection's). Undefined: nft_ct_get_eval found no connection, and the
 * rule breaks (NFT_BREAK) before the set.
 */
function newMark(expression: Extract<NftExpression, { kind: "mark-set" }>, context: MatchContext): number | undefined {
  const source = expression.copy ?? expression.bitwise?.source;
  if (source === undefined) return expression.value;
  const old = source === "ct" ? connection(context)?.mark : packetMark(context.namespace, context.packet);
  if (old === undefined) return undefined;
  const bitwise = expression.bitwise;
  if (!bitwise) return old >>> 0;
  const mark = bitwise.op === "|" ? old | expression.value : bitwise.op === "^" ? old ^ expression.value : old & expression.value;
  return mark >>> 0;
}

/** The packet's conntrack entry in this namespace (nf_ct_get), if it has one. */
function connection(context: MatchContext) {
  const state = context.namespace.netfilter;
  return state ? packetEntry(state, context.namespace, context.packet) : undefined;
}

type Evaluated = "break" | "next" | { readonly packet: Ipv4Packet } | { readonly step: Step };

function dataStep(data: NftData | undefined): Evaluated {
  if (!data || data.kind !== "verdict") return "break";
  return { step: { kind: "verdict", verdict: data.verdict } };
}

function evaluate(expression: NftExpression, context: MatchContext, walk: NftWalk): Evaluated {
  switch (expression.kind) {
    case "match": {
      const values = expression.left.map((selector) => load(selector, context));
      if (values.some((value) => value === undefined)) return "break";
      const holds = rightHolds(expression.right, values, walk.table, walk.simulation.world.clock);
      return holds === (expression.op === "==") ? "next" : "break";
    }
    case "counter":
      expression.counters.packets += 1;
      expression.counters.bytes += ipv4TotalLength(context.packet);
      return "next";
    case "verdict":
      return { step: { kind: "verdict", verdict: expression.verdict } };
    case "vmap": {
      const values = expression.left.map((selector) => load(selector, context));
      if (values.some((value) => value === undefined)) return "break";
      const elements = expression.map.kind === "set" ? expression.map.elements : (walk.table.sets.get(expression.map.name)?.elements ?? []);
      return dataStep(findElement(elements, values, walk.simulation.world.clock)?.data);
    }
    case "dynset":
      return dynset(expression, context, walk);
    case "nat": {
      const ports = expression.ports;
      const random = expression.flags.includes("random") || expression.flags.includes("fully-random");
      let binding: NatBinding | undefined;
      if (expression.type === "masquerade") binding = masqueradeBinding(context.namespace, { kind: "MASQUERADE", ...(ports ? { ports } : {}), ...(random ? { random } : {}) }, context.out, walk.nexthop ?? context.packet.destination);
      else if (expression.type === "redirect") binding = redirectBinding({ kind: "REDIRECT", ...(ports ? { ports } : {}) }, walk.hook, context.in);
      else binding = { manip: expression.type === "snat" ? "source" : "destination", range: { ...(expression.addresses ? { addresses: expression.addresses } : {}), ...(ports ? { ports } : {}), ...(random ? { random } : {}) } };
      return { step: { kind: "nat", binding, statement: expression.type } };
    }
    case "mark-set": {
      const mark = newMark(expression, context);
      if (mark === undefined) return "break";
      if (expression.target === "meta") return { packet: markTarget({ kind: "MARK", value: mark, mask: 0xffffffff }, context.namespace, context.packet) };
      // nft_ct_set_eval NFT_CT_MARK: the connection's mark; a packet without a connection (untracked) keeps nothing.
      const entry = connection(context);
      if (entry) entry.mark = mark;
      return "next";
    }
    case "reject":
      rejectTarget(walk.simulation, context.namespace, context.packet, expression.with === undefined ? "icmp-port-unreachable" : NFT_REJECT_WITH[expression.with], context.in);
      return { step: { kind: "reject" } };
    case "log":
      return "next";
    case "notrack":
      return "next";
    case "ipv6-match":
      // An IPv6 header field or lookup: netsim's packets are IPv4, which the kernel's nfproto dependency stops here.
      return "break";
  }
}

/**
 * nft_dynset_eval(): the key the selectors load put in the set, with the
 * set's timeout from now when it has one; `update` refreshes an element
 * already there, `add` leaves it as it is. A full set (its size reached)
 * or a key that does not load breaks the rule.
 */
function dynset(expression: Extract<NftExpression, { kind: "dynset" }>, context: MatchContext, walk: NftWalk): Evaluated {
  const set = walk.table.sets.get(expression.set);
  const values = expression.left.map((selector) => load(selector, context));
  if (!set || values.some((value) => value === undefined)) return "break";
  const now = walk.simulation.world.clock;
  // The statement's own timeout (`{ ip saddr timeout 30s }`) over the set's; the element keeps it to list it.
  const timeout = expression.timeout ?? set.timeout;
  const expires = timeout !== undefined ? now + timeout * 1000 : undefined;
  const live = set.elements.filter((element) => element.expires === undefined || element.expires > now);
  const index = live.findIndex((element) => keyMatches(element.key, values));
  if (index >= 0) {
    if (expression.op === "update" && expires !== undefined) live[index] = { ...live[index]!, expires };
  } else {
    if (live.length >= (set.size ?? 65535)) return "break";
    const parts = values.map((value): NftKey => ({ kind: "value", value: value! }));
    live.push({ key: parts.length === 1 ? parts[0]! : { kind: "concat", parts }, ...(expression.timeout !== undefined ? { timeout: expression.timeout } : {}), ...(expires !== undefined ? { expires } : {}) });
  }
  set.elements = live;
  return "next";
}

/** Whether the nft ruleset needs conntrack (nf_ct_netns_get(): a ct expression, a nat chain or statement). */
export function nftNeedsConntrack(ruleset: NftRuleset | undefined): boolean {
  if (!ruleset) return false;
  for (const table of ruleset.tables) {
    for (const chain of table.chains.values()) {
      if (chain.base?.type === "nat") return true;
      for (const rule of chain.rules) {
        for (const expression of rule.expressions) {
          if (expression.kind === "nat") return true;
          if ((expression.kind === "match" || expression.kind === "vmap") && expression.left.some((selector) => selector.kind === "ct")) return true;
        }
      }
    }
  }
  return false;
}

export type { NftElement };
