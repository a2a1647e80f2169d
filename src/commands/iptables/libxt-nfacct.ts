// iptables' nfacct match (extensions/libxt_nfacct.c: nfacct_opts,
// nfacct_parse, nfacct_save, nfacct_print). The kernel refuses the rule while
// no accounting object of that name exists (net/netfilter/xt-nfacct.ts).
import type { Match } from "../../model/netfilter.js";
import { NFACCT_NAME_MAX } from "../../net/index.js";
import { mustBeSpecified, option, type XtablesMatch } from "./xtables.js";

const NAME = "nfacct";

export const libxtNfacct: XtablesMatch<Extract<Match, { kind: "nfacct" }>> = {
  name: NAME,
  description: "`nfacct --nfacct-name` (counts into an `nfacct add` object; refused without one, as the kernel refuses it)",
  options: [option("nfacct-name")],
  parse(values, context) {
    const value = values.get("nfacct-name");
    if (!value) throw mustBeSpecified(context, NAME, "nfacct-name");
    // The name fills xt_nfacct_match_info's char[NFACCT_NAME_MAX]: a longer one is cut, not refused.
    return { kind: "nfacct", name: value.value!.slice(0, NFACCT_NAME_MAX - 1) };
  },
  save: (match) => ` --nfacct-name  ${match.name}`,
  print: (match) => ` nfacct-name  ${match.name}`,
};
