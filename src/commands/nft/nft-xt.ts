// iptables-nft's tables as nft 1.0.6 lists them: iptables/nft.c (1.8.9:
// add_iniface, add_outiface, add_addr, add_proto, and add_match's native
// tcp/udp/mark/limit expressions; every other match and target stays an xt
// compat expression) and nftables src/xt.c (xt_stmt_xlate: an xt expression
// printed through its extension's xlate function, extensions/libxt_*.c,
// or as `xt match NAME`/`xt target NAME` where it has none or declines).
// Read from the iptables model, never from its text; what was not recorded
// from the kernel is refused by name rather than guessed.
import { formatIpv4Address } from "../../model/address.js";
import type { Chain, ConntrackMatch, ConntrackStateName, Match, PortRange, Rule, Table, TableName, Target } from "../../model/netfilter.js";
import { selectorMaskOf } from "../../model/netfilter.js";
import { UnsupportedError } from "../command.js";
import { expressionJson, type Json } from "./nft-json.js";
import { flagNames, hex, ICMP_TYPES, listedExpressions, portsText, PROTOCOL_NAMES, priorityText, ruleText } from "./nft-print.js";
import { icmpv6TypeName } from "../iptables/libip6t-icmp6.js";

/** One statement of a listed rule: its text and whether the kernel holds it as an xt expression. */
interface Statement {
  readonly text: string;
  readonly xt: boolean;
  /** A native `meta l4proto P` (not inverted): nft hides it before a native payload match of P. */
  readonly protocol?: number;
  /** A native tcp/udp header match (payload_dependency_kill's payload). */
  readonly payload?: "tcp" | "udp";
  /** A native relational match (interface, address, protocol, mark, header): it leaves a pending dependency standing. */
  readonly match?: true;
  /** The statement as nft -j prints it (an xt expression: {"xt": {"type", "name"}}); absent where that was not recorded. */
  readonly json?: Json;
}

function refuse(what: string): never {
  throw new UnsupportedError("list", `nft's listing of iptables-nft's ${what} is not modelled`);
}

const native = (text: string, more: Partial<Statement> = {}): Statement => ({ text, xt: false, ...more });
const nativeMatch = (text: string, more: Partial<Statement> = {}): Statement => ({ text, xt: false, match: true, ...more });
const xlated = (text: string): Statement => ({ text, xt: true });
const untranslated = (kind: "match" | "target", name: string): Statement => ({ text: `xt ${kind} ${name}`, xt: true });

/** relational_expr_json() of a native match: {"match": {"op", "left", "right"}}. */
const matchJson = (left: Json, invert: boolean | undefined, right: Json, op?: string): Json => ({ match: { op: op ?? (invert ? "!=" : "=="), left, right } });
const metaJson = (key: string): Json => ({ meta: { key } });
const payloadJson = (protocol: string, field: string): Json => ({ payload: { protocol, field } });
/** xt_stmt_json(): only the extension's kind and name (the kernel's name: -m state is conntrack's alias, not recorded). */
const xtJson = (type: "match" | "target", name: string): Json => ({ xt: { type, name } });

/** A mark statement's operand, unpadded as nft prints it. */
const hexShort = (value: number) => `0x${(value >>> 0).toString(16)}`;
const not = (invert: boolean | undefined) => (invert ? "!= " : "");

// --- the rule's ipt_ip part (add_iniface, add_outiface, add_proto, add_addr) ---

function interfaceStatement(key: "iifname" | "oifname", selector: { readonly name: string; readonly invert: boolean }): Statement {
  if (selector.name === "+") refuse(`interface "+"`);
  const name = selector.name.endsWith("+") ? `${selector.name.slice(0, -1)}*` : selector.name;
  return nativeMatch(`${key} ${not(selector.invert)}"${name}"`, { json: matchJson(metaJson(key), selector.invert, name) });
}

