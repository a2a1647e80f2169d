// The chain walk (net/ipv4/netfilter/ip_tables.c: ipt_do_table, ip_packet_match):
// rules in order, first terminal match wins; jumps push a return point,
// gotos do not; RETURN (or the end of a user chain) pops, and with nothing
// to pop the built-in chain's policy decides. Every rule that matches counts
// the packet and its bytes.
import { derivedOf } from "../../model/derived.js";
import { selectorMaskOf, type AddressSelector, type Chain, type HookName, type InterfaceSelector, type Match, type Rule, type RuleCounters, type Table, type Target } from "../../model/netfilter.js";
import { ipv4TotalLength, type Ipv4Packet } from "../../model/packet.js";
import type { Simulation } from "../simulation.js";
import type { IptEvent, MatchMismatch } from "../../model/trace-reason.js";
import { pushNetfilterStep, type NetfilterDecision } from "./nf-hook-trace.js";
import type { NatBinding } from "./nf-nat.js";
import { masqueradeBinding } from "./nf-nat-masquerade.js";
import { redirectBinding } from "./nf-nat-redirect.js";
import { rejectTarget } from "./nf-reject.js";
import { markTarget } from "./xt-mark.js";
import { interfaceNameMatches, type MatchContext } from "./xt-match-context.js";
import { xtMatch, xtMatchModule } from "./xt-matches.js";
import { setTarget } from "./xt-set.js";
import { xtStatistic, type StatisticMatch } from "./xt-statistic.js";
import { NO_STATEFUL_PART, xtMatchIsFlowInvariant, type WalkRecord } from "./netsim-flow-cache.js";
import { portTest, portTestHolds, xtTcpUdp, type PortTest } from "./xt-tcpudp.js";

export interface TableVerdict {
  readonly verdict: "ACCEPT" | "DROP";
  /** The packet after non-terminal targets (MARK). */
  readonly packet: Ipv4Packet;
  /** A NAT target's decision (nat table only). */
  readonly binding?: NatBinding;
}

const PROTOCOL_NUMBER = { icmp: 1, tcp: 6, udp: 17 } as const;

function addressFails(selector: Rule["source"], address: number, side: "source" | "destination"): MatchMismatch | undefined {
  if (!selector) return undefined;
  const inside = ((address & selectorMaskOf(selector)) >>> 0) === selector.address;
  if (inside !== selector.invert) return undefined;
  return { match: "ip-address", side, address, invert: selector.invert, selector: selector.address, mask: selector.mask, prefixLength: selector.prefixLength };
}

function interfaceFails(selector: Rule["inInterface"], name: string | undefined, side: "in-interface" | "out-interface"): MatchMismatch | undefined {
  if (!selector) return undefined;
  if (interfaceNameMatches(selector.name, name) !== selector.invert) return undefined;
  return { match: "ip-interface", side, name, invert: selector.invert, pattern: selector.name };
}

/** Why ip_packet_match() refused the packet (tracing only: it reads the packet again, and has no side effect). */
function ipPacketMismatch(rule: Rule, context: MatchContext): MatchMismatch {
  const packet = context.packet;
  const failed =
    addressFails(rule.source, packet.source, "source") ??
    addressFails(rule.destination, packet.destination, "destination") ??
    interfaceFails(rule.inInterface, context.in?.name, "in-interface") ??
    interfaceFails(rule.outInterface, context.out?.name, "out-interface");
  if (failed !== undefined) return failed;
  const protocol = rule.protocol!;
  return { match: "ip-protocol", protocol: packet.transport.protocol, invert: protocol.invert, number: protocol.number };
}

function targetName(rule: Rule): string {
  const target = rule.target;
  if (!target) return "(none)";
  return target.kind === "jump" ? target.chain : target.kind;
}

/** Guards against jump loops; iptables-nft refuses them when rules are added, this only stops a runaway walk. */
const MAX_STEPS = 100_000;

export interface WalkEnvironment {
  readonly simulation: Simulation;
  readonly table: Table;
  readonly context: MatchContext;
  /** Where the packet goes next on the way out (MASQUERADE's source choice). */
  readonly nexthop?: number;
  /** netsim's flow cache records this walk (netsim-flow-cache.ts). */
  readonly record?: WalkRecord;
}

