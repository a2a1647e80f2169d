// iptables' nfacct match (extensions/libxt_nfacct.c: nfacct_opts,
// nfacct_parse, nfacct_save, nfacct_print). The kernel refuses the rule while
// no accounting object of that name exists (net/netfilter/xt-nfacct.ts).
import type { Match } from "../../model/netfilter.js";
import { mustBeSpecified, option, type XtablesMatch } from "./xtables.js";

const NAME = "nfacct";

export const libxtNfacct: XtablesMatch<Extract<Match, { kind: "nfacct" }>> = {
  name: NAME,
  description: "`nfacct` (refused as the kernel refuses it without the object)",
  options: [option("nfacct-name")],
  parse(values, context) {
    const value = values.get("nfacct-name");
    if (!value) throw mustBeSpecified(context, NAME, "nfacct-name");
    return { kind: "nfacct", name: value.value! };
  },
  save: (match) => ` --nfacct-name  ${match.name}`,
  print: (match) => ` nfacct-name  ${match.name}`,
};