function addressStatement(field: "saddr" | "daddr", selector: NonNullable<Rule["source"]>): Statement | undefined {
  if (selector.prefixLength === 0 && selector.mask === undefined && !selector.invert) return undefined;
  if (selector.ipv6 !== undefined) {
    if (selector.prefixLength === 0) refuse("! -s/-d ::/0");
    return nativeMatch(`ip6 ${field} ${not(selector.invert)}${selector.ipv6}${selector.prefixLength === 128 ? "" : `/${selector.prefixLength}`}`);
  }
  const address = formatIpv4Address(selector.address);
  if (selector.mask !== undefined) {
    const mask = formatIpv4Address(selectorMaskOf(selector));
    return nativeMatch(`ip ${field} & ${mask} ${selector.invert ? "!=" : "=="} ${address}`, { json: matchJson({ "&": [payloadJson("ip", field), mask] }, selector.invert, address) });
  }
  if (selector.prefixLength === 0) refuse("! -s/-d 0.0.0.0/0");
  const right: Json = selector.prefixLength === 32 ? address : { prefix: { addr: address, len: selector.prefixLength } };
  return nativeMatch(`ip ${field} ${not(selector.invert)}${address}${selector.prefixLength === 32 ? "" : `/${selector.prefixLength}`}`, { json: matchJson(payloadJson("ip", field), selector.invert, right) });
}

function protocolStatement(protocol: NonNullable<Rule["protocol"]>): Statement {
  const name = PROTOCOL_NAMES[protocol.number] ?? refuse(`protocol ${protocol.number}`);
  const json = matchJson(metaJson("l4proto"), protocol.invert, name);
  return nativeMatch(`meta l4proto ${not(protocol.invert)}${name}`, protocol.invert ? { json } : { protocol: protocol.number, json });
}

// --- matches ---

/** add_nft_tcp/add_nft_udp's port compare: one port, a range, or `<=` from port 0. */
function portText(ports: PortRange, invert: boolean | undefined): string {
  if (ports.first === ports.last) return `${not(invert)}${ports.first}`;
  if (ports.first === 0) return invert ? refuse("an inverted port range from 0") : `<= ${ports.last}`;
  return `${not(invert)}${ports.first}-${ports.last}`;
}

/** A native port match in JSON: one port, a range as {"range": [first, last]}, one from port 0 as `<=` (portText refuses its inversion). */
function portJson(protocol: "tcp" | "udp", field: "sport" | "dport", ports: PortRange, invert: boolean | undefined): { json: Json } {
  const left = payloadJson(protocol, field);
  if (ports.first === ports.last) return { json: matchJson(left, invert, ports.first) };
  if (ports.first === 0 && !invert) return { json: matchJson(left, false, ports.last, "<=") };
  return { json: matchJson(left, invert, { range: [ports.first, ports.last] }) };
}

/** Flag names in JSON: one as a string, several as a list (in bit order). */
function flagsJson(table: readonly [string, number][], bits: number): Json {
  const names = table.filter(([, bit]) => (bits & bit) !== 0).map(([name]) => name);
  return names.length === 1 ? names[0]! : names;
}

const TCP_FLAGS: readonly [string, number][] = [
  ["fin", 0x01],
  ["syn", 0x02],
  ["rst", 0x04],
  ["psh", 0x08],
  ["ack", 0x10],
  ["urg", 0x20],
];


/** tcp/udp: native flags, then source and destination ports; with none of them an xt match whose translation is empty. */
function tcpUdpStatements(match: Extract<Match, { kind: "tcp" | "udp" }>): Statement[] {
  const statements: Statement[] = [];
  if (match.tcpFlags) {
    if (match.tcpFlags.compare === 0) refuse("tcp flags compared with none");
    const json = matchJson({ "&": [payloadJson("tcp", "flags"), flagsJson(TCP_FLAGS, match.tcpFlags.mask)] }, match.tcpFlags.invert, flagsJson(TCP_FLAGS, match.tcpFlags.compare));
    statements.push(nativeMatch(`tcp flags ${not(match.tcpFlags.invert)}${flagNames(TCP_FLAGS, match.tcpFlags.compare)} / ${flagNames(TCP_FLAGS, match.tcpFlags.mask)}`, { payload: "tcp", json }));
  }
  if (match.sourcePorts) statements.push(nativeMatch(`${match.kind} sport ${portText(match.sourcePorts, match.sourceInvert)}`, { payload: match.kind, ...portJson(match.kind, "sport", match.sourcePorts, match.sourceInvert) }));
  if (match.destinationPorts) statements.push(nativeMatch(`${match.kind} dport ${portText(match.destinationPorts, match.destinationInvert)}`, { payload: match.kind, ...portJson(match.kind, "dport", match.destinationPorts, match.destinationInvert) }));
  return statements.length > 0 ? statements : [xlated("")];
}