/*
 * One walk, traced or not. Rules are walked as PreparedRules (one object
 * shape for every rule, the ipt_ip part as numbers, the matches that can
 * fail, the jump's chain resolved on first use): the model's rules come in
 * many shapes (each optional selector present or not), so reading them in
 * one place is V8's slow, megamorphic property lookup; and a jump that
 * looked its chain up by name among kube-proxy's 30,000 chains cost more
 * than the rules it leads to. Preparing is lazy, per chain, and undone by
 * any change to the table (its generation).
 *
 * Long chains are walked by an index. A rule whose destination is a plain
 * /32 (`-d A/32`, not inverted) can only match packets sent to A, and
 * ip_packet_match() checks the destination before any match runs (so
 * skipping it has no side effect: no counter, no statistic draw). A long
 * chain is indexed once: the rules keyed by that address, and the rules with
 * no such key. A packet walks the two lists merged in rule order, so
 * first-match order is exactly the rule-by-rule walk's; rules it skips are
 * only rules that could not match it. A trace reports each skipped rule as
 * the index's decision (why it could not match, flagged as skipped).
 * test/bench/rule-index.test.ts checks that the indexed walk, the
 * rule-by-rule one and a traced one decide alike.
 */

/** Chains shorter than this are walked rule by rule: the index would not pay. */
export const INDEX_MINIMUM_RULES = 32;

/** Ends every position list: more than any rule position. */
const END = 0x7fffffff;
/** A position list with nothing in it. */
const NO_POSITIONS = Int32Array.of(END);

/**
 * A rule as an untraced walk tests it: decides exactly as ruleMatches().
 * Fields in the order a walk reads them: what rejects most rules (the
 * destination, then the source) fills the object's first cache line.
 */
interface PreparedRule extends PortTest {
  /** -d and -s as int32 address and mask (no selector: 0 and 0, which every address is inside). */
  readonly destinationAddress: number;
  readonly destinationMask: number;
  readonly destinationInvert: boolean;
  readonly sourceAddress: number;
  readonly sourceMask: number;
  readonly sourceInvert: boolean;
  /** -p as a protocol number, -1 without one. */
  readonly protocol: number;
  readonly protocolInvert: boolean;
  // (PortTest's fields: a first tcp/udp match, after -m comment ones, as numbers: the usual `-p tcp -m tcp --dport`.)
  /** That tcp/udp match itself (a trace describes it when it fails). */
  readonly portMatch: Extract<Match, { kind: "tcp" | "udp" }> | undefined;
  /** A statistic match next (kube-proxy's endpoint choice), read without going through the list. */
  readonly statistic: StatisticMatch | undefined;
  /** The rule's other matches but -m comment (which always matches), in order. */
  readonly matches: readonly Match[];
  readonly inInterface: InterfaceSelector | undefined;
  readonly outInterface: InterfaceSelector | undefined;
  /**
   * rule.counters and rule.target, and the target's kind and goto flag, read
   * here so an untraced walk need not read the rule (nor a jump's target
   * object): the counters object is replaced only by `iptables -Z`, a
   * ruleset change, which prepares the rules again.
   */
  readonly counters: RuleCounters;
  readonly targetKind: Target["kind"] | undefined;
  readonly goto: boolean;
  /** A jump's or goto's chain: undefined until first taken, null when the chain does not exist. */
  jump: PreparedChain | null | undefined;
  readonly target: Target | undefined;
  readonly rule: Rule;
  /** netsim's flow cache: the first part (IP_PART, PORTS, STATISTIC, MATCH_AT + k) that reads more than a flow's fixed fields, NO_STATEFUL_PART when none does. */
  readonly firstStatefulPart: number;
  /** Whether the target, when taken, only decides (no LOG line, mark, set change, reject or NAT). */
  readonly targetOnlyDecides: boolean;
}

/** A selector as int32 address and mask; an address no packet can have (not a uint32) as a test no address passes. */
function selectorAddress(selector: AddressSelector | undefined): number {
  if (!selector) return 0;
  return selector.address === selector.address >>> 0 ? selector.address | 0 : 1;
}

function selectorMask(selector: AddressSelector | undefined): number {
  if (!selector) return 0;
  return selector.address === selector.address >>> 0 ? selectorMaskOf(selector) | 0 : 0;
}

/** No matches left: one shared list (an empty list of each rule's own is a cache line more a walk reads). */
const NO_MATCHES: readonly Match[] = [];

function matchList(matches: readonly Match[]): readonly Match[] {
  return matches.length === 0 ? NO_MATCHES : matches;
}

