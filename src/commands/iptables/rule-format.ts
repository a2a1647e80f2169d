// A rule as iptables prints it: the save form (`iptables -S`, iptables-save;
// iptables/nft-ipv4.c: nft_ipv4_save_rule, xshared.c: save_rule_details and
// each extension's .save) and the listing form (`iptables -L`;
// nft_ipv4_print_rule, print_rule_details, each extension's .print).
import { formatIpv4Address } from "../../model/address.js";
import type { AddressSelector, Match, Rule, Target } from "../../model/netfilter.js";
import { mergePortMatches } from "../../net/index.js";
import { matchExtension, targetExtension } from "./extensions.js";
import { protocolName } from "./protocols.js";

function saveAddress(flag: string, selector: AddressSelector | undefined): string {
  if (!selector) return "";
  if (selector.ipv6 !== undefined) return `${selector.invert ? " !" : ""} ${flag} ${selector.ipv6}/${selector.prefixLength}`;
  return `${selector.invert ? " !" : ""} ${flag} ${formatIpv4Address(selector.address)}/${selector.mask !== undefined ? formatIpv4Address(selector.mask) : selector.prefixLength}`;
}

/** The module of a rule's match: every kind a parse can build has one (extensions.ts). */
function moduleOfMatch(match: Match) {
  const module = matchExtension(match.kind);
  if (!module) throw new Error(`no iptables extension module for match "${match.kind}"`);
  return module;
}

/** The module of a rule's target (jumps to user chains have none). */
function moduleOfTarget(target: Exclude<Target, { kind: "jump" }>) {
  const module = targetExtension(target.kind);
  if (!module) throw new Error(`no iptables extension module for target "${target.kind}"`);
  return module;
}

const saveMatch = (match: Match): string => ` -m ${match.kind}${moduleOfMatch(match).save(match)}`;

export function targetLabel(target: Target | undefined): string {
  if (!target) return "";
  return target.kind === "jump" ? target.chain : target.kind;
}

function saveTarget(target: Target | undefined): string {
  if (!target) return "";
  if (target.kind === "jump") return ` -${target.goto ? "g" : "j"} ${target.chain}`;
  return ` -j ${target.kind}${moduleOfTarget(target).save(target)}`;
}

type RuleShape = Omit<Rule, "counters" | "spec" | "origin">;

/** The save form after `-A CHAIN` (no leading space), as -S and iptables-save print it. */
export function ruleSpec(rule: RuleShape): string {
  let text = saveAddress("-s", rule.source) + saveAddress("-d", rule.destination);
  if (rule.inInterface) text += `${rule.inInterface.invert ? " !" : ""} -i ${rule.inInterface.name}`;
  if (rule.outInterface) text += `${rule.outInterface.invert ? " !" : ""} -o ${rule.outInterface.name}`;
  if (rule.protocol) text += `${rule.protocol.invert ? " !" : ""} -p ${protocolName(rule.protocol.number)}`;
  // iptables-nft prints the rule it reads back: one tcp and one udp match.
  for (const match of mergePortMatches(rule.matches)) text += saveMatch(match);
  text += saveTarget(rule.target);
  return text.trimStart();
}

// ---- the listing form (iptables -L) ----

/** An extension's .print for -L. */
const listMatch = (match: Match, numeric: boolean, protocol: number | undefined): string => moduleOfMatch(match).print(match, numeric, protocol);

function listTarget(target: Target | undefined, numeric: boolean): string {
  if (!target || target.kind === "jump") return "";
  return moduleOfTarget(target).print(target, numeric);
}

export interface ListFormat {
  readonly numeric: boolean;
  readonly verbose: boolean;
  readonly exact: boolean;
  readonly lineNumbers: boolean;
  /** ip6tables: `::/0` for any address. */
  readonly family?: "ipv6";
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

function listAddress(selector: AddressSelector | undefined, numeric: boolean, family: "ipv6" | undefined): string {
  const invert = selector?.invert ? "!" : " ";
  const text =
    !selector || selector.prefixLength === 0
      ? numeric
        ? family === "ipv6"
          ? "::/0"
          : "0.0.0.0/0"
        : "anywhere"
      : selector.ipv6 !== undefined
        ? `${selector.ipv6}${selector.prefixLength === 128 ? "" : `/${selector.prefixLength}`}`
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
  line += listAddress(rule.source, format.numeric, format.family) + listAddress(rule.destination, format.numeric, format.family);
  if (rule.target?.kind === "jump" && rule.target.goto) line += "[goto] ";
  for (const match of mergePortMatches(rule.matches)) line += listMatch(match, format.numeric, rule.protocol?.number);
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