/** libxt_icmp's xlate: a named type with all its codes, or `any`; otherwise none. */
function icmpStatement(match: Extract<Match, { kind: "icmp" }>): Statement {
  if (match.type === undefined) refuse("icmp without a type");
  if (match.type === 255 && !match.codes) return match.invert ? refuse("! --icmp-type any") : xlated("ip protocol icmp");
  // type_xlate_print(): a name from iptables' icmp_codes table for a type with all its codes, else no translation (only the names recorded are taken).
  const name = (["echo-reply", "destination-unreachable", "echo-request"] as const).find((known) => ICMP_TYPES[known] === match.type);
  if (match.codes) return untranslated("match", "icmp");
  if (name === undefined) return Object.values(ICMP_TYPES).includes(match.type!) ? refuse(`icmp type ${match.type}`) : untranslated("match", "icmp");
  return xlated(`icmp type ${not(match.invert)}${name}`);
}

/** libip6t_icmp6's icmp6_type_xlate(): nft's names for the types 128-137 it has one for. */
const ICMPV6_NFT_NAMES: Readonly<Record<number, string>> = { 128: "echo-request", 129: "echo-reply", 130: "mld-listener-query", 131: "mld-listener-report", 132: "mld-listener-done", 133: "nd-router-solicit", 134: "nd-router-advert", 135: "nd-neighbor-solicit", 136: "nd-neighbor-advert", 137: "nd-redirect" };

/** libip6t_icmp6's xlate: a type with all its codes, by nft's name or ip6tables'; otherwise none. */
function icmp6Statement(match: Extract<Match, { kind: "icmp6" }>): Statement {
  if (match.codes) return untranslated("match", "icmp6");
  const name = ICMPV6_NFT_NAMES[match.type] ?? icmpv6TypeName(match.type);
  if (name === undefined) return untranslated("match", "icmp6");
  return xlated(`icmpv6 type ${not(match.invert)}${name}`);
}

function portListText(ports: readonly PortRange[]): string {
  const text = ports.map((range) => (range.first === range.last ? String(range.first) : `${range.first}-${range.last}`));
  return text.length === 1 ? text[0]! : `{ ${text.join(", ")} }`;
}

/** libxt_multiport's xlate, with the rule's protocol. */
function multiportStatement(match: Extract<Match, { kind: "multiport" }>, rule: Rule): Statement {
  const protocol = rule.protocol && !rule.protocol.invert ? PROTOCOL_NAMES[rule.protocol.number] : undefined;
  if (protocol !== "tcp" && protocol !== "udp") refuse(`multiport without -p tcp or udp`);
  if (match.direction === "either") {
    if (match.invert || match.ports.some((range) => range.first !== range.last)) refuse("multiport --ports with ranges or !");
    const elements = match.ports.flatMap((range) => [`0-65535 . ${range.first}`, `${range.first} . 0-65535`]);
    return xlated(`${protocol} sport . ${protocol} dport { ${elements.join(", ")} }`);
  }
  if (match.ports.length === 1 && (match.invert || match.ports[0]!.first !== match.ports[0]!.last)) refuse("multiport with one inverted port or range");
  return xlated(`${protocol} ${match.direction === "source" ? "sport" : "dport"} ${not(match.invert)}${portListText(match.ports)}`);
}

/** state_xlate_print()'s order. */
const STATE_ORDER: readonly [ConntrackStateName, string][] = [
  ["INVALID", "invalid"],
  ["NEW", "new"],
  ["RELATED", "related"],
  ["ESTABLISHED", "established"],
  ["UNTRACKED", "untracked"],
];

function stateText(states: readonly ConntrackStateName[], invert: boolean): string {
  return `ct state ${invert ? "! " : ""}${STATE_ORDER.filter(([state]) => states.includes(state))
    .map(([, name]) => name)
    .join(",")}`;
}

const STATUS_ORDER: readonly [number, string][] = [
  [1, "expected"],
  [2, "seen-reply"],
  [4, "assured"],
  [8, "confirmed"],
];

function ctAddressText(test: NonNullable<ConntrackMatch["originalSource"]>): string {
  if (test.ipv6 !== undefined) return `${not(test.invert)}${test.ipv6}${test.prefixLength === 128 ? "" : `/${test.prefixLength}`}`;
  return `${not(test.invert)}${formatIpv4Address(test.address)}${test.prefixLength === 32 ? "" : `/${test.prefixLength}`}`;
}

