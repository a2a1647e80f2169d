// The xt matches the model has (the kernel's xt_register_match() table, one
// module per match: net/netfilter/xt_NAME.c), by the kind a rule names.
import type { Match } from "../../model/netfilter.js";
import { xtAddrtype } from "./xt-addrtype.js";
import { xtConnlimit } from "./xt-connlimit.js";
import { xtConntrack, xtState } from "./xt-conntrack.js";
import { xtIprange } from "./xt-iprange.js";
import { xtMark } from "./xt-mark.js";
import { NO_MISMATCH, type MatchContext, type XtMatch } from "./xt-match-context.js";
import { xtMultiport } from "./xt-multiport.js";
import { xtNfacct } from "./xt-nfacct.js";
import { nftLimit } from "./nft-limit.js";
import { xtOwner } from "./xt-owner.js";
import { xtPhysdev } from "./xt-physdev.js";
import { xtSet } from "./xt-set.js";
import { xtRecent } from "./xt-recent.js";
import { xtStatistic } from "./xt-statistic.js";
import { xtIcmp, xtTcpUdp } from "./xt-tcpudp.js";

/** xt_comment: matches every packet; the text is for people. */
const xtComment: XtMatch<Extract<Match, { kind: "comment" }>> = {
  needsConntrack: false,
  match: () => true,
  mismatch: () => NO_MISMATCH,
};

/** ip6t_icmp6: only ip6tables' rules hold it, and no IPv6 packet reaches them (netsim carries IPv4 only). */
const xtIcmp6: XtMatch<Extract<Match, { kind: "icmp6" }>> = {
  needsConntrack: false,
  match: () => false,
  mismatch: () => ({ match: "icmp6" }),
};

type MatchModules = { readonly [K in Match["kind"]]: XtMatch<Extract<Match, { kind: K }>> };

const XT_MATCHES: MatchModules = {
  tcp: xtTcpUdp,
  udp: xtTcpUdp,
  icmp: xtIcmp,
  icmp6: xtIcmp6,
  multiport: xtMultiport,
  conntrack: xtConntrack,
  state: xtState,
  addrtype: xtAddrtype,
  physdev: xtPhysdev,
  comment: xtComment,
  statistic: xtStatistic,
  mark: xtMark,
  set: xtSet,
  limit: nftLimit,
  recent: xtRecent,
  iprange: xtIprange,
  connlimit: xtConnlimit,
  owner: xtOwner,
  nfacct: xtNfacct,
};

/** The module of a match's kind. */
export function xtMatchModule<M extends Match>(match: M): XtMatch<M> {
  return XT_MATCHES[match.kind] as unknown as XtMatch<M>;
}

/** The match function of the match's module. */
export function xtMatch(match: Match, context: MatchContext, ruleNumber: number): boolean {
  return xtMatchModule(match).match(match, context, ruleNumber);
}
