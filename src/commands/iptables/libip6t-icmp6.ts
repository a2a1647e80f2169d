// ip6tables' icmp6 match (extensions/libip6t_icmp6.c: icmp6_opts,
// icmp6_parse with libxtables' xtables_icmpv6_codes table, icmp6_save,
// icmp6_print / print_icmpv6type). ip6tables only; netsim carries no IPv6
// packet, so its kernel side (ip6t_icmp6) never meets one.
import type { Match, PortRange } from "../../model/netfilter.js";
import { xtablesStrtoui } from "./protocols.js";
import { mustBeSpecified, option, type XtablesMatch, type XtablesParseContext } from "./xtables.js";

type Icmp6Match = Extract<Match, { kind: "icmp6" }>;

const NAME = "icmp6";

type Problem = Pick<XtablesParseContext, "problem">;

/** xtables_icmpv6_codes, in its order: each name with its type and code range; aliases follow the name they stand for. */
const ICMPV6_CODES: readonly (readonly [name: string, type: number, min: number, max: number])[] = [
  ["destination-unreachable", 1, 0, 255],
  ["no-route", 1, 0, 0],
  ["communication-prohibited", 1, 1, 1],
  ["beyond-scope", 1, 2, 2],
  ["address-unreachable", 1, 3, 3],
  ["port-unreachable", 1, 4, 4],
  ["failed-policy", 1, 5, 5],
  ["reject-route", 1, 6, 6],
  ["packet-too-big", 2, 0, 255],
  ["time-exceeded", 3, 0, 255],
  ["ttl-exceeded", 3, 0, 255],
  ["ttl-zero-during-transit", 3, 0, 0],
  ["ttl-zero-during-reassembly", 3, 1, 1],
  ["parameter-problem", 4, 0, 255],
  ["bad-header", 4, 0, 0],
  ["unknown-header-type", 4, 1, 1],
  ["unknown-option", 4, 2, 2],
  ["echo-request", 128, 0, 255],
  ["ping", 128, 0, 255],
  ["echo-reply", 129, 0, 255],
  ["pong", 129, 0, 255],
  ["router-solicitation", 133, 0, 255],
  ["router-advertisement", 134, 0, 255],
  ["neighbour-solicitation", 135, 0, 255],
  ["neighbor-solicitation", 135, 0, 255],
  ["neighbour-advertisement", 136, 0, 255],
  ["neighbor-advertisement", 136, 0, 255],
  ["redirect", 137, 0, 255],
];

/** The first name of a type with all its codes (nft's listing names some of these too). */
export function icmpv6TypeName(type: number): string | undefined {
  return ICMPV6_CODES.find(([, code, min, max]) => code === type && min === 0 && max === 255)?.[0];
}

/** parse_icmpv6(): any unambiguous prefix of a name, in any case, else TYPE[/CODE[:CODE]], each 0-255. */
function icmpv6Type(context: Problem, text: string): { type: number; codes?: PortRange } {
  let found: (typeof ICMPV6_CODES)[number] | undefined;
  for (const entry of ICMPV6_CODES) {
    if (!entry[0].toLowerCase().startsWith(text.toLowerCase())) continue;
    if (found) throw context.problem(`Ambiguous ICMPv6 type \`${text}': \`${found[0]}' or \`${entry[0]}'?`);
    found = entry;
  }
  if (found) {
    const [, type, first, last] = found;
    return { type, ...(first === 0 && last === 255 ? {} : { codes: { first, last } }) };
  }
  const [typeText = "", codeText] = text.split("/", 2);
  const number = xtablesStrtoui(typeText, 0, 255);
  if (number === undefined) throw context.problem(`Unknown ICMPv6 type \`${text}'`);
  let codes: PortRange | undefined;
  if (codeText !== undefined) {
    const [low = "", high] = codeText.split(":", 2);
    const first = xtablesStrtoui(low, 0, 255);
    const last = high === undefined ? first : xtablesStrtoui(high, 0, 255);
    if (first === undefined || last === undefined) throw context.problem(`Unknown ICMPv6 code \`${codeText}'`);
    codes = { first, last };
  }
  return { type: number, ...(codes && !(codes.first === 0 && codes.last === 255) ? { codes } : {}) };
}

export const libip6tIcmp6: XtablesMatch<Icmp6Match> = {
  name: NAME,
  description: "`icmp6` (ip6tables)",
  protocolMatch: 58,
  options: [option("icmpv6-type", true, true)],
  readOption(_name, value, _invert, reader) {
    icmpv6Type(reader, value!);
    return false;
  },
  parse(values, context) {
    const type = values.get("icmpv6-type");
    if (!type) throw mustBeSpecified(context, NAME, "icmpv6-type");
    const parsed = icmpv6Type(context, type.value!);
    return { kind: "icmp6", type: parsed.type, ...(parsed.codes ? { codes: parsed.codes } : {}), invert: type.invert };
  },
  save(match) {
    return `${match.invert ? " !" : ""} --icmpv6-type ${match.type}${match.codes ? `/${match.codes.first}` : ""}`;
  },
  print(match, numeric) {
    // print_icmpv6type(): unless -n, the first name of exactly this type and code range; else "type N" (after " ipv6-icmp" with no space, as ip6tables prints it), then the code or codes.
    const [first, last] = match.codes ? [match.codes.first, match.codes.last] : [0, 255];
    const name = numeric ? undefined : ICMPV6_CODES.find(([, type, min, max]) => type === match.type && min === first && max === last)?.[0];
    if (name !== undefined) return ` ipv6-icmp ${match.invert ? "!" : ""}${name}`;
    const codeText = first === last ? ` code ${first}` : first === 0 && last === 255 ? "" : ` codes ${first}-${last}`;
    return ` ipv6-icmp${match.invert ? " !" : ""}type ${match.type}${codeText}`;
  },
};