function ctPortText(test: NonNullable<ConntrackMatch["originalSourcePort"]>): string {
  if (test.invert) refuse("conntrack's inverted port options");
  return test.first === test.last ? String(test.first) : `${test.first}-${test.last}`;
}

/** libxt_conntrack's _conntrack3_mt_xlate, in its order. */
function conntrackStatement(match: ConntrackMatch): Statement {
  const parts: string[] = [];
  if (match.direction) parts.push(`ct direction ${match.direction === "REPLY" ? "reply" : "original"}`);
  if (match.protocol) {
    if (match.protocol.invert || match.direction === "REPLY") refuse("conntrack --ctproto with ! or --ctdir REPLY");
    parts.push(`ct original protocol ${match.protocol.number}`);
  }
  if (match.states) {
    const nat = match.states.filter((state) => state === "SNAT" || state === "DNAT");
    if (nat.length > 0) {
      if (nat.length !== match.states.length || nat.length > 1 || match.invert) refuse("conntrack --ctstate SNAT/DNAT with other states or !");
      parts.push(`ct status ${nat[0]!.toLowerCase()}`);
    } else parts.push(stateText(match.states, match.invert));
  }
  if (match.status) {
    if (match.status.invert || match.status.mask === 0) refuse("conntrack --ctstatus NONE or !");
    parts.push(`ct status ${STATUS_ORDER.filter(([bit]) => (match.status!.mask & bit) !== 0)
      .map(([, name]) => name)
      .join(",")}`);
  }
  if (match.expires) {
    if (match.expires.invert) refuse("conntrack ! --ctexpire");
    parts.push(`ct expiration ${match.expires.min === match.expires.max ? match.expires.min : `${match.expires.min}-${match.expires.max}`}`);
  }
  if (match.originalSource) parts.push(`ct original saddr ${ctAddressText(match.originalSource)}`);
  if (match.originalDestination) parts.push(`ct original daddr ${ctAddressText(match.originalDestination)}`);
  if (match.replySource) parts.push(`ct reply saddr ${ctAddressText(match.replySource)}`);
  if (match.replyDestination) parts.push(`ct reply daddr ${ctAddressText(match.replyDestination)}`);
  if (match.originalSourcePort) parts.push(`ct original proto-src ${ctPortText(match.originalSourcePort)}`);
  if (match.originalDestinationPort) parts.push(`ct original proto-dst ${ctPortText(match.originalDestinationPort)}`);
  if (match.replySourcePort) parts.push(`ct reply proto-src ${ctPortText(match.replySourcePort)}`);
  if (match.replyDestinationPort) parts.push(`ct reply proto-dst ${ctPortText(match.replyDestinationPort)}`);
  return xlated(parts.join(" "));
}

/** add_nft_mark: meta mark, masked unless the mask is all ones. */
function markStatement(match: Extract<Match, { kind: "mark" }>): Statement {
  if (match.mask >>> 0 === 0xffffffff) return nativeMatch(`meta mark ${not(match.invert)}${hex(match.value)}`, { json: matchJson(metaJson("mark"), match.invert, match.value >>> 0) });
  return nativeMatch(`meta mark & ${hex(match.mask)} ${match.invert ? "!=" : "=="} ${hex(match.value)}`, { json: matchJson({ "&": [metaJson("mark"), match.mask >>> 0] }, match.invert, match.value >>> 0) });
}

/** libxt_addrtype's xlate, for the one-sided, one-type, uninverted forms recorded. */
function addrtypeStatement(match: Extract<Match, { kind: "addrtype" }>): Statement {
  const sides = [match.sourceType ? "saddr" : undefined, match.destinationType ? "daddr" : undefined].filter((side) => side !== undefined);
  const types = match.sourceType ?? match.destinationType ?? [];
  if (sides.length !== 1 || types.length !== 1 || match.sourceInvert || match.destinationInvert || (match.limitInterfaceIn && match.limitInterfaceOut)) refuse("addrtype with both sides, several types or !");
  const device = match.limitInterfaceIn ? " . iif" : match.limitInterfaceOut ? " . oif" : "";
  return xlated(`fib ${sides[0]}${device} type ${types[0]!.toLowerCase()}`);
}

