// The chain walk (net/ipv4/netfilter/ip_tables.c: ipt_do_table, ip_packet_match):
// rules in order, first terminal match wins; jumps push a return point,
// gotos do not; RETURN (or the end of a user chain) pops, and with nothing
// to pop the built-in chain's policy decides. Every rule that matches counts
// the packet and its bytes.
import { formatIpv4Address, prefixMask } from "../../model/address.js";
import type { Chain, HookName, Match, Rule, Table } from "../../model/netfilter.js";
import { ipv4TotalLength, type Ipv4Packet } from "../../model/packet.js";
import { record, type Simulation } from "../simulation.js";
import type { NatBinding } from "./nf-nat.js";
import { masqueradeBinding } from "./nf-nat-masquerade.js";
import { redirectBinding } from "./nf-nat-redirect.js";
import { rejectTarget } from "./nf-reject.js";
import { addrtypeMatch } from "./xt-addrtype.js";
import { conntrackStateMatch } from "./xt-conntrack.js";
import { markMatch, markTarget } from "./xt-mark.js";
import { interfaceNameMatches, type MatchContext, type MatchResult } from "./xt-match-context.js";
import { multiportMatch } from "./xt-multiport.js";
import { statisticMatch } from "./xt-statistic.js";
import { physdevMatch } from "./xt-physdev.js";
import { icmpMatch, tcpUdpMatch } from "./xt-tcpudp.js";

export interface TableVerdict {
  readonly verdict: "ACCEPT" | "DROP";
  /** The packet after non-terminal targets (MARK). */
  readonly packet: Ipv4Packet;
  /** A NAT target's decision (nat table only). */
  readonly binding?: NatBinding;
}

const PROTOCOL_NUMBER = { icmp: 1, tcp: 6, udp: 17 } as const;

function matchOne(match: Match, context: MatchContext, ruleNumber: number, explain: boolean): MatchResult {
  switch (match.kind) {
    case "tcp":
    case "udp":
      return tcpUdpMatch(match, context);
    case "icmp":
      return icmpMatch(match, context);
    case "multiport":
      return multiportMatch(match, context);
    case "conntrack":
    case "state":
      return conntrackStateMatch(match, context);
    case "addrtype":
      return addrtypeMatch(match, context);
    case "physdev":
      return physdevMatch(match, context);
    case "comment":
      return undefined;
    case "mark":
      return markMatch(match, context);
    case "statistic":
      return statisticMatch(match, context, ruleNumber, explain);
  }
}

/** What an untraced walk gets for a rule that does not match: no text is built when nobody reads it. */
const MISMATCH = "does not match";

function addressFails(selector: Rule["source"], address: number, what: string, explain: boolean): MatchResult {
  if (!selector) return undefined;
  const inside = ((address & prefixMask(selector.prefixLength)) >>> 0) === selector.address;
  if (inside !== selector.invert) return undefined;
  return explain ? `${what} ${formatIpv4Address(address)} is ${selector.invert ? "" : "not "}in ${formatIpv4Address(selector.address)}/${selector.prefixLength}` : MISMATCH;
}

function interfaceFails(selector: Rule["inInterface"], name: string | undefined, what: string, explain: boolean): MatchResult {
  if (!selector) return undefined;
  if (interfaceNameMatches(selector.name, name) !== selector.invert) return undefined;
  return explain ? `${what} ${name ? name : "(none)"} is ${selector.invert ? "" : "not "}${selector.name}` : MISMATCH;
}

/**
 * ip_packet_match() and then each match in turn: undefined when the rule
 * matches, else why not (a fixed word when `explain` is off). `ruleNumber`
 * is the rule's place in its chain (the statistic match's draw uses it).
 */
