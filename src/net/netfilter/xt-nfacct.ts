// The nfacct match (net/netfilter/xt_nfacct.c): nfacct_mt counts the packet
// into the named extended accounting object and always matches;
// nfacct_mt_checkentry refuses the rule with ENOENT while no object of that
// name exists in the namespace (`nfacct add NAME` first, as kube-proxy does).
import type { Match } from "../../model/netfilter.js";
import { ipv4TotalLength } from "../../model/packet.js";
import { NO_MISMATCH, type XtMatch } from "./xt-match-context.js";
import { nfnlAcctFind } from "./nfnetlink-acct.js";

export const xtNfacct: XtMatch<Extract<Match, { kind: "nfacct" }>> = {
  needsConntrack: false,
  checkentry: (match, _table, _chain, namespace) => (nfnlAcctFind(namespace, match.name) ? undefined : "ENOENT"),
  match(match, context) {
    // nfnl_acct_update(): the object checkentry found; it outlives the rule (del is EBUSY while held).
    const counters = nfnlAcctFind(context.namespace, match.name);
    if (counters) {
      counters.packets++;
      counters.bytes += ipv4TotalLength(context.packet);
    }
    return true;
  },
  mismatch: () => NO_MISMATCH,
};
