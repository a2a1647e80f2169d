// A rule as iptables prints it: the save form (`iptables -S`, iptables-save;
// iptables/nft-ipv4.c: nft_ipv4_save_rule, xshared.c: save_rule_details and
// each extension's .save) and the listing form (`iptables -L`;
// nft_ipv4_print_rule, print_rule_details, each extension's .print).
import { formatIpv4Address } from "../../model/address.js";
import type { AddressSelector, Match, NatRange, PortRange, Rule, Target } from "../../model/netfilter.js";
import { formatStatisticProbability } from "../../net/index.js";
import { setMatchText, setTargetText } from "./libxt-set.js";
import { matchExtension, targetExtension } from "./extensions.js";
import { protocolName } from "./protocols.js";

export { protocolName } from "./protocols.js";

/** xtables_save_string(): quoted unless it is all letters, digits, `_` and `-`. */
export function saveString(value: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(value)) return value;
  return `"${value.replace(/(["\\'])/g, "\\$1")}"`;
}

function hex(value: number): string {
  return `0x${(value >>> 0).toString(16)}`;
}

function saveAddress(flag: string, selector: AddressSelector | undefined): string {
  if (!selector) return "";
  return `${selector.invert ? " !" : ""} ${flag} ${formatIpv4Address(selector.address)}/${selector.mask !== undefined ? formatIpv4Address(selector.mask) : selector.prefixLength}`;
}

function portRangeText(range: PortRange, separator: string): string {
  return range.first === range.last ? String(range.first) : `${range.first}${separator}${range.last}`;
}

function natRangeText(range: NatRange): string {
  let text = "";
  if (range.addresses) text += range.addresses.first === range.addresses.last ? formatIpv4Address(range.addresses.first) : `${formatIpv4Address(range.addresses.first)}-${formatIpv4Address(range.addresses.last)}`;
  if (range.ports) text += `:${portRangeText(range.ports, "-")}${range.offset !== undefined ? `/${range.offset}` : ""}`;
  return text;
}

/** The NAT range's flags, in the order SNAT/DNAT's save and print name them. */
function natFlags(range: NatRange, before: string): string {
  return `${range.random ? `${before}random` : ""}${range.randomFully ? `${before}random-fully` : ""}${range.persistent ? `${before}persistent` : ""}`;
}

function saveMatch(match: Match): string {
  const module = matchExtension(match.kind);
  if (module) return ` -m ${match.kind}${module.save(match)}`;
  switch (match.kind) {
    case "physdev":
      return ` -m physdev${physdevOptions(match)}`;
    case "statistic":
      // libxt_statistic statistic_save(): `!` before --probability / --every; --packet always.
      return match.mode === "random"
        ? ` -m statistic --mode random${match.invert ? " !" : ""} --probability ${formatStatisticProbability(match.probability)}`
        : ` -m statistic --mode nth${match.invert ? " !" : ""} --every ${match.every} --packet ${match.packet}`;
    case "set":
      return setMatchText(match, true);
    default:
      return "";
  }
}

function physdevOptions(match: Extract<Match, { kind: "physdev" }>): string {
  let text = "";
  if (match.isIn) text += `${match.isIn.invert ? " !" : ""} --physdev-is-in`;
  if (match.physdevIn) text += `${match.physdevIn.invert ? " !" : ""} --physdev-in ${match.physdevIn.name}`;
  if (match.isOut) text += `${match.isOut.invert ? " !" : ""} --physdev-is-out`;
  if (match.physdevOut) text += `${match.physdevOut.invert ? " !" : ""} --physdev-out ${match.physdevOut.name}`;
  if (match.isBridged) text += `${match.isBridged.invert ? " !" : ""} --physdev-is-bridged`;
  return text;
}

export function targetLabel(target: Target | undefined): string {
  if (!target) return "";
  return target.kind === "jump" ? target.chain : target.kind;
}