function statisticStatement(match: Extract<Match, { kind: "statistic" }>): Statement {
  if (match.mode === "random") return xlated(`meta random & 2147483647 ${match.invert ? ">=" : "<"} ${match.probability}`);
  return xlated(`numgen inc mod ${match.every} ${not(match.invert)}${match.packet}`);
}

/** add_nft_limit(): the rate in the largest unit it divides, nft's `burst` unless 5. */
function limitStatement(match: Extract<Match, { kind: "limit" }>): Statement {
  const mult = [10000 * 24 * 60 * 60, 10000 * 60 * 60, 10000 * 60, 10000];
  let index = 1;
  for (; index < mult.length; index++) if (match.avg > mult[index]! || Math.floor(mult[index]! / match.avg) < mult[index]! % match.avg) break;
  const unit = { 86400: "day", 3600: "hour", 60: "minute", 1: "second" }[mult[index - 1]! / 10000]!;
  const burst = match.burst !== 5 && match.burst !== 0 ? ` burst ${match.burst} packets` : "";
  const rate = Math.floor(mult[index - 1]! / match.avg);
  // limit_stmt_json(): rate, burst (5 printed too) and per; a burst of 0 was not recorded.
  const json: Json | undefined = match.burst !== 0 ? { limit: { rate, burst: match.burst, per: unit } } : undefined;
  return native(`limit rate ${rate}/${unit}${burst}`, json !== undefined ? { json } : {});
}

function iprangeStatement(match: Extract<Match, { kind: "iprange" }>): Statement {
  const parts: string[] = [];
  if (match.source) parts.push(`ip saddr ${not(match.source.invert)}${formatIpv4Address(match.source.first)}-${formatIpv4Address(match.source.last)}`);
  if (match.destination) parts.push(`ip daddr ${not(match.destination.invert)}${formatIpv4Address(match.destination.first)}-${formatIpv4Address(match.destination.last)}`);
  return xlated(parts.join(" "));
}

/** libxt_owner's xlate takes one of uid or gid alone; the socket options and combinations stay xt. */
function ownerStatement(match: Extract<Match, { kind: "owner" }>): Statement {
  const options = [match.uid, match.gid, match.socketExists].filter((option) => option !== undefined).length;
  if (options > 1 || match.socketExists) return untranslated("match", "owner");
  if (match.uid && !match.uid.invert && match.uid.first === match.uid.last && !match.supplementaryGroups) return xlated(`skuid ${match.uid.first}`);
  return refuse("owner --gid-owner, uid ranges or !");
}

export function matchStatements(match: Match, rule: Rule): Statement[] {
  // An xt match's JSON names its extension as the kernel holds it: -m state is conntrack's alias (recorded).
  return nativeOrXtMatch(match, rule).map((statement) => (statement.xt ? { ...statement, json: xtJson("match", match.kind === "state" ? "conntrack" : match.kind) } : statement));
}

function nativeOrXtMatch(match: Match, rule: Rule): Statement[] {
  switch (match.kind) {
    case "tcp":
    case "udp":
      return tcpUdpStatements(match);
    case "icmp":
      return [icmpStatement(match)];
    case "icmp6":
      return [icmp6Statement(match)];
    case "multiport":
      return [multiportStatement(match, rule)];
    case "conntrack":
      return [conntrackStatement(match)];
    case "state":
      return [xlated(stateText(match.states, match.invert))];
    case "comment":
      // comment_xlate() puts the text in the translation's comment, which xt_stmt_xlate does not print.
      return [xlated("")];
    case "mark":
      return [markStatement(match)];
    case "addrtype":
      return [addrtypeStatement(match)];
    case "statistic":
      return [statisticStatement(match)];
    case "limit":
      return [limitStatement(match)];
    case "iprange":
      return [iprangeStatement(match)];
    case "owner":
      return [ownerStatement(match)];
    case "physdev":
    case "recent":
    case "set":
    case "connlimit":
    case "nfacct":
      return [untranslated("match", match.kind)];
  }
}

// --- targets ---

const REJECT_TEXT: Readonly<Record<string, string>> = {
  "tcp-reset": "reject with tcp reset",
  "icmp-port-unreachable": "reject",
  "icmp-net-unreachable": "reject with icmp type net-unreachable",
  "icmp-host-unreachable": "reject with icmp type host-unreachable",
  "icmp-proto-unreachable": "reject with icmp type prot-unreachable",
  "icmp-net-prohibited": "reject with icmp type net-prohibited",
  "icmp-host-prohibited": "reject with icmp type host-prohibited",
  "icmp-admin-prohibited": "reject with icmp type admin-prohibited",
};

