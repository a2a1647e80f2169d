// iptables' connlimit match, revision 1 (extensions/libxt_connlimit.c:
// connlimit_opts, connlimit_parse, connlimit_check, connlimit_save4,
// connlimit_print4). `--connlimit-upto N` is stored as an inverted
// `--connlimit-above N`, and `!` flips between the two.
import type { ConnlimitMatch } from "../../model/netfilter.js";
import { badValue, checkExclusive, option, unsignedValue, type XtablesMatch } from "./xtables.js";

const NAME = "connlimit";
const ORDER = ["connlimit-upto", "connlimit-above", "connlimit-mask", "connlimit-saddr", "connlimit-daddr"];

export const libxtConnlimit: XtablesMatch<ConnlimitMatch> = {
  name: NAME,
  description: "`connlimit`",
  options: [option("connlimit-upto", true, true), option("connlimit-above", true, true), option("connlimit-mask"), option("connlimit-saddr", false), option("connlimit-daddr", false)],
  parse(values, context) {
    let limit: number | undefined;
    let upto = false;
    for (const name of ["connlimit-upto", "connlimit-above"]) {
      const value = values.get(name);
      if (!value) continue;
      const parsed = unsignedValue(value.value!, 0xffffffff);
      if (parsed === undefined) throw badValue(context, NAME, name, 4294967295);
      limit = parsed;
      upto = (name === "connlimit-upto") !== value.invert;
    }
    let prefixLength = 32;
    const mask = values.get("connlimit-mask");
    if (mask) {
      // XTTYPE_PLENMASK takes up to IPv6's 128; the IPv4 mask keeps 32 bits of it.
      const parsed = unsignedValue(mask.value!, 128);
      if (parsed === undefined) throw badValue(context, NAME, "connlimit-mask", 128);
      prefixLength = Math.min(parsed, 32);
    }
    // connlimit_check() (x6_fcheck) before xtables_options_fcheck()'s exclusions.
    if (limit === undefined) throw context.problem('You must specify "--connlimit-above" or "--connlimit-upto".');
    checkExclusive(context, NAME, values, ORDER, { "connlimit-upto": ["connlimit-above"], "connlimit-above": ["connlimit-upto"], "connlimit-saddr": ["connlimit-daddr"], "connlimit-daddr": ["connlimit-saddr"] });
    return { kind: "connlimit", limit, upto, prefixLength, side: values.has("connlimit-daddr") ? "dest" : "source", state: { counted: new Map() } };
  },
  save: (match) => ` --connlimit-${match.upto ? "upto" : "above"} ${match.limit} --connlimit-mask ${match.prefixLength} --connlimit-${match.side === "dest" ? "daddr" : "saddr"}`,
  print: (match) => ` #conn ${match.side === "dest" ? "dst" : "src"}/${match.prefixLength} ${match.upto ? "<=" : ">"} ${match.limit}`,
};
