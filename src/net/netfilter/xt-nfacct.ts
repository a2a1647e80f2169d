// The nfacct match (net/netfilter/xt_nfacct.c: nfacct_mt): counts the packet
// into the named nfnetlink_acct object and always matches. The model has no
// nfacct objects: checkentry (nfacct_mt_checkentry) finds none and refuses
// the rule with ENOENT, as the kernel does without `nfacct add NAME`, so a
// rule of this kind never reaches a table.
import type { Match } from "../../model/netfilter.js";
import type { XtMatch } from "./xt-match-context.js";

export const xtNfacct: XtMatch<Extract<Match, { kind: "nfacct" }>> = {
  needsConntrack: false,
  checkentry: () => "ENOENT",
  match: () => true,
  mismatch: () => "",
};