function prepareRule(rule: Rule): PreparedRule {
  const { source, destination } = rule;
  const matches = rule.matches.filter((match) => match.kind !== "comment");
  // Only leading matches are taken out of the list, so they are still tested in the rule's order (a statistic draw happens or not as before).
  const first = matches[0];
  // A leading tcp match with --tcp-flags stays in the list: the prepared port test does not look at flags.
  const portMatch = first !== undefined && (first.kind === "tcp" || first.kind === "udp") && !(first.kind === "tcp" && first.tcpFlags) ? first : undefined;
  const ports = portTest(portMatch);
  const rest = ports.portProtocol !== undefined ? matches.slice(1) : matches;
  const next = rest[0];
  const statistic = next !== undefined && next.kind === "statistic" ? next : undefined;
  const listed = statistic !== undefined ? rest.slice(1) : rest;
  const stateful = listed.findIndex((match) => !xtMatchIsFlowInvariant(match));
  const targetKind = rule.target?.kind;
  return {
    destinationAddress: selectorAddress(destination),
    destinationMask: selectorMask(destination),
    destinationInvert: destination ? destination.invert : false,
    sourceAddress: selectorAddress(source),
    sourceMask: selectorMask(source),
    sourceInvert: source ? source.invert : false,
    protocol: rule.protocol ? rule.protocol.number : -1,
    protocolInvert: rule.protocol ? rule.protocol.invert : false,
    portProtocol: ports.portProtocol,
    sourcePortFirst: ports.sourcePortFirst,
    sourcePortLast: ports.sourcePortLast,
    sourcePortInvert: ports.sourcePortInvert,
    destinationPortFirst: ports.destinationPortFirst,
    destinationPortLast: ports.destinationPortLast,
    destinationPortInvert: ports.destinationPortInvert,
    portMatch,
    statistic,
    matches: matchList(listed),
    inInterface: rule.inInterface,
    outInterface: rule.outInterface,
    // A rule nft added without a counter counts into a scratch object nothing reads.
    counters: rule.nft && !rule.nft.counted ? { packets: 0, bytes: 0 } : rule.counters,
    targetKind: rule.target?.kind,
    goto: rule.target?.kind === "jump" && rule.target.goto,
    jump: undefined,
    target: rule.target,
    rule,
    firstStatefulPart: statistic !== undefined ? STATISTIC : stateful >= 0 ? MATCH_AT + stateful : NO_STATEFUL_PART,
    targetOnlyDecides: targetKind === undefined || targetKind === "ACCEPT" || targetKind === "DROP" || targetKind === "RETURN" || targetKind === "jump",
  };
}

/** What refused a packet, for the trace: the ipt_ip part, the leading port test, the leading statistic match, or the match at MATCH_AT + its place. */
const MATCHED = -1;
const IP_PART = 0;
const PORTS = 1;
const STATISTIC = 2;
const MATCH_AT = 3;

/**
 * ip_packet_match() and then each match in turn, on a prepared rule: MATCHED,
 * or what refused the packet. `protocol` is the packet's protocol number.
 */
function preparedRuleMatches(prepared: PreparedRule, context: MatchContext, ruleNumber: number, protocol: number): number {
  const packet = context.packet;
  // (a & m) as int32 equals A | 0 exactly when (a & m) >>> 0 equals A: the same test as addressFails().
  if (((packet.destination & prepared.destinationMask) === prepared.destinationAddress) === prepared.destinationInvert) return IP_PART;
  if (((packet.source & prepared.sourceMask) === prepared.sourceAddress) === prepared.sourceInvert) return IP_PART;
  // Every check before the matches is free of side effects, so their order is free too.
  if (prepared.protocol !== -1 && (protocol === prepared.protocol) === prepared.protocolInvert) return IP_PART;
  const inInterface = prepared.inInterface;
  if (inInterface !== undefined && interfaceNameMatches(inInterface.name, context.in?.name) === inInterface.invert) return IP_PART;
  const outInterface = prepared.outInterface;
  if (outInterface !== undefined && interfaceNameMatches(outInterface.name, context.out?.name) === outInterface.invert) return IP_PART;
  if (!portTestHolds(prepared, context)) return PORTS;
  if (prepared.statistic !== undefined && !xtStatistic.match(prepared.statistic, context, ruleNumber)) return STATISTIC;
  const matches = prepared.matches;
  for (let position = 0; position < matches.length; position++) {
    if (!xtMatch(matches[position]!, context, ruleNumber)) return MATCH_AT + position;
  }
  return MATCHED;
}

