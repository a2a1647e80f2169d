// iptables' iprange match, revision 1 (extensions/libxt_iprange.c:
// iprange_mt4_parse, iprange_mt_check, iprange_mt4_save, iprange_mt4_print).
import { formatIpv4Address, parseIpv4Address } from "../../model/address.js";
import type { IprangeMatch } from "../../model/netfilter.js";
import { badOptionValue, option, type OptionValue, type XtablesMatch, type XtablesParseContext } from "./xtables.js";

const NAME = "iprange";

/** iprange_parse_range(): FIRST[-LAST]; one address is a range of one. Kept as written. */
function range(context: XtablesParseContext, name: string, value: OptionValue): { first: number; last: number; invert: boolean } {
  const [firstText = "", lastText] = value.value!.split("-", 2);
  const first = parseIpv4Address(firstText);
  const last = lastText === undefined ? first : parseIpv4Address(lastText);
  if (first === undefined || last === undefined) throw badOptionValue(context, NAME, name, value.value!);
  return { first, last, invert: value.invert };
}

function text(item: { first: number; last: number }): string {
  return `${formatIpv4Address(item.first)}-${formatIpv4Address(item.last)}`;
}

export const libxtIprange: XtablesMatch<IprangeMatch> = {
  name: NAME,
  description: "`iprange`",
  options: [option("src-range", true, true), option("dst-range", true, true)],
  parse(values, context) {
    const source = values.get("src-range");
    const destination = values.get("dst-range");
    if (!source && !destination) throw context.problem("iprange match: You must specify `--src-range' or `--dst-range'");
    return {
      kind: "iprange",
      ...(source ? { source: range(context, "src-range", source) } : {}),
      ...(destination ? { destination: range(context, "dst-range", destination) } : {}),
    };
  },
  save(match) {
    let saved = "";
    if (match.source) saved += `${match.source.invert ? " !" : ""} --src-range ${text(match.source)}`;
    if (match.destination) saved += `${match.destination.invert ? " !" : ""} --dst-range ${text(match.destination)}`;
    return saved;
  },
  print(match) {
    let printed = "";
    if (match.source) printed += ` source IP range${match.source.invert ? " !" : ""} ${text(match.source)}`;
    if (match.destination) printed += ` destination IP range${match.destination.invert ? " !" : ""} ${text(match.destination)}`;
    return printed;
  },
};
