// iptables/nft-ruleparse.c (1.8.9: nft_rule_to_iptables_command_state, and
// nft-ipv4.c's nft_ipv4_parse_payload/parse_meta): an nft rule added to a
// table iptables-nft made, read back as the iptables rule iptables-nft
// shows for it. Only the expressions iptables-nft maps back to its own
// ipt_ip fields and tcp/udp/mark matches are taken, in the shapes recorded
// (test/fixtures/nft/xt-changes); the rest is refused by name: some make
// iptables call the table incompatible (ct, log, reject), some print as a
// different rule (an address range as its last address, `tcp flags syn` as
// `! --tcp-flags SYN NONE`), which the model does not hold. `ct state` is
// taken though iptables-nft cannot parse it: the rule runs as a conntrack
// match, and iptables calls its chain and table incompatible (recorded).
import { formatIpv4Address } from "../../model/address.js";
import type { Rule, TableName } from "../../model/netfilter.js";
import type { NftExpression, NftKey } from "../../model/nf-tables.js";
import { UnsupportedError } from "../command.js";
import { IptablesParser } from "../iptables/iptables-parse.js";
import { CT_STATES, PROTOCOL_NAMES } from "./nft-print.js";

function refuse(what: string): never {
  throw new UnsupportedError("nft", `nft rules with ${what} in iptables-nft's tables are not modelled`);
}

const NAMED_PROTOCOLS: Readonly<Record<number, string>> = { ...PROTOCOL_NAMES };

/** The rule's parts as iptables-nft gathers them into its iptables_command_state. */
interface Parts {
  source?: string[];
  destination?: string[];
  inInterface?: string[];
  outInterface?: string[];
  protocol?: { readonly number: number; readonly invert: boolean };
  ports?: { readonly protocol: "tcp" | "udp"; sport?: string[]; dport?: string[] };
  mark?: string[];
  /** A `ct state` match: iptables-nft does not parse the ct expression. */
  ctState?: string[];
  counters: number;
  target?: string[];
}

const bang = (op: "==" | "!=") => (op === "!=" ? ["!"] : []);

function addressWords(op: "==" | "!=", right: NftKey, option: string): string[] {
  if (right.kind === "value" && typeof right.value === "number") return [...bang(op), option, `${formatIpv4Address(right.value)}/32`];
  if (right.kind === "prefix" && right.length > 0) return [...bang(op), option, `${formatIpv4Address(right.address)}/${right.length}`];
  return refuse("an address range, set or /0 prefix");
}

function portWords(op: "==" | "!=", right: NftKey, option: string): string[] {
  if (right.kind === "value" && typeof right.value === "number") return [...bang(op), option, String(right.value)];
  if (right.kind === "range") return [...bang(op), option, `${right.first}:${right.last}`];
  return refuse("a port set");
}

function once<T>(value: T | undefined, what: string): void {
  if (value !== undefined) refuse(`${what} twice`);
}

function matchPart(parts: Parts, expression: Extract<NftExpression, { kind: "match" }>): void {
  if (expression.left.length !== 1) refuse("a concatenation");
  const selector = expression.left[0]!;
  if (selector.kind === "ct" && selector.key === "state") return ctStatePart(parts, expression.op, expression.right);
  if (selector.kind !== "ip" && selector.kind !== "meta" && selector.kind !== "l4") refuse(selector.kind === "tcpflags" ? "tcp flags" : selector.kind === "ct" ? `ct ${selector.key}` : selector.kind);
  const right = expression.right;
  if (right.kind === "set" || right.kind === "setref" || right.kind === "flags" || right.kind === "concat") refuse("a set or flags");
  switch (selector.kind) {
    case "ip":
      if (selector.field === "protocol") return protocolPart(parts, expression.op, right);
      if (selector.field === "saddr") {
        once(parts.source, "ip saddr");
        parts.source = addressWords(expression.op, right, "-s");
      } else {
        once(parts.destination, "ip daddr");
        parts.destination = addressWords(expression.op, right, "-d");
      }
      return;
    case "meta":
      if (selector.key === "l4proto") {
        if (selector.mask !== undefined) refuse("a masked meta l4proto");
        return protocolPart(parts, expression.op, right);
      }
      if (selector.key === "iifname" || selector.key === "oifname") {
        if (right.kind !== "value" || typeof right.value !== "string" || right.value === "*" || /\*./.test(right.value)) refuse(`an ${selector.key} other than a name or NAME*`);
        const name = right.value.endsWith("*") ? `${right.value.slice(0, -1)}+` : right.value;
        if (selector.key === "iifname") {
          once(parts.inInterface, "iifname");
          parts.inInterface = [...bang(expression.op), "-i", name];
        } else {
          once(parts.outInterface, "oifname");
          parts.outInterface = [...bang(expression.op), "-o", name];
        }
        return;
      }
      if (selector.key === "mark") {
        once(parts.mark, "meta mark");
        if (right.kind !== "value" || typeof right.value !== "number") refuse("a meta mark range");
        const value = `0x${(right.value >>> 0).toString(16)}`;
        const mask = selector.mask === undefined || selector.mask >>> 0 === 0xffffffff ? "" : `/0x${(selector.mask >>> 0).toString(16)}`;
        parts.mark = [...bang(expression.op), "--mark", `${value}${mask}`];
        return;
      }
      return refuse(`meta ${selector.key}`);
    case "l4": {
      if (selector.protocol === "th") refuse("th ports");
      const protocol = selector.protocol;
      if (parts.protocol && (parts.protocol.invert || NAMED_PROTOCOLS[parts.protocol.number] !== protocol)) refuse(`${protocol} ports after another protocol`);
      if (parts.ports && parts.ports.protocol !== protocol) refuse("tcp and udp ports together");
      if (parts.mark) refuse("ports after a mark (iptables-nft's match order there was not recorded)");
      parts.ports ??= { protocol };
      once(parts.ports[selector.field], `${protocol} ${selector.field}`);
      parts.ports[selector.field] = portWords(expression.op, right, selector.field === "sport" ? "--sport" : "--dport");
      return;
    }
  }
}

