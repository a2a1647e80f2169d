// iptables' addrtype match, revision 1 (extensions/libxt_addrtype.c:
// addrtype_opts_v1, addrtype_parse_v1 with parse_types, addrtype_check,
// addrtype_save_v1, addrtype_print_v1). Its packet test is the kernel's
// xt_addrtype (src/net/netfilter/xt-addrtype.ts).
import type { AddressType, Match } from "../../model/netfilter.js";
import { option, notTogether, type XtablesMatch, type XtablesParseContext } from "./xtables.js";

type AddrtypeMatch = Extract<Match, { kind: "addrtype" }>;

const NAME = "addrtype";

/** rtn_names, the order of the RTN_* values. */
const ADDRESS_TYPES = new Set<AddressType>(["UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST", "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE"]);

/** parse_types(): names (any case) joined by commas. */
function types(context: Pick<XtablesParseContext, "problem">, text: string): AddressType[] {
  return text.split(",").map((name) => {
    const upper = name.toUpperCase() as AddressType;
    if (!ADDRESS_TYPES.has(upper)) throw context.problem(`${NAME}: bad type "${name}"`);
    return upper;
  });
}

export const libxtAddrtype: XtablesMatch<AddrtypeMatch> = {
  name: NAME,
  description: "`addrtype`",
  options: [option("src-type", true, true), option("dst-type", true, true), option("limit-iface-in", false), option("limit-iface-out", false)],
  readOption(name, value, _invert, reader) {
    // addrtype_parse_v1() reads the types when the option is given.
    if (name === "src-type" || name === "dst-type") types(reader, value!);
    return false;
  },
  parse(values, context) {
    const sourceType = values.get("src-type");
    const destinationType = values.get("dst-type");
    // addrtype_check() (x6_fcheck), then the options' exclusion.
    if (!sourceType && !destinationType) throw context.problem(`${NAME}: you must specify --src-type or --dst-type`);
    if (values.has("limit-iface-in") && values.has("limit-iface-out")) throw notTogether(context, NAME, "limit-iface-in", "limit-iface-out");
    return {
      kind: "addrtype",
      ...(sourceType ? { sourceType: types(context, sourceType.value!), sourceInvert: sourceType.invert } : {}),
      ...(destinationType ? { destinationType: types(context, destinationType.value!), destinationInvert: destinationType.invert } : {}),
      ...(values.has("limit-iface-in") ? { limitInterfaceIn: true } : {}),
      ...(values.has("limit-iface-out") ? { limitInterfaceOut: true } : {}),
    };
  },
  save(match) {
    let text = "";
    if (match.sourceType) text += `${match.sourceInvert ? " !" : ""} --src-type ${match.sourceType.join(",")}`;
    if (match.destinationType) text += `${match.destinationInvert ? " !" : ""} --dst-type ${match.destinationType.join(",")}`;
    if (match.limitInterfaceIn) text += " --limit-iface-in";
    if (match.limitInterfaceOut) text += " --limit-iface-out";
    return text;
  },
  print(match) {
    let text = " ADDRTYPE match";
    if (match.sourceType) text += ` src-type ${match.sourceInvert ? "!" : ""}${match.sourceType.join(",")}`;
    if (match.destinationType) text += ` dst-type ${match.destinationInvert ? "!" : ""}${match.destinationType.join(",")}`;
    if (match.limitInterfaceIn) text += " limit-in";
    if (match.limitInterfaceOut) text += " limit-out";
    return text;
  },
};