function saveTarget(target: Target | undefined): string {
  if (!target) return "";
  if (target.kind === "jump") return ` -${target.goto ? "g" : "j"} ${target.chain}`;
  const module = targetExtension(target.kind);
  if (module) return ` -j ${target.kind}${module.save(target)}`;
  switch (target.kind) {
    case "ACCEPT":
    case "DROP":
    case "RETURN":
      return ` -j ${target.kind}`;
    case "REJECT":
      return ` -j REJECT --reject-with ${target.with}`;
    case "MASQUERADE":
      return ` -j MASQUERADE${target.ports ? ` --to-ports ${portRangeText(target.ports, "-")}` : ""}${target.random ? " --random" : ""}${target.randomFully ? " --random-fully" : ""}`;
    case "SNAT":
      return ` -j SNAT --to-source ${natRangeText(target.range)}${natFlags(target.range, " --")}`;
    case "DNAT":
      return ` -j DNAT --to-destination ${natRangeText(target.range)}${natFlags(target.range, " --")}`;
    case "REDIRECT":
      return ` -j REDIRECT${target.ports ? ` --to-ports ${portRangeText(target.ports, "-")}` : ""}${target.random ? " --random" : ""}`;
    case "MARK":
      return ` -j MARK --set-xmark ${hex(target.value)}/${hex(target.mask)}`;
    case "SET":
      return setTargetText(target, true);
    default:
      return "";
  }
}

type RuleShape = Omit<Rule, "counters" | "spec" | "origin">;

/** The save form after `-A CHAIN` (no leading space), as -S and iptables-save print it. */
export function ruleSpec(rule: RuleShape): string {
  let text = saveAddress("-s", rule.source) + saveAddress("-d", rule.destination);
  if (rule.inInterface) text += `${rule.inInterface.invert ? " !" : ""} -i ${rule.inInterface.name}`;
  if (rule.outInterface) text += `${rule.outInterface.invert ? " !" : ""} -o ${rule.outInterface.name}`;
  if (rule.protocol) text += `${rule.protocol.invert ? " !" : ""} -p ${protocolName(rule.protocol.number)}`;
  for (const match of rule.matches) text += saveMatch(match);
  text += saveTarget(rule.target);
  return text.trimStart();
}

// ---- the listing form (iptables -L) ----

/** An extension's .print for -L. */
function listMatch(match: Match, numeric: boolean, protocol: number | undefined): string {
  const module = matchExtension(match.kind);
  if (module) return module.print(match, numeric, protocol);
  switch (match.kind) {
    case "physdev":
      return ` PHYSDEV match${physdevOptions(match)}`;
    case "statistic":
      // statistic_print(): -L leaves out `packet 0`.
      return match.mode === "random"
        ? ` statistic mode random${match.invert ? " !" : ""} probability ${formatStatisticProbability(match.probability)}`
        : ` statistic mode nth${match.invert ? " !" : ""} every ${match.every}${match.packet === 0 ? "" : ` packet ${match.packet}`}`;
    case "set":
      return setMatchText(match, false);
    default:
      return "";
  }
}

function listTarget(target: Target | undefined, numeric: boolean): string {
  if (!target || target.kind === "jump") return "";
  const module = targetExtension(target.kind);
  if (module) return module.print(target, numeric);
  switch (target.kind) {
    case "REJECT":
      return ` reject-with ${target.with}`;
    case "MASQUERADE":
      return `${target.ports ? ` masq ports: ${portRangeText(target.ports, "-")}` : ""}${target.random ? " random" : ""}${target.randomFully ? " random-fully" : ""}`;
    case "SNAT":
    case "DNAT":
      return ` to:${natRangeText(target.range)}${natFlags(target.range, " ")}`;
    case "REDIRECT":
      return `${target.ports ? ` redir ports ${portRangeText(target.ports, "-")}` : ""}${target.random ? " random" : ""}`;
    case "MARK":
      // mark_tg_print()'s order: and, or, xor, set, xset.
      if (target.value === 0) return ` MARK and ${hex(~target.mask)}`;
      if (target.value === target.mask) return ` MARK or ${hex(target.value)}`;
      if (target.mask === 0) return ` MARK xor ${hex(target.value)}`;
      if (target.mask === 0xffffffff) return ` MARK set ${hex(target.value)}`;
      return ` MARK xset ${hex(target.value)}/${hex(target.mask)}`;
    case "SET":
      return setTargetText(target, false);
    default:
      return "";
  }
}