function ctStatePart(parts: Parts, op: "==" | "!=", right: Extract<NftExpression, { kind: "match" }>["right"]): void {
  once(parts.ctState, "ct state");
  const bits = right.kind === "flags" ? right.bits : right.kind === "value" && typeof right.value === "number" ? right.value : refuse("a ct state set");
  const names = CT_STATES.filter(([, bit]) => (bits & bit) !== 0).map(([name]) => name.toUpperCase());
  if (names.length === 0) refuse("an empty ct state");
  // Recorded: `ct state != established,related` is (state & both) != both, which also takes an established packet; ! --ctstate does not.
  if (op === "!=" && names.length > 1) refuse("ct state != of several states");
  parts.ctState = ["-m", "conntrack", ...bang(op), "--ctstate", names.join(",")];
}

function protocolPart(parts: Parts, op: "==" | "!=", right: NftKey): void {
  if (right.kind !== "value" || typeof right.value !== "number") refuse("a protocol range");
  once(parts.protocol, "a protocol match");
  if (parts.ports) refuse("a protocol match after ports");
  parts.protocol = { number: right.value, invert: op === "!=" };
}

/** The iptables words (`-s A/N ... -j T`) of the rule, in the order nft_rule_save prints them: -s -d -i -o -p, matches, target. */
export function iptablesWords(expressions: readonly NftExpression[]): { readonly words: string[]; readonly counted: boolean; readonly incompatible: boolean } {
  const parts: Parts = { counters: 0 };
  expressions.forEach((expression, index) => {
    if (parts.target) refuse("statements after the verdict");
    switch (expression.kind) {
      case "match":
        if (parts.counters > 0) refuse("a match after the counter");
        return matchPart(parts, expression);
      case "counter":
        if (parts.counters > 0) refuse("two counters");
        parts.counters++;
        return;
      case "verdict": {
        const verdict = expression.verdict;
        if (index !== expressions.length - 1) refuse("statements after the verdict");
        if (verdict.kind === "jump" || verdict.kind === "goto") parts.target = [verdict.kind === "jump" ? "-j" : "-g", verdict.chain];
        else if (verdict.kind === "continue") refuse("continue");
        else parts.target = ["-j", verdict.kind.toUpperCase()];
        return;
      }
      default:
        return refuse(`${expression.kind === "mark-set" ? "mark set" : expression.kind} statements`);
    }
  });
  const words: string[] = [...(parts.source ?? []), ...(parts.destination ?? []), ...(parts.inInterface ?? []), ...(parts.outInterface ?? [])];
  // A port match is its protocol's dependency too: nft puts `meta l4proto` before it (recorded: `tcp dport 22` is `-p tcp -m tcp --dport 22`).
  const protocol = parts.protocol ?? (parts.ports ? { number: parts.ports.protocol === "tcp" ? 6 : 17, invert: false } : undefined);
  if (protocol) words.push(...(protocol.invert ? ["!"] : []), "-p", String(protocol.number));
  if (parts.ports) words.push("-m", parts.ports.protocol, ...(parts.ports.sport ?? []), ...(parts.ports.dport ?? []));
  if (parts.mark) words.push("-m", "mark", ...parts.mark);
  if (parts.ctState) words.push(...parts.ctState);
  words.push(...(parts.target ?? []));
  return { words, counted: parts.counters > 0, incompatible: parts.ctState !== undefined };
}

/** The xt rule the model holds for the nft rule (its expressions kept for nft's listing), or a refusal by name. */
export function nftRuleAsIptables(table: TableName, chain: string, expressions: readonly NftExpression[]): Rule {
  const { words, counted, incompatible } = iptablesWords(expressions);
  const parsed = new IptablesParser().parse(["-t", table, "-A", chain, ...words]);
  const rule = parsed.rule ?? refuse("this rule");
  return { ...rule, nft: { expressions, counted, ...(incompatible ? { incompatible } : {}) } };
}