export function ruleMatches(rule: Rule, context: MatchContext, ruleNumber = 0, explain = true): MatchResult {
  const packet = context.packet;
  const failed =
    addressFails(rule.source, packet.source, "source", explain) ??
    addressFails(rule.destination, packet.destination, "destination", explain) ??
    interfaceFails(rule.inInterface, context.in?.name, "in-interface", explain) ??
    interfaceFails(rule.outInterface, context.out?.name, "out-interface", explain);
  if (failed) return failed;
  if (rule.protocol) {
    const number = PROTOCOL_NUMBER[packet.transport.protocol];
    if ((number === rule.protocol.number) === rule.protocol.invert) return explain ? `protocol ${packet.transport.protocol} is ${rule.protocol.invert ? "" : "not "}${rule.protocol.number}` : MISMATCH;
  }
  const matches = rule.matches;
  for (let position = 0; position < matches.length; position++) {
    const result = matchOne(matches[position]!, context, ruleNumber, explain);
    if (result) return explain ? result : MISMATCH;
  }
  return undefined;
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
}

/*
 * The indexed walk. A rule whose destination is a plain /32 (`-d A/32`, not
 * inverted) can only match packets sent to A, and ip_packet_match() checks
 * the destination before any match runs (so skipping it has no side effect:
 * no counter, no statistic draw). A long chain is indexed once: the rules
 * keyed by that address, and the rules with no such key. A packet walks the
 * two lists merged in rule order, so first-match order is exactly the
 * naive walk's; rules it skips are only rules that could not match it.
 * Tracing walks every rule (each "does not match" is a step of the trace).
 */

/** Chains shorter than this are walked rule by rule: the index would not pay. */
export const INDEX_MINIMUM_RULES = 32;

/** Bumped by every ruleset change (nf-tables-api), which makes every index stale. */
let rulesetGeneration = 0;

/** Called by every ruleset change: chain indexes are rebuilt on their next walk. */
export function rulesetChanged(): void {
  rulesetGeneration++;
}

interface ChainIndex {
  readonly generation: number;
  readonly rules: readonly Rule[];
  readonly length: number;
  /** Rule positions (0-based, ascending) by destination /32. */
  readonly byDestination: Map<number, number[]>;
  /** Positions of the rules no destination key covers, ascending. */
  readonly unkeyed: number[];
}

const chainIndexes = new WeakMap<Chain, ChainIndex>();
const NO_POSITIONS: readonly number[] = [];

function chainIndex(chain: Chain): ChainIndex {
  const cached = chainIndexes.get(chain);
  if (cached && cached.generation === rulesetGeneration && cached.rules === chain.rules && cached.length === chain.rules.length) return cached;
  const byDestination = new Map<number, number[]>();
  const unkeyed: number[] = [];
  chain.rules.forEach((rule, position) => {
    const destination = rule.destination;
    if (destination && !destination.invert && destination.prefixLength === 32) {
      const list = byDestination.get(destination.address);
      if (list) list.push(position);
      else byDestination.set(destination.address, [position]);
    } else unkeyed.push(position);
  });
  const index: ChainIndex = { generation: rulesetGeneration, rules: chain.rules, length: chain.rules.length, byDestination, unkeyed };
  chainIndexes.set(chain, index);
  return index;
}

