// iptables' conntrack match, revision 3 (extensions/libxt_conntrack.c:
// conntrack3_mt_opts, conntrack_parse / conntrack_mt_check, conntrack_dump
// for both -L and iptables-save).
import { formatIpv4Address, parseIpv4Address } from "../../model/address.js";
import { formatIpv6Address, parseIpv6Address } from "../../model/ipv6-address.js";
import type { ConntrackAddressTest, ConntrackMatch, ConntrackPortTest, ConntrackStateName } from "../../model/netfilter.js";
import { protocolNumber } from "./protocols.js";
import { option, unsignedValue, type OptionValue, type XtablesMatch, type XtablesParseContext } from "./xtables.js";

const NAME = "conntrack";
const STATES: readonly ConntrackStateName[] = ["INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED", "SNAT", "DNAT"];
/** --ctstatus names with their IPS_* bits, in print order. */
const STATUS: readonly (readonly [string, number])[] = [["EXPECTED", 1], ["SEEN_REPLY", 2], ["ASSURED", 4], ["CONFIRMED", 8]];

const OPTIONS = ["ctstate", "ctproto", "ctorigsrc", "ctorigdst", "ctreplsrc", "ctrepldst", "ctstatus", "ctexpire", "ctorigsrcport", "ctorigdstport", "ctreplsrcport", "ctrepldstport", "ctdir"];

/** XTTYPE_HOSTMASK as 1.8.9 stores it: the address as written; a mask that is not a prefix length 0-32 (a dotted one, 33) leaves /32. */
function hostMask(context: XtablesParseContext, value: OptionValue): ConntrackAddressTest {
  const text = value.value!;
  const [host = "", mask] = text.split("/", 2);
  if (context.family === "ipv6") {
    const address6 = parseIpv6Address(host);
    if (address6 === undefined) throw context.problem(`host/network \`${host}' not found`);
    const length6 = mask !== undefined && /^\d+$/.test(mask) && Number(mask) <= 128 ? Number(mask) : 128;
    return { address: 0, prefixLength: length6, invert: value.invert, ipv6: formatIpv6Address(address6) };
  }
  const address = parseIpv4Address(host);
  if (address === undefined) throw context.problem(`host/network \`${host}' not found`);
  const length = mask !== undefined && /^\d+$/.test(mask) && Number(mask) <= 32 ? Number(mask) : 32;
  return { address, prefixLength: length, invert: value.invert };
}

/** XTTYPE_UINT32RC: min[:max], kept as written. */
function expires(context: XtablesParseContext, value: OptionValue): { min: number; max: number; invert: boolean } {
  const parts = value.value!.split(":").slice(0, 2);
  const numbers = parts.map((part) => {
    const parsed = unsignedValue(part, 0xffffffff);
    if (parsed === undefined) throw context.problem(`${NAME}: bad value for option "--ctexpire" near "${part}", or out of range (0-4294967295).\n`);
    return parsed;
  });
  return { min: numbers[0]!, max: numbers[1] ?? numbers[0]!, invert: value.invert };
}

function list<T>(context: XtablesParseContext, text: string, what: string, names: readonly (readonly [string, T])[]): T[] {
  return text.split(",").map((word) => {
    const found = names.find(([name]) => name.toLowerCase() === word.toLowerCase());
    if (!found) throw context.problem(`Bad ${what} "${word}"`);
    return found[1];
  });
}

