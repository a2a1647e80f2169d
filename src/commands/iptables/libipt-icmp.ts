// iptables' icmp match (extensions/libipt_icmp.c: icmp_opts, icmp_parse with
// the icmp_codes table of libxt_icmp.h, icmp_save, icmp_print /
// print_icmptype). Its packet test is the kernel's ipt_icmp
// (src/net/netfilter/xt-tcpudp.ts).
import type { Match, PortRange } from "../../model/netfilter.js";
import { xtablesStrtoui } from "./protocols.js";
import { mustBeSpecified, option, type XtablesMatch, type XtablesParseContext } from "./xtables.js";

type IcmpMatch = Extract<Match, { kind: "icmp" }>;

const NAME = "icmp";

type Problem = Pick<XtablesParseContext, "problem">;

/** icmp_codes (libxt_icmp.h), in its order: each name with its type and code range; aliases follow the name they stand for. */
const ICMP_CODES: readonly (readonly [name: string, type: number, min: number, max: number])[] = [
  ["any", 255, 0, 255],
  ["echo-reply", 0, 0, 255],
  ["pong", 0, 0, 255],
  ["destination-unreachable", 3, 0, 255],
  ["network-unreachable", 3, 0, 0],
  ["host-unreachable", 3, 1, 1],
  ["protocol-unreachable", 3, 2, 2],
  ["port-unreachable", 3, 3, 3],
  ["fragmentation-needed", 3, 4, 4],
  ["source-route-failed", 3, 5, 5],
  ["network-unknown", 3, 6, 6],
  ["host-unknown", 3, 7, 7],
  ["network-prohibited", 3, 9, 9],
  ["host-prohibited", 3, 10, 10],
  ["TOS-network-unreachable", 3, 11, 11],
  ["TOS-host-unreachable", 3, 12, 12],
  ["communication-prohibited", 3, 13, 13],
  ["host-precedence-violation", 3, 14, 14],
  ["precedence-cutoff", 3, 15, 15],
  ["source-quench", 4, 0, 255],
  ["redirect", 5, 0, 255],
  ["network-redirect", 5, 0, 0],
  ["host-redirect", 5, 1, 1],
  ["TOS-network-redirect", 5, 2, 2],
  ["TOS-host-redirect", 5, 3, 3],
  ["echo-request", 8, 0, 255],
  ["ping", 8, 0, 255],
  ["router-advertisement", 9, 0, 255],
  ["router-solicitation", 10, 0, 255],
  ["time-exceeded", 11, 0, 255],
  ["ttl-exceeded", 11, 0, 255],
  ["ttl-zero-during-transit", 11, 0, 0],
  ["ttl-zero-during-reassembly", 11, 1, 1],
  ["parameter-problem", 12, 0, 255],
  ["ip-header-bad", 12, 0, 0],
  ["required-option-missing", 12, 1, 1],
  ["timestamp-request", 13, 0, 255],
  ["timestamp-reply", 14, 0, 255],
  ["address-mask-request", 17, 0, 255],
  ["address-mask-reply", 18, 0, 255],
];

/** parse_icmp()'s name lookup: any unambiguous prefix of a name, in any case. */
function namedType(context: Problem, text: string): { type: number; codes?: PortRange } | undefined {
  let found: (typeof ICMP_CODES)[number] | undefined;
  for (const entry of ICMP_CODES) {
    if (!entry[0].toLowerCase().startsWith(text.toLowerCase())) continue;
    if (found) throw context.problem(`Ambiguous ICMP type \`${text}': \`${found[0]}' or \`${entry[0]}'?`);
    found = entry;
  }
  if (!found) return undefined;
  const [, type, first, last] = found;
  return { type, ...(first === 0 && last === 255 ? {} : { codes: { first, last } }) };
}

/** parse_icmp(): a name of icmp_codes, else TYPE[/CODE[:CODE]], each 0-255. */
function icmpType(context: Problem, text: string): { type: number; codes?: PortRange } {
  const named = namedType(context, text);
  if (named) return named;
  const [typeText = "", codeText] = text.split("/", 2);
  const number = xtablesStrtoui(typeText, 0, 255);
  if (number === undefined) throw context.problem(`Unknown ICMP type \`${text}'`);
  let codes: PortRange | undefined;
  if (codeText !== undefined) {
    const [low = "", high] = codeText.split(":", 2);
    const first = xtablesStrtoui(low, 0, 255);
    const last = high === undefined ? first : xtablesStrtoui(high, 0, 255);
    if (first === undefined || last === undefined) throw context.problem(`Unknown ICMP code \`${codeText}'`);
    codes = { first, last };
  }
  // Codes 0:255 are every code, as no code at all.
  return { type: number, ...(codes && !(codes.first === 0 && codes.last === 255) ? { codes } : {}) };
}

export const libiptIcmp: XtablesMatch<IcmpMatch> = {
  name: NAME,
  description: "`icmp`",
  protocolMatch: 1,
  options: [option("icmp-type", true, true)],
  readOption(_name, value, _invert, reader) {
    // icmp_parse() reads the type when the option is given.
    icmpType(reader, value!);
    return false;
  },
  parse(values, context) {
    const type = values.get("icmp-type");
    if (!type) throw mustBeSpecified(context, NAME, "icmp-type");
    const parsed = icmpType(context, type.value!);
    return { kind: "icmp", type: parsed.type, ...(parsed.codes ? { codes: parsed.codes } : {}), invert: type.invert };
  },
  save(match) {
    if (match.type === undefined) return "";
    const type = match.type === 255 ? "any" : match.codes ? `${match.type}/${match.codes.first}` : String(match.type);
    return `${match.invert ? " !" : ""} --icmp-type ${type}`;
  },
  print(match, numeric) {
    if (match.type === undefined) return " icmp";
    const codes = match.codes;
    // print_icmptype(): unless -n, the first icmp_codes name of exactly this type and code range; else "type N" after the `!`, then the code or codes.
    const [first, last] = codes ? [codes.first, codes.last] : [0, 255];
    const name = numeric ? undefined : ICMP_CODES.find(([, type, min, max]) => type === match.type && min === first && max === last)?.[0];
    if (name !== undefined) return ` icmp ${match.invert ? "!" : ""}${name}`;
    const codeText = first === last ? ` code ${first}` : first === 0 && last === 255 ? "" : ` codes ${first}-${last}`;
    return ` icmp${match.invert ? " !" : ""}type ${match.type}${codeText}`;
  },
};
