// The extensions this iptables has, as libxtables registers them when
// iptables loads extensions/libxt_*.so and libipt_*.so
// (xtables_register_match, xtables_register_target): one module per
// extension, each owning its options, parse, checks, save and print texts
// (xtables.ts). Adding an extension is adding it here. The order is the
// README's (its netfilter row is generated from these descriptions).
import { libip6tIcmp6 } from "./libip6t-icmp6.js";
import { libiptIcmp } from "./libipt-icmp.js";
import { libiptLog } from "./libipt-log.js";
import { libiptREJECT } from "./libipt-REJECT.js";
import { libxtAddrtype } from "./libxt-addrtype.js";
import { libxtComment } from "./libxt-comment.js";
import { libxtConnlimit } from "./libxt-connlimit.js";
import { libxtConntrack } from "./libxt-conntrack.js";
import { libxtIprange } from "./libxt-iprange.js";
import { libxtLimit } from "./libxt-limit.js";
import { libxtMark, libxtMARK } from "./libxt-mark.js";
import { libxtMultiport } from "./libxt-multiport.js";
import { libxtDNAT, libxtMASQUERADE, libxtREDIRECT, libxtSNAT } from "./libxt-NAT.js";
import { libxtNfacct } from "./libxt-nfacct.js";
import { libxtOwner } from "./libxt-owner.js";
import { libxtPhysdev } from "./libxt-physdev.js";
import { libxtRecent } from "./libxt-recent.js";
import { libxtSet, libxtSET } from "./libxt-set.js";
import { libxtStandard } from "./libxt-standard.js";
import { libxtState } from "./libxt-state.js";
import { libxtStatistic } from "./libxt-statistic.js";
import { libxtTcp } from "./libxt-tcp.js";
import { libxtUdp } from "./libxt-udp.js";
import type { XtablesMatch, XtablesTarget } from "./xtables.js";

export const MATCHES: readonly XtablesMatch[] = [
  libxtTcp,
  libxtUdp,
  libiptIcmp,
  libip6tIcmp6,
  libxtMultiport,
  libxtConntrack,
  libxtState,
  libxtAddrtype,
  libxtPhysdev,
  libxtComment,
  libxtMark,
  libxtStatistic,
  libxtLimit,
  libxtRecent,
  libxtIprange,
  libxtConnlimit,
  libxtOwner,
  libxtNfacct,
  libxtSet,
] as readonly XtablesMatch[];

export const TARGETS: readonly XtablesTarget[] = [
  ...libxtStandard,
  libiptREJECT,
  libxtMASQUERADE,
  libxtSNAT,
  libxtDNAT,
  libxtREDIRECT,
  libxtMARK,
  libiptLog,
  libxtSET,
] as readonly XtablesTarget[];

/** What the netfilter row says of the rule's own tests (iptables' ipt_entry: no extension). */
const CORE_MATCHES = "`-s -d -i -o -p` (with `!`)";

/** The README netfilter row's "matches ...; targets ...", from the modules' descriptions. */
export function readmeExtensionList(): string {
  const matches = [CORE_MATCHES, ...MATCHES.map((module) => module.description)].join(", ");
  const targets = TARGETS.map((module) => module.description).join(", ");
  return `matches ${matches}; targets ${targets}`;
}

const MATCH_BY_NAME = new Map(MATCHES.map((module) => [module.name, module]));
const TARGET_BY_NAME = new Map(TARGETS.map((module) => [module.name, module]));

/** The match module of `-m NAME`, which is also the module of a Match of that kind. */
export function matchExtension(name: string): XtablesMatch | undefined {
  return MATCH_BY_NAME.get(name);
}

/** The target module of `-j NAME`, which is also the module of a Target of that kind. */
export function targetExtension(name: string): XtablesTarget | undefined {
  return TARGET_BY_NAME.get(name);
}

/** The family an extension is for: libipt_* NFPROTO_IPV4, libip6t_* NFPROTO_IPV6, libxt_* both. */
const IPV4_ONLY: ReadonlySet<string> = new Set(["icmp"]);
const IPV6_ONLY: ReadonlySet<string> = new Set(["icmp6"]);
/** Extensions both families have whose ip6tables side netsim does not model (IPv6 sets, address ranges and tables of addresses): refused by name. */
export const UNMODELLED_IN_IPV6: ReadonlySet<string> = new Set(["set", "SET", "iprange", "recent", "connlimit", "nfacct"]);

/** Whether the family's iptables loads this extension (libxtables loads only its family's and NFPROTO_UNSPEC ones). */
export function extensionInFamily(name: string, family: "ipv6" | undefined): boolean {
  return family === "ipv6" ? !IPV4_ONLY.has(name) : !IPV6_ONLY.has(name);
}

/** command_default(): the match a -p protocol brings with it (libxt_tcp for tcp, ...), of the family's extensions. */
export function matchForProtocol(protocol: number, family?: "ipv6"): XtablesMatch | undefined {
  return MATCHES.find((module) => module.protocolMatch === protocol && extensionInFamily(module.name, family));
}

/** Extensions a real iptables has that netsim does not model: refused by name, never silently. */
export const UNMODELLED_MATCHES: ReadonlySet<string> = new Set([
  "string", "mac", "length", "ttl", "tos", "dscp", "hashlimit", "connmark", "connbytes", "helper", "pkttype",
  "u32", "time", "socket", "policy", "rpfilter", "devgroup", "cpu", "quota", "ecn", "esp", "ah", "sctp", "dccp", "udplite", "tcpmss", "realm",
  "cgroup", "bpf", "ipvs", "cluster", "hl", "frag", "ipv6header", "osf", "l2tp", "ipcomp", "rateest", "bridge", "mh", "dst", "hbh", "rt", "osf", "connlabel", "state2",
]);
export const UNMODELLED_TARGETS: ReadonlySet<string> = new Set([
  "NFLOG", "ULOG", "CT", "NOTRACK", "TCPMSS", "CONNMARK", "TPROXY", "NETMAP", "CHECKSUM", "TOS", "DSCP", "TTL", "HL", "CLASSIFY", "NFQUEUE", "QUEUE",
  "AUDIT", "TRACE", "CLUSTERIP", "SECMARK", "CONNSECMARK", "IDLETIMER", "LED", "HMARK", "RATEEST", "TEE", "SYNPROXY", "ECN", "TCPOPTSTRIP", "SNPT", "DNPT",
]);