export const libxtConntrack: XtablesMatch<ConntrackMatch> = {
  name: NAME,
  description: "`conntrack` (every option: `--ctstate` with SNAT/DNAT, `--ctproto`, `--ctorigsrc/dst`, `--ctreplsrc/dst`, the four port options, `--ctstatus`, `--ctexpire`, `--ctdir`)",
  options: OPTIONS.map((name) => option(name, true, true)),
  parse(values, context) {
    if (values.size === 0) throw context.problem(`${NAME}: At least one option is required`);
    const get = (name: string) => values.get(name);
    const port = (name: string): ConntrackPortTest | undefined => {
      const value = get(name);
      return value ? { ...context.portRange(value.value!), invert: value.invert } : undefined;
    };
    const address = (name: string) => {
      const value = get(name);
      return value ? hostMask(context, value) : undefined;
    };
    const state = get("ctstate");
    const proto = get("ctproto");
    let protocol: ConntrackMatch["protocol"];
    if (proto) {
      const number = protocolNumber(proto.value!.toLowerCase());
      if (number === undefined) throw context.problem(`unknown protocol "${proto.value}" specified`);
      protocol = { number, invert: proto.invert };
    }
    const status = get("ctstatus");
    const direction = get("ctdir");
    let dir: ConntrackMatch["direction"];
    if (direction) {
      const word = direction.value!.toUpperCase();
      if (word !== "ORIGINAL" && word !== "REPLY") throw context.problem(`${NAME}: Bad value for "--ctdir" option: "${direction.value}"`);
      dir = (word === "REPLY") !== direction.invert ? "REPLY" : "ORIGINAL";
    }
    const expire = get("ctexpire");
    const built: ConntrackMatch = {
      kind: "conntrack",
      ...(state ? { states: list(context, state.value!, "ctstate", STATES.map((name) => [name, name] as const)) } : {}),
      invert: state?.invert ?? false,
      ...(protocol ? { protocol } : {}),
      ...optional("originalSource", address("ctorigsrc")),
      ...optional("originalDestination", address("ctorigdst")),
      ...optional("replySource", address("ctreplsrc")),
      ...optional("replyDestination", address("ctrepldst")),
      ...optional("originalSourcePort", port("ctorigsrcport")),
      ...optional("originalDestinationPort", port("ctorigdstport")),
      ...optional("replySourcePort", port("ctreplsrcport")),
      ...optional("replyDestinationPort", port("ctrepldstport")),
      ...(status ? { status: { mask: status.value!.toUpperCase() === "NONE" ? 0 : list(context, status.value!, "ctstatus", [...STATUS, ["NONE", 0] as const]).reduce((bits, bit) => bits | bit, 0), invert: status.invert } } : {}),
      ...(expire ? { expires: expires(context, expire) } : {}),
      ...(dir ? { direction: dir } : {}),
    };
    return built;
  },
  save: (match) => dump(match, "--", true),
  print: (match, numeric) => dump(match, "", numeric),
};

function optional<K extends string, V>(key: K, value: V | undefined): { [key in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [key in K]?: V };
}

function addressText(test: ConntrackAddressTest, numeric: boolean): string {
  if (test.ipv6 !== undefined) return ` ${test.ipv6}${test.prefixLength === 128 ? "" : `/${test.prefixLength}`}`;
  if (!numeric && test.address === 0) return " anywhere";
  return ` ${formatIpv4Address(test.address)}${test.prefixLength === 32 ? "" : `/${test.prefixLength}`}`;
}

function portText(test: ConntrackPortTest): string {
  return test.first === test.last ? String(test.first) : `${test.first}:${test.last}`;
}

/** conntrack_dump(): the options in the kernel struct's order; `prefix` is "--" for iptables-save, "" for -L. */
function dump(match: ConntrackMatch, prefix: string, numeric: boolean): string {
  const not = (invert: boolean) => (invert ? " !" : "");
  let text = "";
  if (match.states) text += `${not(match.invert)} ${prefix}ctstate ${STATES.filter((state) => match.states!.includes(state)).join(",")}`;
  if (match.protocol) text += `${not(match.protocol.invert)} ${prefix}ctproto ${match.protocol.number}`;
  const addresses: [ConntrackAddressTest | undefined, string][] = [
    [match.originalSource, "ctorigsrc"],
    [match.originalDestination, "ctorigdst"],
    [match.replySource, "ctreplsrc"],
    [match.replyDestination, "ctrepldst"],
  ];
  for (const [test, name] of addresses) if (test) text += `${not(test.invert)} ${prefix}${name}${addressText(test, numeric)}`;
  const ports: [ConntrackPortTest | undefined, string][] = [
    [match.originalSourcePort, "ctorigsrcport"],
    [match.originalDestinationPort, "ctorigdstport"],
    [match.replySourcePort, "ctreplsrcport"],
    [match.replyDestinationPort, "ctrepldstport"],
  ];
  for (const [test, name] of ports) if (test) text += `${not(test.invert)} ${prefix}${name} ${portText(test)}`;
  if (match.status) {
    const names = STATUS.filter(([, bit]) => (match.status!.mask & bit) !== 0).map(([name]) => name);
    text += `${not(match.status.invert)} ${prefix}ctstatus ${names.length === 0 ? "NONE" : names.join(",")}`;
  }
  if (match.expires) text += `${not(match.expires.invert)} ${prefix}ctexpire ${match.expires.min === match.expires.max ? match.expires.min : `${match.expires.min}:${match.expires.max}`}`;
  if (match.direction) text += ` ${prefix}ctdir ${match.direction}`;
  return text;
}