/** Why preparedRuleMatches() refused the packet (tracing only). */
function ruleMismatch(prepared: PreparedRule, refused: number, context: MatchContext): MatchMismatch {
  if (refused === IP_PART) return ipPacketMismatch(prepared.rule, context);
  if (refused === PORTS) return xtTcpUdp.mismatch(prepared.portMatch!, context);
  if (refused === STATISTIC) return xtStatistic.mismatch(prepared.statistic!, context);
  const match = prepared.matches[refused - MATCH_AT]!;
  return xtMatchModule(match).mismatch(match, context);
}

interface PreparedChain {
  readonly chain: Chain;
  /** chain.rules when prepared (a different array or length means the chain changed since). */
  readonly rules: readonly Rule[];
  readonly length: number;
  /** The rules, prepared, in order. */
  readonly prepared: readonly PreparedRule[];
  /** Long chains: where each destination's group of rule positions starts in `keyed` (destinationGroup()); undefined for short chains. */
  readonly byDestination: Int32Array | undefined;
  /** Groups laid out as [count, positions ascending..., END]. */
  readonly keyed: Int32Array;
  /** Positions of the rules no destination key covers, ascending, then END. */
  readonly unkeyed: Int32Array;
}

interface PreparedTable {
  /** The table's generation when prepared: any change to the table makes every prepared chain stale. */
  readonly generation: number;
  /** table.chains when prepared: a rename swaps the map. */
  readonly chainMap: Map<string, Chain>;
  readonly chainCount: number;
  readonly chains: Map<string, PreparedChain>;
}

// The prepared chains are the table's derived state (model/derived.ts).
declare module "../../model/netfilter.js" {
  interface TableDerived {
    prepared?: PreparedTable;
  }
}

function preparedTable(table: Table): PreparedTable {
  const derived = derivedOf(table);
  const cached = derived.prepared;
  if (cached && cached.generation === table.generation && cached.chainMap === table.chains && cached.chainCount === table.chains.size) return cached;
  const fresh: PreparedTable = { generation: table.generation, chainMap: table.chains, chainCount: table.chains.size, chains: new Map() };
  derived.prepared = fresh;
  return fresh;
}

/** Whether the chain's rules are still those it was prepared from (tests edit chains by hand). */
function stillCurrent(prepared: PreparedChain): boolean {
  return prepared.rules === prepared.chain.rules && prepared.length === prepared.rules.length;
}

/*
 * A long chain's destinations, as an open-addressing hash in one Int32Array:
 * slot i is [address | 0, group start + 1] (0: an empty slot), probed
 * linearly from the address's hash. A packet's lookup reads one or two
 * neighbouring slots, where a Map of 10,000 numbers reads its bucket, then
 * its entry, in two places of memory.
 */
function destinationTable(count: number): Int32Array {
  let slots = 8;
  while (slots < count * 2) slots *= 2;
  return new Int32Array(slots * 2);
}

function destinationSlot(address: number, slots: number): number {
  const hash = Math.imul(address | 0, 0x9e3779b1);
  return (hash ^ (hash >>> 15)) & (slots - 1);
}

function addDestinationGroup(table: Int32Array, address: number, start: number): void {
  const slots = table.length >> 1;
  for (let slot = destinationSlot(address, slots); ; slot = (slot + 1) & (slots - 1)) {
    if (table[2 * slot + 1] === 0) {
      table[2 * slot] = address | 0;
      table[2 * slot + 1] = start + 1;
      return;
    }
  }
}

/** Where the group of rules keyed by `address` starts in the chain's `keyed` list; -1 when no rule is. */
function destinationGroup(table: Int32Array, address: number): number {
  const slots = table.length >> 1;
  const key = address | 0;
  for (let slot = destinationSlot(address, slots); ; slot = (slot + 1) & (slots - 1)) {
    const start = table[2 * slot + 1]!;
    if (start === 0) return -1;
    if (table[2 * slot] === key) return start - 1;
  }
}

