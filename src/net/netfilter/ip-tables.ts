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

function matchOne(match: Match, context: MatchContext): MatchResult {
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
  }
}

/** ip_packet_match() and then each match in turn: undefined when the rule matches, else why not. */
export function ruleMatches(rule: Rule, context: MatchContext): MatchResult {
  const packet = context.packet;
  const addressFails = (selector: Rule["source"], address: number, what: string) => {
    if (!selector) return undefined;
    const inside = ((address & prefixMask(selector.prefixLength)) >>> 0) === selector.address;
    return inside === selector.invert ? `${what} ${formatIpv4Address(address)} is ${selector.invert ? "" : "not "}in ${formatIpv4Address(selector.address)}/${selector.prefixLength}` : undefined;
  };
  const interfaceFails = (selector: Rule["inInterface"], name: string | undefined, what: string) => {
    if (!selector) return undefined;
    return interfaceNameMatches(selector.name, name) === selector.invert ? `${what} ${name ? name : "(none)"} is ${selector.invert ? "" : "not "}${selector.name}` : undefined;
  };
  const failed =
    addressFails(rule.source, packet.source, "source") ??
    addressFails(rule.destination, packet.destination, "destination") ??
    interfaceFails(rule.inInterface, context.in?.name, "in-interface") ??
    interfaceFails(rule.outInterface, context.out?.name, "out-interface");
  if (failed) return failed;
  if (rule.protocol) {
    const number = PROTOCOL_NUMBER[packet.transport.protocol];
    if ((number === rule.protocol.number) === rule.protocol.invert) return `protocol ${packet.transport.protocol} is ${rule.protocol.invert ? "" : "not "}${rule.protocol.number}`;
  }
  for (const match of rule.matches) {
    const result = matchOne(match, context);
    if (result) return result;
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

/** ipt_do_table(): the verdict of `table` for a packet at `hook`. */
export function iptDoTable(environment: WalkEnvironment, hook: HookName): TableVerdict {
  const { simulation, table } = environment;
  let context = environment.context;
  const namespace = context.namespace;
  const builtin = table.chains.get(hook);
  if (!builtin) return { verdict: "ACCEPT", packet: context.packet };
  const stack: { chain: Chain; next: number }[] = [];
  let chain = builtin;
  let index = 0;
  const device = context.in?.name ?? context.out?.name;
  const step = (fields: { ruleNumber?: number; rule?: Rule; chain: Chain; target: string; verdict: "continue" | "drop"; why: string; mismatch?: string }) =>
    record(simulation, () => ({
      namespace,
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
  const policy = (): TableVerdict => {
    const verdict = builtin.policy ?? "ACCEPT";
    if (builtin.rules.length > 0 || verdict === "DROP") {
      step({ chain: builtin, target: verdict, verdict: verdict === "DROP" ? "drop" : "continue", why: `no rule decided: the chain's policy ${verdict} applies` });
    }
    return { verdict, packet: context.packet };
  };
  for (let steps = 0; steps < MAX_STEPS; steps++) {
    const rule = chain.rules[index];
    if (!rule) {
      if (chain === builtin) return policy();
      const caller = stack.pop();
      if (!caller) return policy();
      step({ chain, target: "RETURN", verdict: "continue", why: `end of ${chain.name}: back to ${caller.chain.name}` });
      chain = caller.chain;
      index = caller.next;
      continue;
    }
    const ruleNumber = index + 1;
    const mismatch = ruleMatches(rule, context);
    if (mismatch) {
      step({ ruleNumber, rule, chain, target: targetName(rule), verdict: "continue", mismatch, why: `rule ${ruleNumber} does not match (${mismatch})` });
      index++;
      continue;
    }
    rule.counters.packets += 1;
    rule.counters.bytes += ipv4TotalLength(context.packet);
    const target = rule.target;
    if (!target) {
      step({ ruleNumber, rule, chain, target: "(none)", verdict: "continue", why: `rule ${ruleNumber} matches; it has no target, only counts` });
      index++;
      continue;
    }
    switch (target.kind) {
      case "ACCEPT":
        step({ ruleNumber, rule, chain, target: "ACCEPT", verdict: "continue", why: `rule ${ruleNumber} matches: ACCEPT` });
        return { verdict: "ACCEPT", packet: context.packet };
      case "DROP":
        step({ ruleNumber, rule, chain, target: "DROP", verdict: "drop", why: `rule ${ruleNumber} matches: DROP` });
        return { verdict: "DROP", packet: context.packet };
      case "RETURN": {
        const caller = stack.pop();
        if (!caller) {
          step({ ruleNumber, rule, chain, target: "RETURN", verdict: "continue", why: `rule ${ruleNumber} matches: RETURN with no caller, so the policy of ${hook} decides` });
          return policy();
        }
        step({ ruleNumber, rule, chain, target: "RETURN", verdict: "continue", why: `rule ${ruleNumber} matches: RETURN to ${caller.chain.name}` });
        chain = caller.chain;
        index = caller.next;
        continue;
      }
      case "jump": {
        const next = table.chains.get(target.chain);
        if (!next) {
          index++;
          continue;
        }
        step({ ruleNumber, rule, chain, target: target.chain, verdict: "continue", why: `rule ${ruleNumber} matches: ${target.goto ? "goto" : "jump to"} ${target.chain}` });
        if (!target.goto) stack.push({ chain, next: index + 1 });
        chain = next;
        index = 0;
        continue;
      }
      case "REJECT":
        step({ ruleNumber, rule, chain, target: "REJECT", verdict: "drop", why: `rule ${ruleNumber} matches: REJECT, ${target.with === "tcp-reset" ? "a TCP reset" : `ICMP ${target.with}`} goes back to ${formatIpv4Address(context.packet.source)}` });
        rejectTarget(simulation, namespace, context.packet, target.with, context.in);
        return { verdict: "DROP", packet: context.packet };
      case "MARK": {
        const marked = markTarget(target, namespace, context.packet);
        step({ ruleNumber, rule, chain, target: "MARK", verdict: "continue", why: `rule ${ruleNumber} matches: mark set to 0x${(marked.conntrack?.mark ?? 0).toString(16)}` });
        context = { ...context, packet: marked };
        index++;
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
          step({ ruleNumber, rule, chain, target: target.kind, verdict: "drop", why: `rule ${ruleNumber} matches: ${target.kind}, but the device has no address to use: dropped` });
          return { verdict: "DROP", packet: context.packet };
        }
        step({ ruleNumber, rule, chain, target: target.kind, verdict: "continue", why: `rule ${ruleNumber} matches: ${target.kind}` });
        return { verdict: "ACCEPT", packet: context.packet, binding };
      }
    }
  }
  return { verdict: "DROP", packet: context.packet };
}