export interface ListFormat {
  readonly numeric: boolean;
  readonly verbose: boolean;
  readonly exact: boolean;
  readonly lineNumbers: boolean;
}

/** xtables_print_num(): counters, abbreviated with K/M/G unless -x. */
export function formatCount(value: number, format: ListFormat, noTable = false): string {
  if (format.exact) return noTable ? `${value} ` : `${String(value).padStart(8)} `;
  let number = value;
  if (number <= 99999) return noTable ? `${number} ` : `${String(number).padStart(5)} `;
  for (const suffix of ["K", "M", "G", "T"]) {
    number = Math.floor((number + 500) / 1000);
    if (number <= 9999 || suffix === "T") return noTable ? `${number}${suffix} ` : `${String(number).padStart(4)}${suffix} `;
  }
  return `${number} `;
}

function listAddress(selector: AddressSelector | undefined, numeric: boolean): string {
  const invert = selector?.invert ? "!" : " ";
  const text =
    !selector || selector.prefixLength === 0
      ? numeric
        ? "0.0.0.0/0"
        : "anywhere"
      : `${formatIpv4Address(selector.address)}${selector.mask !== undefined ? `/${formatIpv4Address(selector.mask)}` : selector.prefixLength === 32 ? "" : `/${selector.prefixLength}`}`;
  return `${invert}${text.padEnd(19)} `;
}

/** One rule line of `iptables -L` (print_rule_details + print_ifaces + addresses + matches + target). */
export function listRule(rule: Rule, number: number, format: ListFormat): string {
  let line = "";
  if (format.lineNumbers) line += `${String(number).padEnd(4)} `;
  if (format.verbose) line += formatCount(rule.counters.packets, format) + formatCount(rule.counters.bytes, format);
  line += `${targetLabel(rule.target).padEnd(9)} `;
  line += rule.protocol?.invert ? "!" : " ";
  const protocol = rule.protocol?.number ?? 0;
  line += `${(format.numeric ? String(protocol) : protocol === 0 ? "all" : protocolName(protocol)).padEnd(4)} `;
  line += "-- ";
  if (format.verbose) {
    // print_ifaces(): no interface is "any", or "*" with -n.
    const anyInterface = format.numeric ? "*" : "any";
    const inName = `${rule.inInterface?.invert ? "!" : ""}${rule.inInterface?.name ?? anyInterface}`;
    const outName = `${rule.outInterface?.invert ? "!" : ""}${rule.outInterface?.name ?? anyInterface}`;
    line += ` ${inName.padEnd(6)} ${outName.padEnd(6)} `;
  }
  line += listAddress(rule.source, format.numeric) + listAddress(rule.destination, format.numeric);
  if (rule.target?.kind === "jump" && rule.target.goto) line += "[goto] ";
  for (const match of rule.matches) line += listMatch(match, format.numeric, rule.protocol?.number);
  line += listTarget(rule.target, format.numeric);
  return line;
}

export function listHeader(format: ListFormat): string {
  let line = "";
  if (format.lineNumbers) line += "num  ";
  if (format.verbose) line += format.exact ? `${"pkts".padStart(8)} ${"bytes".padStart(10)} ` : `${"pkts".padStart(5)} ${"bytes".padStart(5)} `;
  line += `${"target".padEnd(9)} `;
  line += " prot opt";
  if (format.verbose) line += ` ${"in".padEnd(6)} ${"out".padEnd(6)} `;
  line += ` ${"source".padEnd(19)} `;
  line += ` ${"destination".padEnd(19)} `;
  return line;
}
