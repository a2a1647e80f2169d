// iptables' icmp match (extensions/libipt_icmp.c: icmp_opts, icmp_parse with
// the icmp_codes table of libxt_icmp.h, icmp_save, icmp_print /
// print_icmptype). Its packet test is the kernel's ipt_icmp
// (src/net/netfilter/xt-tcpudp.ts).
import type { Match, PortRange } from "../../model/netfilter.js";
import { xtablesStrtoui } from "./protocols.js";
import { mustBeSpecified, option, type XtablesMatch } from "./xtables.js";

type IcmpMatch = Extract<Match, { kind: "icmp" }>;

const NAME = "icmp";

/** icmp_codes: "TYPE" or "TYPE/CODE" to the name -L prints (the first name of each). */
const ICMP_TYPE_NAMES: Readonly<Record<string, string>> = {
  "0": "echo-reply",
  "3": "destination-unreachable",
  "3/0": "network-unreachable",
  "3/1": "host-unreachable",
  "3/2": "protocol-unreachable",
  "3/3": "port-unreachable",
  "4": "source-quench",
  "5": "redirect",
  "8": "echo-request",
  "9": "router-advertisement",
  "10": "router-solicitation",
  "11": "time-exceeded",
  "12": "parameter-problem",
  "13": "timestamp-request",
  "14": "timestamp-reply",
  "17": "address-mask-request",
  "18": "address-mask-reply",
};

/** The names --icmp-type takes: icmp_codes' with their aliases. */
const ICMP_TYPES_BY_NAME: ReadonlyMap<string, { type: number; code?: number }> = new Map([
  ...Object.entries(ICMP_TYPE_NAMES).map(([key, name]) => {
    const [type, code] = key.split("/");
    return [name, { type: Number(type), ...(code === undefined ? {} : { code: Number(code) }) }] as const;
  }),
  ["any", { type: 255 }],
  ["ping", { type: 8 }],
  ["pong", { type: 0 }],
  ["ttl-exceeded", { type: 11 }],
]);

export const libiptIcmp: XtablesMatch<IcmpMatch> = {
  name: NAME,
  description: "`icmp`",
  protocolMatch: 1,
  options: [option("icmp-type", true, true)],
  parse(values, context) {
    const type = values.get("icmp-type");
    if (!type) throw mustBeSpecified(context, NAME, "icmp-type");
    const text = type.value!;
    const named = ICMP_TYPES_BY_NAME.get(text.toLowerCase());
    let parsed: { type: number; codes?: PortRange } | undefined = named ? { type: named.type, ...(named.code !== undefined ? { codes: { first: named.code, last: named.code } } : {}) } : undefined;
    if (!parsed) {
      // TYPE[/CODE[:CODE]], each 0-255.
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
      parsed = { type: number, ...(codes && !(codes.first === 0 && codes.last === 255) ? { codes } : {}) };
    }
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
    // print_icmptype(): the icmp_codes name of the type and code (not of a range of codes) unless -n; else "type N" after the `!`, then the code or codes.
    const name = numeric || (codes && codes.first !== codes.last) ? undefined : match.type === 255 ? "any" : ICMP_TYPE_NAMES[codes ? `${match.type}/${codes.first}` : String(match.type)];
    if (name !== undefined) return ` icmp ${match.invert ? "!" : ""}${name}`;
    const codeText = !codes ? "" : codes.first === codes.last ? ` code ${codes.first}` : ` codes ${codes.first}-${codes.last}`;
    if (numeric) return ` icmp${match.invert ? " !" : ""}type ${match.type}${codeText}`;
    return ` icmp ${match.invert ? "!" : ""}type ${match.type}${codeText}`;
  },
};