/** The first place in the ascending `list` at or after `from` whose value is at least `position`. */
function lowerBound(list: readonly number[], position: number, from: number): number {
  let low = from;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (list[middle]! < position) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Where a walk is in one chain: the rule index, and (indexed) the cursors into the two lists. */
interface Cursor {
  chain: Chain;
  index: number;
  keyed: readonly number[];
  unkeyed: readonly number[];
  keyedAt: number;
  unkeyedAt: number;
}

function enterChain(cursor: Cursor, chain: Chain, index: number, indexed: boolean, destination: number): void {
  cursor.chain = chain;
  if (!indexed || chain.rules.length < INDEX_MINIMUM_RULES) {
    cursor.keyed = NO_POSITIONS;
    cursor.unkeyed = NO_POSITIONS;
    cursor.index = index;
    return;
  }
  const built = chainIndex(chain);
  cursor.keyed = built.byDestination.get(destination) ?? NO_POSITIONS;
  cursor.unkeyed = built.unkeyed;
  cursor.keyedAt = lowerBound(cursor.keyed, index, 0);
  cursor.unkeyedAt = lowerBound(cursor.unkeyed, index, 0);
  cursor.index = nextCandidate(cursor);
}

/** The next rule an indexed walk must look at (the chain's length when none is left). */
function nextCandidate(cursor: Cursor): number {
  const keyed = cursor.keyedAt < cursor.keyed.length ? cursor.keyed[cursor.keyedAt]! : Number.MAX_SAFE_INTEGER;
  const unkeyed = cursor.unkeyedAt < cursor.unkeyed.length ? cursor.unkeyed[cursor.unkeyedAt]! : Number.MAX_SAFE_INTEGER;
  const next = Math.min(keyed, unkeyed);
  return next === Number.MAX_SAFE_INTEGER ? cursor.chain.rules.length : next;
}

/** Past the current rule: the next one (naive), or the next candidate (indexed). */
function advance(cursor: Cursor): void {
  if (cursor.keyed === NO_POSITIONS && cursor.unkeyed === NO_POSITIONS) {
    cursor.index++;
    return;
  }
  const current = cursor.index;
  if (cursor.keyedAt < cursor.keyed.length && cursor.keyed[cursor.keyedAt] === current) cursor.keyedAt++;
  else if (cursor.unkeyedAt < cursor.unkeyed.length && cursor.unkeyed[cursor.unkeyedAt] === current) cursor.unkeyedAt++;
  cursor.index = nextCandidate(cursor);
}

interface StepFields {
  readonly ruleNumber?: number;
  readonly rule?: Rule;
  readonly chain: Chain;
  readonly target: string;
  readonly verdict: "continue" | "drop";
  readonly why: string;
  readonly mismatch?: string;
}

function recordStep(simulation: Simulation, table: Table, hook: HookName, context: MatchContext, fields: StepFields): void {
  const device = context.in?.name ?? context.out?.name;
  record(simulation, () => ({
    namespace: context.namespace,
    ...(device ? { device } : {}),
    stage: "nf_hook",
    packet: context.packet,
    decision: {
      kind: "netfilter",
      table: table.name,
      chain: fields.chain.name,
      ...(fields.ruleNumber !== undefined ? { ruleNumber: fields.ruleNumber } : {}),
      ...(fields.rule ? { ruleText: `-A ${fields.chain.name}${fields.rule.spec ? ` ${fields.rule.spec}` : ""}` } : {}),
      target: fields.target,
      ...(fields.mismatch !== undefined ? { mismatch: fields.mismatch } : {}),
      ...(fields.rule?.origin ? { origin: fields.rule.origin } : {}),
    },
    verdict: fields.verdict,
    ...(fields.verdict === "drop" ? { dropReason: "NETFILTER_DROP" as const } : {}),
    why: `${hook} ${table.name}/${fields.chain.name}: ${fields.why}`,
  }));
}

/** No rule decided: the built-in chain's policy (traced when the chain has rules or drops). */
function chainPolicy(simulation: Simulation, table: Table, hook: HookName, context: MatchContext, builtin: Chain, tracing: boolean): TableVerdict {
  const verdict = builtin.policy ?? "ACCEPT";
  if (tracing && (builtin.rules.length > 0 || verdict === "DROP")) {
    recordStep(simulation, table, hook, context, { chain: builtin, target: verdict, verdict: verdict === "DROP" ? "drop" : "continue", why: `no rule decided: the chain's policy ${verdict} applies` });
  }
  return { verdict, packet: context.packet };
}

/**
 * ipt_do_table(): the verdict of `table` for a packet at `hook`.
 * `evaluation`: "auto" walks rule by rule when tracing and indexed
 * otherwise; "naive" and "indexed" force one (the property tests compare them).
 */
export function iptDoTable(environment: WalkEnvironment, hook: HookName, evaluation: "auto" | "naive" | "indexed" = "auto"): TableVerdict {
  const { simulation, table } = environment;
  let context = environment.context;
  const namespace = context.namespace;
  const builtin = table.chains.get(hook);
  if (!builtin) return { verdict: "ACCEPT", packet: context.packet };
  const tracing = simulation.steps !== null;
  const indexed = evaluation === "indexed" || (evaluation === "auto" && !tracing);
  const destination = context.packet.destination;
  const stack: { chain: Chain; next: number }[] = [];
  const cursor: Cursor = { chain: builtin, index: 0, keyed: NO_POSITIONS, unkeyed: NO_POSITIONS, keyedAt: 0, unkeyedAt: 0 };
  enterChain(cursor, builtin, 0, indexed, destination);
  // No closures or step records are made per walk when tracing is off: every recordStep call is behind `tracing`.
  for (let steps = 0; steps < MAX_STEPS; steps++) {
    const chain = cursor.chain;
    const index = cursor.index;
    const rule = chain.rules[index];
    if (!rule) {
      if (chain === builtin) return chainPolicy(simulation, table, hook, context, builtin, tracing);
      const caller = stack.pop();
      if (!caller) return chainPolicy(simulation, table, hook, context, builtin, tracing);
      if (tracing) recordStep(simulation, table, hook, context, { chain, target: "RETURN", verdict: "continue", why: `end of ${chain.name}: back to ${caller.chain.name}` });
      enterChain(cursor, caller.chain, caller.next, indexed, destination);
      continue;
    }
    const ruleNumber = index + 1;
    const mismatch = ruleMatches(rule, context, ruleNumber, tracing);
    if (mismatch) {
      if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: targetName(rule), verdict: "continue", mismatch, why: `rule ${ruleNumber} does not match (${mismatch})` });
      advance(cursor);
      continue;
    }
    rule.counters.packets += 1;
    rule.counters.bytes += ipv4TotalLength(context.packet);
    const target = rule.target;
    if (!target) {
      if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: "(none)", verdict: "continue", why: `rule ${ruleNumber} matches; it has no target, only counts` });
      advance(cursor);
      continue;
    }
    switch (target.kind) {
      case "ACCEPT":
        if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: "ACCEPT", verdict: "continue", why: `rule ${ruleNumber} matches: ACCEPT` });
        return { verdict: "ACCEPT", packet: context.packet };
      case "DROP":
        if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: "DROP", verdict: "drop", why: `rule ${ruleNumber} matches: DROP` });
        return { verdict: "DROP", packet: context.packet };
      case "RETURN": {
        const caller = stack.pop();
        if (!caller) {
          if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: "RETURN", verdict: "continue", why: `rule ${ruleNumber} matches: RETURN with no caller, so the policy of ${hook} decides` });
          return chainPolicy(simulation, table, hook, context, builtin, tracing);
        }
        if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: "RETURN", verdict: "continue", why: `rule ${ruleNumber} matches: RETURN to ${caller.chain.name}` });
        enterChain(cursor, caller.chain, caller.next, indexed, destination);
        continue;
      }
      case "jump": {
        const next = table.chains.get(target.chain);
        if (!next) {
          advance(cursor);
          continue;
        }
        if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: target.chain, verdict: "continue", why: `rule ${ruleNumber} matches: ${target.goto ? "goto" : "jump to"} ${target.chain}` });
        if (!target.goto) stack.push({ chain, next: index + 1 });
        enterChain(cursor, next, 0, indexed, destination);
        continue;
      }
      case "REJECT":
        if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: "REJECT", verdict: "drop", why: `rule ${ruleNumber} matches: REJECT, ${target.with === "tcp-reset" ? "a TCP reset" : `ICMP ${target.with}`} goes back to ${formatIpv4Address(context.packet.source)}` });
        rejectTarget(simulation, namespace, context.packet, target.with, context.in);
        return { verdict: "DROP", packet: context.packet };
      case "MARK": {
        const marked = markTarget(target, namespace, context.packet);
        if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: "MARK", verdict: "continue", why: `rule ${ruleNumber} matches: mark set to 0x${(marked.conntrack?.mark ?? 0).toString(16)}` });
        context = { ...context, packet: marked };
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
          if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: target.kind, verdict: "drop", why: `rule ${ruleNumber} matches: ${target.kind}, but the device has no address to use: dropped` });
          return { verdict: "DROP", packet: context.packet };
        }
        if (tracing) recordStep(simulation, table, hook, context, { ruleNumber, rule, chain, target: target.kind, verdict: "continue", why: `rule ${ruleNumber} matches: ${target.kind}` });
        return { verdict: "ACCEPT", packet: context.packet, binding };
      }
    }
  }
  return { verdict: "DROP", packet: context.packet };
}