/** libip6t_REJECT's xlate. */
const REJECT6_TEXT: Readonly<Record<string, string>> = {
  "tcp-reset": "reject with tcp reset",
  "icmp6-port-unreachable": "reject",
  "icmp6-no-route": "reject with icmpv6 type no-route",
  "icmp6-adm-prohibited": "reject with icmpv6 type admin-prohibited",
  "icmp6-addr-unreachable": "reject with icmpv6 type addr-unreachable",
  "icmp6-policy-fail": "reject with icmpv6 type policy-fail",
  "icmp6-reject-route": "reject with icmpv6 type reject-route",
};

const LOG_LEVELS = ["emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"];

/** libipt_LOG's xlate. */
function logText(target: Extract<Target, { kind: "LOG" }>): string {
  if (target.prefix.includes('"') || target.prefix.includes("\\")) refuse("LOG prefixes with quotes or backslashes");
  let text = "log";
  if (target.prefix !== "") text += ` prefix "${target.prefix}"`;
  if (target.level !== 4) text += ` level ${LOG_LEVELS[target.level] ?? refuse(`LOG level ${target.level}`)}`;
  if ((target.flags & 0x03) !== 0) text += ` flags tcp${(target.flags & 0x01) !== 0 ? " sequence" : ""}${(target.flags & 0x02) !== 0 ? `${(target.flags & 0x01) !== 0 ? "," : " "}options` : ""}`;
  if ((target.flags & 0x04) !== 0) text += " flags ip options";
  if ((target.flags & 0x08) !== 0) text += " flags skuid";
  return text;
}

/** libxt_MARK's mark_tg_xlate (every MARK form is --set-xmark value/mask). */
function markTargetText(value: number, mask: number): string {
  if (mask >>> 0 === 0xffffffff) return `meta mark set ${hexShort(value)}`;
  if (value === 0) return `meta mark set mark and ${hexShort(~mask)}`;
  if (value === mask) return `meta mark set mark or ${hexShort(value)}`;
  if (mask === 0) return `meta mark set mark xor ${hexShort(value)}`;
  return `meta mark set mark and ${hexShort(~mask)} xor ${hexShort(value)}`;
}

function natFlags(flags: { readonly random?: boolean; readonly randomFully?: boolean; readonly persistent?: boolean }): string {
  const names = [flags.random ? "random" : undefined, flags.randomFully ? "fully-random" : undefined, flags.persistent ? "persistent" : undefined].filter((name) => name !== undefined);
  if (names.length > 1 && !(names.length === 2 && flags.random && flags.persistent)) refuse("NAT flag combinations other than --random --persistent");
  return names.length > 0 ? ` ${names.join(",")}` : "";
}


function targetStatement(target: Target): Statement {
  const statement = nativeOrXtTarget(target);
  return statement.xt ? { ...statement, json: xtJson("target", target.kind) } : statement;
}

function nativeOrXtTarget(target: Target): Statement {
  switch (target.kind) {
    case "ACCEPT":
    case "DROP":
    case "RETURN":
      return native(target.kind.toLowerCase(), { json: { [target.kind.toLowerCase()]: null } });
    case "jump":
      return native(`${target.goto ? "goto" : "jump"} ${target.chain}`, { json: { [target.goto ? "goto" : "jump"]: { target: target.chain } } });
    case "REJECT":
      return xlated(target.with6 !== undefined ? REJECT6_TEXT[target.with6]! : REJECT_TEXT[target.with]!);
    case "LOG":
      return xlated(logText(target));
    case "MARK":
      return xlated(markTargetText(target.value, target.mask));
    case "MASQUERADE":
      return xlated(`masquerade${target.ports ? ` to :${portsText(target.ports)}` : ""}${natFlags(target)}`);
    case "REDIRECT":
      return xlated(`redirect${target.ports ? ` to :${portsText(target.ports)}` : ""}${natFlags(target)}`);
    case "SNAT":
    case "DNAT": {
      const range = target.range;
      if (range.offset !== undefined) return target.kind === "DNAT" ? untranslated("target", "DNAT") : refuse("SNAT with a port offset");
      const six = range.addresses6;
      if (six && six.first !== six.last && range.ports) refuse(`${target.kind} to an IPv6 address range with ports`);
      const addresses = six
        ? range.ports
          ? `[${six.first}]`
          : six.first === six.last
            ? six.first
            : `${six.first}-${six.last}`
        : range.addresses
          ? range.addresses.first === range.addresses.last
            ? formatIpv4Address(range.addresses.first)
            : `${formatIpv4Address(range.addresses.first)}-${formatIpv4Address(range.addresses.last)}`
          : "";
      const ports = range.ports ? `:${portsText(range.ports)}` : "";
      if (!addresses && !ports) refuse(`${target.kind} without a range`);
      return xlated(`${target.kind.toLowerCase()} to ${addresses}${ports}${natFlags(range)}`);
    }
    case "SET":
      return untranslated("target", "SET");
  }
}