function prepareChain(chain: Chain): PreparedChain {
  const rules = chain.rules;
  const length = rules.length;
  const prepared = rules.map(prepareRule);
  if (length < INDEX_MINIMUM_RULES) return { chain, rules, length, prepared, byDestination: undefined, keyed: NO_POSITIONS, unkeyed: NO_POSITIONS };
  const groups = new Map<number, number[]>();
  const unkeyedPositions: number[] = [];
  for (let position = 0; position < length; position++) {
    const destination = rules[position]!.destination;
    if (destination && !destination.invert && destination.prefixLength === 32 && destination.mask === undefined) {
      const group = groups.get(destination.address);
      if (group) group.push(position);
      else groups.set(destination.address, [position]);
    } else unkeyedPositions.push(position);
  }
  const byDestination = destinationTable(groups.size);
  const keyed = new Int32Array(length - unkeyedPositions.length + 2 * groups.size);
  let at = 0;
  for (const [address, group] of groups) {
    addDestinationGroup(byDestination, address, at);
    keyed[at++] = group.length;
    for (const position of group) keyed[at++] = position;
    keyed[at++] = END;
  }
  const unkeyed = Int32Array.from([...unkeyedPositions, END]);
  return { chain, rules, length, prepared, byDestination, keyed, unkeyed };
}

function preparedChain(table: PreparedTable, chain: Chain, depth = 0): PreparedChain {
  const cached = table.chains.get(chain.name);
  if (cached && cached.chain === chain && stillCurrent(cached)) return cached;
  const fresh = prepareChain(chain);
  table.chains.set(chain.name, fresh);
  if (fresh.byDestination !== undefined || depth > 0) prepareJumps(table, fresh, depth);
  return fresh;
}

/** How deep prepareJumps() follows jumps from a long chain (kube-proxy's: KUBE-SERVICES, KUBE-SVC-*, KUBE-SEP-*, KUBE-MARK-MASQ). */
const PREPARED_JUMP_DEPTH = 4;

/**
 * A long chain's jumps resolved when it is prepared, depth first in rule
 * order, the chains they enter prepared there and then: one service's
 * chains (kube-proxy's KUBE-SVC-* and its KUBE-SEP-*, which a packet walks
 * one after the other) are then made one after the other, and lie together
 * in memory, instead of wherever the first packet to each left them. The
 * jumps are those jumpTarget() would resolve, to the same chains.
 */
function prepareJumps(table: PreparedTable, chain: PreparedChain, depth: number): void {
  if (depth >= PREPARED_JUMP_DEPTH) return;
  const prepared = chain.prepared;
  for (let position = 0; position < prepared.length; position++) {
    const rule = prepared[position]!;
    if (rule.jump !== undefined || rule.target?.kind !== "jump") continue;
    const target = table.chainMap.get(rule.target.chain);
    if (target) rule.jump = preparedChain(table, target, depth + 1);
  }
}