// --- rules, chains, tables ---

/** The rule's statements in the order iptables-nft adds them (nft_ipv4_add): interfaces, protocol, addresses, matches, counter, target. */
function ruleStatements(rule: Rule): Statement[] {
  const statements: Statement[] = [];
  if (rule.inInterface) statements.push(interfaceStatement("iifname", rule.inInterface));
  if (rule.outInterface) statements.push(interfaceStatement("oifname", rule.outInterface));
  if (rule.protocol) statements.push(protocolStatement(rule.protocol));
  const source = rule.source && addressStatement("saddr", rule.source);
  if (source) statements.push(source);
  const destination = rule.destination && addressStatement("daddr", rule.destination);
  if (destination) statements.push(destination);
  for (const match of rule.matches) statements.push(...matchStatements(match, rule));
  statements.push(native(`counter packets ${rule.counters.packets} bytes ${rule.counters.bytes}`, { json: { counter: { packets: rule.counters.packets, bytes: rule.counters.bytes } } }));
  if (rule.target) statements.push(targetStatement(rule.target));
  return statements;
}

/** Whether nft drops the protocol match as the dependency of a later native header match of it, before any statement but a native match resets it (rule_maybe_reset_payload_deps). */
function isDependency(statements: readonly Statement[], index: number): boolean {
  const protocol = statements[index]!.protocol;
  if (protocol === undefined) return false;
  for (const later of statements.slice(index + 1)) {
    if (later.payload !== undefined) return PROTOCOL_NAMES[protocol] === later.payload;
    if (!later.match) return false;
  }
  return false;
}

/**
 * The rule as nft lists it, its protocol dependency left out
 * (payload_dependency_kill); statements are joined by one space, so an
 * empty translation (a comment) leaves two.
 */
export function iptablesRuleText(rule: Rule): string {
  // A rule nft added lists as nft made it, its counter the rule's own.
  if (rule.nft) return ruleText({ expressions: rule.nft.expressions.map((expression) => (expression.kind === "counter" ? { kind: "counter", counters: rule.counters } : expression)) }, "ip");
  const statements = ruleStatements(rule);
  return statements
    .filter((_statement, index) => !isDependency(statements, index))
    .map((statement) => statement.text)
    .join(" ");
}

/** Whether some rule nft fetched holds an xt expression (table->has_xt_stmts, set as rules are parsed: `list chain` fetches only that chain's). */
function hasXt(chains: readonly Chain[]): boolean {
  return chains.some((chain) => chain.rules.some((rule) => !rule.nft && ruleStatements(rule).some((statement) => statement.xt)));
}

/** iptables-nft's built-in chains (nft.c's xtables_ipv4 table): type, hook and priority. */
const BASE: Readonly<Record<TableName, Readonly<Record<string, readonly [string, number]>>>> = {
  raw: { PREROUTING: ["filter", -300], OUTPUT: ["filter", -300] },
  mangle: { PREROUTING: ["filter", -150], INPUT: ["filter", -150], FORWARD: ["filter", -150], OUTPUT: ["route", -150], POSTROUTING: ["filter", -150] },
  filter: { INPUT: ["filter", 0], FORWARD: ["filter", 0], OUTPUT: ["filter", 0] },
  nat: { PREROUTING: ["nat", -100], INPUT: ["nat", 100], OUTPUT: ["nat", -100], POSTROUTING: ["nat", 100] },
};