/** The first place in list[low, high) whose value is at least `position` (high when none). */
function lowerBound(list: Int32Array, position: number, low: number, high: number): number {
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (list[middle]! < position) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Where a walk is: the chain, the rule, and (indexed) where it is in the chain's two position lists. */
interface Cursor {
  chain: PreparedChain;
  index: number;
  /** Walking a long chain by its index (else rule by rule). */
  skipping: boolean;
  keyed: Int32Array;
  keyedAt: number;
  unkeyed: Int32Array;
  unkeyedAt: number;
}

function enterChain(cursor: Cursor, chain: PreparedChain, from: number, indexed: boolean, destination: number): void {
  cursor.chain = chain;
  const byDestination = chain.byDestination;
  if (!indexed || byDestination === undefined) {
    cursor.skipping = false;
    cursor.index = from;
    return;
  }
  cursor.skipping = true;
  const group = destinationGroup(byDestination, destination);
  if (group < 0) {
    cursor.keyed = NO_POSITIONS;
    cursor.keyedAt = 0;
  } else {
    cursor.keyed = chain.keyed;
    cursor.keyedAt = from === 0 ? group + 1 : lowerBound(chain.keyed, from, group + 1, group + 1 + chain.keyed[group]!);
  }
  cursor.unkeyed = chain.unkeyed;
  cursor.unkeyedAt = from === 0 ? 0 : lowerBound(chain.unkeyed, from, 0, chain.unkeyed.length - 1);
  cursor.index = Math.min(cursor.keyed[cursor.keyedAt]!, cursor.unkeyed[cursor.unkeyedAt]!);
}

/** Past the current rule: the next one (rule by rule), or the next candidate of the two lists (indexed; END past the last). */
function advance(cursor: Cursor): void {
  if (!cursor.skipping) {
    cursor.index++;
    return;
  }
  if (cursor.keyed[cursor.keyedAt] === cursor.index) cursor.keyedAt++;
  else cursor.unkeyedAt++;
  cursor.index = Math.min(cursor.keyed[cursor.keyedAt]!, cursor.unkeyed[cursor.unkeyedAt]!);
}

/** The chain a rule's jump or goto enters, resolved once per prepared rule (null: no such chain). */
function jumpTarget(table: Table, prepared: PreparedTable, rule: PreparedRule): PreparedChain | null {
  const resolved = rule.jump;
  if (resolved === null) return null;
  // The chain object itself is not read here: only ruleset changes (which start a new generation) replace a chain's rules array.
  if (resolved !== undefined && resolved.length === resolved.rules.length) return resolved;
  const target = rule.target;
  const chain = target?.kind === "jump" ? table.chains.get(target.chain) : undefined;
  const entered = chain ? preparedChain(prepared, chain) : null;
  rule.jump = entered;
  return entered;
}

/** The match context with the packet a target rewrote (every key spelled out: no spread per packet). */
function withPacket(context: MatchContext, packet: Ipv4Packet): MatchContext {
  return { namespace: context.namespace, hook: context.hook, packet, in: context.in, out: context.out, physIn: context.physIn, physOut: context.physOut, bridged: context.bridged, now: context.now };
}

interface StepFields {
  readonly ruleNumber?: number;
  readonly rule?: Rule;
  readonly chain: Chain;
  readonly target: string;
  readonly verdict: "continue" | "drop";
  readonly step: IptEvent;
  readonly mismatch?: MatchMismatch;
  /** The chain's index passed the rule by (its destination cannot be the packet's). */
  readonly skipped?: boolean;
}

function recordStep(simulation: Simulation, table: Table, hook: HookName, context: MatchContext, fields: StepFields): void {
  // Keys in the order a trace shows them, each added only when present (no spreads, no closure: this runs for every rule a traced packet meets).
  const rule = fields.rule;
  const number = fields.ruleNumber;
  const tableName = table.name;
  const chain = fields.chain.name;
  const target = fields.target;
  const decision: { -readonly [K in keyof NetfilterDecision]: NetfilterDecision[K] } =
    number !== undefined
      ? rule
        ? { kind: "netfilter", table: tableName, chain, ruleNumber: number, ruleText: { chain, rule }, target }
        : { kind: "netfilter", table: tableName, chain, ruleNumber: number, target }
      : rule
        ? { kind: "netfilter", table: tableName, chain, ruleText: { chain, rule }, target }
        : { kind: "netfilter", table: tableName, chain, target };
  if (fields.mismatch !== undefined) decision.mismatch = fields.mismatch;
  if (fields.skipped) decision.skippedByIndex = true;
  if (rule?.origin) decision.origin = rule.origin;
  pushNetfilterStep(simulation, context, decision, fields.verdict, { code: "iptables", hook, table: tableName, chain, step: fields.step });
}

/** No rule decided: the built-in chain's policy (traced when the chain has rules or drops). */
function chainPolicy(simulation: Simulation, table: Table, hook: HookName, context: MatchContext, builtin: Chain, tracing: boolean, record: WalkRecord | undefined): TableVerdict {
  const verdict = builtin.policy ?? "ACCEPT";
  const counters = builtin.policyCounters;
  if (counters !== undefined) {
    counters.packets += 1;
    counters.bytes += ipv4TotalLength(context.packet);
  }
  if (record !== undefined) {
    if (counters !== undefined) record.counters.push(counters);
    if (builtin.rules.length > 0 || verdict === "DROP") recordDecision(record, table, hook, context, builtin, 0, undefined, verdict, verdict === "DROP" ? "drop" : "continue", { event: "policy", policy: verdict });
  }
  if (tracing && (builtin.rules.length > 0 || verdict === "DROP")) {
    recordStep(simulation, table, hook, context, { chain: builtin, target: verdict, verdict: verdict === "DROP" ? "drop" : "continue", step: { event: "policy", policy: verdict } });
  }
  return { verdict, packet: context.packet };
}

/** netsim's flow cache: a rule or policy that decided, as plain data. */
function recordDecision(record: WalkRecord, table: Table, hook: HookName, context: MatchContext, chain: Chain, ruleNumber: number, rule: Rule | undefined, target: string, verdict: "continue" | "drop", step: IptEvent): void {
  record.decisions.push({ kind: "iptables", hook, table, chain, ruleNumber, rule, target, verdict, step, in: context.in?.name, out: context.out?.name });
}

/** A trace's steps for the rules the index passed by, positions [from, to) of the chain: each could not match the packet. */
function recordSkipped(simulation: Simulation, table: Table, hook: HookName, context: MatchContext, walking: PreparedChain, from: number, to: number): void {
  for (let position = from; position < to; position++) {
    const rule = walking.rules[position]!;
    const mismatch = ipPacketMismatch(rule, context);
    recordStep(simulation, table, hook, context, { ruleNumber: position + 1, rule, chain: walking.chain, target: targetName(rule), verdict: "continue", mismatch, skipped: true, step: { event: "mismatch", ruleNumber: position + 1, mismatch } });
  }
}

/**
 * ipt_do_table(): the verdict of `table` for a packet at `hook`, traced or
 * not. `evaluation`: long chains walked by their index (the default), or
 * rule by rule (the bench and the property tests compare the two).
 */
export function iptDoTable(environment: WalkEnvironment, hook: HookName, evaluation: "indexed" | "naive" = "indexed"): TableVerdict {
  const { simulation, table } = environment;
  let context = environment.context;
  const namespace = context.namespace;
  const builtin = table.chains.get(hook);
  if (!builtin) return { verdict: "ACCEPT", packet: context.packet };
  const tracing = simulation.steps !== null;
  const record = environment.record;
  const indexed = evaluation === "indexed";
  const destination = context.packet.destination;
  const protocol = PROTOCOL_NUMBER[context.packet.transport.protocol];
  const prepared = preparedTable(table);
  // Return points of the jumps taken: [chain, next rule index] pairs.
  const stack: (PreparedChain | number)[] = [];
  const cursor: Cursor = { chain: preparedChain(prepared, builtin), index: 0, skipping: false, keyed: NO_POSITIONS, keyedAt: 0, unkeyed: NO_POSITIONS, unkeyedAt: 0 };
  enterChain(cursor, cursor.chain, 0, indexed, destination);
  // The next rule a rule-by-rule walk would look at: a trace reports the ones the index passes by.
  let unreported = 0;
  // No closures or step records are made per walk when tracing is off: every recordStep call is behind `tracing`.
  for (let steps = 0; steps < MAX_STEPS; steps++) {
    const walking = cursor.chain;
    const chain = walking.chain;
    const index = cursor.index;
    const preparedRule = walking.prepared[index];
    if (tracing && unreported < index) recordSkipped(simulation, table, hook, context, walking, unreported, Math.min(index, walking.length));
    if (preparedRule === undefined) {
      if (chain === builtin || stack.length === 0) return chainPolicy(simulation, table, hook, context, builtin, tracing, record);
      const next = stack.pop() as number;
      const caller = stack.pop() as PreparedChain;
      if (tracing) recordStep(simulation, table, hook, context, { chain, target: "RETURN", verdict: "continue", step: { event: "chain-end", caller: caller.chain.name } });
      enterChain(cursor, caller, next, indexed, destination);
      unreported = next;
      continue;
    }
    unreported = index + 1;
    const rule = preparedRule.rule;
    const ruleNumber = index + 1;
    const refused = preparedRuleMatches(preparedRule, context, ruleNumber, protocol);
    if (record !== undefined) {
      // Every part up to the one that refused ran (all of them when the rule matched).
      record.rulesEvaluated++;
      if ((refused === MATCHED ? NO_STATEFUL_PART - 1 : refused) >= preparedRule.firstStatefulPart || (refused === MATCHED && !preparedRule.targetOnlyDecides)) record.cacheable = false;
      else if (refused === MATCHED) {
        record.counters.push(preparedRule.counters);
        const kind = preparedRule.targetKind;
        // The step the slow path's trace says for this rule (targetOnlyDecides: no target, a jump, ACCEPT, DROP or RETURN).
        const step: IptEvent =
          kind === undefined
            ? { event: "counts", ruleNumber }
            : kind === "jump"
              ? { event: "jump", ruleNumber, goto: preparedRule.goto, chain: targetName(rule) }
              : kind === "RETURN"
                ? { event: "return", ruleNumber, caller: stack.length === 0 ? undefined : (stack[stack.length - 2] as PreparedChain).chain.name }
                : { event: "verdict", ruleNumber, target: kind === "DROP" ? "DROP" : "ACCEPT" };
        recordDecision(record, table, hook, context, chain, ruleNumber, rule, targetName(rule), kind === "DROP" ? "drop" : "continue", step);
      }
    }
    if (refused !== MATCHED) {
      if (tracing) {
        const mismatch = ruleMismatch(preparedRule, refused, context);
        recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: targetName(rule), verdict: "continue", mismatch, step: { event: "mismatch", ruleNumber, mismatch } });
      }
      advance(cursor);
      continue;
    }
    const counters = preparedRule.counters;
    counters.packets += 1;
    counters.bytes += ipv4TotalLength(context.packet);
    // The targets that need nothing but their kind first: a walk through a
    // long ruleset is mostly jumps, taken without reading the target object.
    switch (preparedRule.targetKind) {
      case undefined:
        if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: "(none)", verdict: "continue", step: { event: "counts", ruleNumber } });
        advance(cursor);
        continue;
      case "ACCEPT":
        if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: "ACCEPT", verdict: "continue", step: { event: "verdict", ruleNumber, target: "ACCEPT" } });
        return { verdict: "ACCEPT", packet: context.packet };
      case "DROP":
        if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: "DROP", verdict: "drop", step: { event: "verdict", ruleNumber, target: "DROP" } });
        return { verdict: "DROP", packet: context.packet };
      case "RETURN": {
        if (stack.length === 0) {
          if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: "RETURN", verdict: "continue", step: { event: "return", ruleNumber, caller: undefined } });
          return chainPolicy(simulation, table, hook, context, builtin, tracing, record);
        }
        const next = stack.pop() as number;
        const caller = stack.pop() as PreparedChain;
        if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: "RETURN", verdict: "continue", step: { event: "return", ruleNumber, caller: caller.chain.name } });
        enterChain(cursor, caller, next, indexed, destination);
        unreported = next;
        continue;
      }
      case "jump": {
        const next = jumpTarget(table, prepared, preparedRule);
        if (!next) {
          advance(cursor);
          continue;
        }
        if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: targetName(rule), verdict: "continue", step: { event: "jump", ruleNumber, goto: preparedRule.goto, chain: targetName(rule) } });
        if (!preparedRule.goto) stack.push(walking, index + 1);
        enterChain(cursor, next, 0, indexed, destination);
        unreported = 0;
        continue;
      }
    }
    const target = preparedRule.target!;
    switch (target.kind) {
      case "REJECT":
        if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: "REJECT", verdict: "drop", step: { event: "reject", ruleNumber, with: target.with, to: context.packet.source } });
        rejectTarget(simulation, namespace, context.packet, target.with, context.in);
        return { verdict: "DROP", packet: context.packet };
      case "LOG":
        // ipt_LOG: nothing changes; the packet goes on. The log line is the trace's (nf_log_all_netns is 0: a netns's LOG reaches no dmesg).
        if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: "LOG", verdict: "continue", step: { event: "log", ruleNumber, target, in: context.in?.name, out: context.out?.name } });
        advance(cursor);
        continue;
      case "MARK": {
        const marked = markTarget(target, namespace, context.packet);
        if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: "MARK", verdict: "continue", step: { event: "mark", ruleNumber, mark: marked.conntrack?.mark ?? 0 } });
        context = withPacket(context, marked);
        advance(cursor);
        continue;
      }
      case "SET": {
        const mapped = setTarget(target, context);
        if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: "SET", verdict: "continue", step: { event: "set", ruleNumber, add: target.add?.name, del: target.del?.name, map: target.map?.name, mappedMark: mapped ? (mapped.conntrack?.mark ?? 0) : undefined } });
        if (mapped) context = withPacket(context, mapped);
        advance(cursor);
        continue;
      }
      case "MASQUERADE":
      case "SNAT":
      case "DNAT":
      case "REDIRECT": {
        const binding =
          target.kind === "MASQUERADE"
            ? masqueradeBinding(namespace, target, context.out, environment.nexthop ?? context.packet.destination)
            : target.kind === "REDIRECT"
              ? redirectBinding(target, hook, context.in)
              : ({ manip: target.kind === "SNAT" ? "source" : "destination", range: target.range } satisfies NatBinding);
        if (!binding) {
          if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: target.kind, verdict: "drop", step: { event: "nat-no-address", ruleNumber, target: target.kind } });
          return { verdict: "DROP", packet: context.packet };
        }
        if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: target.kind, verdict: "continue", step: { event: "nat", ruleNumber, target: target.kind } });
        return { verdict: "ACCEPT", packet: context.packet, binding };
      }
    }
  }
  return { verdict: "DROP", packet: context.packet };
}