/** `# handle N` with -a; refused where the model has no handle for the object. */
function handleText(handles: boolean, handle: number | undefined): string {
  if (!handles) return "";
  return ` # handle ${handle ?? refuse("handles of chains or rules made before handles were tracked")}`;
}

export function iptablesChainText(table: Table, chain: Chain, handles = false): string {
  let text = `\tchain ${chain.name} {${handleText(handles, chain.handle)}\n`;
  const base = BASE[table.name][chain.name];
  if (base) {
    const hook = chain.name.toLowerCase();
    text += `\t\ttype ${base[0]} hook ${hook} priority ${priorityText(base[1], hook)}; policy ${(chain.policy ?? "ACCEPT").toLowerCase()};\n`;
  }
  for (const rule of chain.rules) text += `\t\t${iptablesRuleText(rule)}${handleText(handles, rule.handle)}\n`;
  return `${text}\t}\n`;
}

/** The chains the kernel holds, in the order iptables-nft made them; refused where the model does not know it. */
export function kernelChains(table: Table): Chain[] {
  if (!table.kernelChains || table.handle === undefined) refuse(`table ${table.name} made in a way whose kernel chains are not tracked`);
  return [...table.kernelChains].map((name) => table.chains.get(name) ?? refuse(`chain ${name}`));
}

/** `table ip NAME { ... }`, all its chains or only one (whose listing names the table without its handle, as for nft's own). */
export function iptablesTableText(table: Table, only?: Chain, handles = false, family: "ip" | "ip6" = "ip"): string {
  const chains = only ? [only] : kernelChains(table);
  return `table ${family} ${table.name} {${only ? "" : handleText(handles, table.handle)}\n${chains.map((chain) => iptablesChainText(table, chain, handles)).join("\n")}}\n`;
}

/** nft's warning on stderr before a table it found xt expressions in (table_print). */
export function iptablesTableWarning(table: Table, only?: Chain, family: "ip" | "ip6" = "ip"): string {
  return hasXt(only ? [only] : kernelChains(table)) ? `# Warning: table ${family} ${table.name} is managed by iptables-nft, do not touch!\n` : "";
}

// --- nft -j (json.c's table, chain and rule objects over the same statements) ---

/** rule_print_json(): the statements left after the dependency nft drops, as in the text listing. */
export function iptablesRuleJson(table: Table, chain: Chain, rule: Rule): Json {
  let expressions: Json[];
  if (rule.nft) {
    const counted = rule.nft.expressions.map((expression) => (expression.kind === "counter" ? { kind: "counter" as const, counters: rule.counters } : expression));
    expressions = listedExpressions(counted, "ip").map((expression) => expressionJson(expression, "ip"));
  } else {
    const statements = ruleStatements(rule);
    expressions = statements.filter((_statement, index) => !isDependency(statements, index)).map((statement) => statement.json ?? refuse(`${statement.text} in JSON`));
  }
  return { rule: { family: "ip", table: table.name, chain: chain.name, handle: rule.handle ?? refuse("handles of rules made before handles were tracked"), expr: expressions } };
}

/** chain_print_json(): a built-in chain's type, hook, priority and policy. */
export function iptablesChainJson(table: Table, chain: Chain): Json {
  const root: Record<string, Json> = { family: "ip", table: table.name, name: chain.name, handle: chain.handle ?? refuse("handles of chains made before handles were tracked") };
  const base = BASE[table.name][chain.name];
  if (base) Object.assign(root, { type: base[0], hook: chain.name.toLowerCase(), prio: base[1], policy: (chain.policy ?? "ACCEPT").toLowerCase() });
  return { chain: root };
}

export function iptablesTableJson(table: Table): Json {
  return { table: { family: "ip", name: table.name, handle: table.handle ?? refuse("handles of tables made before handles were tracked") } };
}

/** A chain and its rules (do_list_chain_json). */
export function iptablesChainObjects(table: Table, chain: Chain): Json[] {
  return [iptablesChainJson(table, chain), ...chain.rules.map((rule) => iptablesRuleJson(table, chain, rule))];
}

/** table_print_json_full(): the table, its chains, then each chain's rules. */
export function iptablesTableObjects(table: Table): Json[] {
  const chains = kernelChains(table);
  return [iptablesTableJson(table), ...chains.map((chain) => iptablesChainJson(table, chain)), ...chains.flatMap((chain) => chain.rules.map((rule) => iptablesRuleJson(table, chain, rule)))];
}
