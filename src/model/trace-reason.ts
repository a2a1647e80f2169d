// What the engine reports for each traced step instead of a sentence: a
// code and the data a sentence needs, captured when the step happened. The
// engine (src/net) builds no text for a trace; src/render/trace-why.ts turns
// each reason into the sentence a learner reads (a TraceStep's `why`).
import type { Ipv4Address } from "./address.js";
import type { ConntrackTuple } from "./conntrack.js";
import type { Errno } from "./errno.js";
import type { MacAddress } from "./mac.js";
import type { NeighbourState } from "./neighbour.js";
import type { HookName, Target } from "./netfilter.js";
import type { Route } from "./route.js";

/**
 * The route a lookup chose and its equals, with the device names the
 * sentence shows: a name, the ifindex when the device is gone, undefined when
 * the route has no device.
 */
export interface RouteChoice {
  readonly table: string;
  readonly route: Route;
  readonly candidates: readonly Route[];
  readonly chosenDevice: string | number | undefined;
  /** Each candidate's device, in `candidates`' order. */
  readonly candidateDevices: readonly (string | number | undefined)[];
}

/** fib_validate_source() and ip_route_input_slow()'s martian cases. */
export type MartianCause =
  | { readonly cause: "own-source"; readonly source: Ipv4Address; readonly device: string }
  | { readonly cause: "rp-filter-strict"; readonly source: Ipv4Address; readonly device: string }
  | { readonly cause: "rp-filter-loose"; readonly source: Ipv4Address }
  | { readonly cause: "localnet"; readonly side: "source" | "destination"; readonly device: string }
  /** ip_route_input_slow(): 0.0.0.0 may only send to the limited broadcast. */
  | { readonly cause: "zero-source"; readonly device: string };

/** nf_conntrack_in()'s outcome for a packet (the engine's return value too: a constant, no allocation). */
export type ConntrackInResult =
  | "already-tracked"
  | "untracked"
  | "related-unknown"
  | "related"
  | "reply"
  | "original-established"
  | "original-new"
  | "invalid-tcp"
  | "invalid-reply"
  | "new";

/**
 * Why an iptables rule did not match: the ipt_ip part's field that failed,
 * or the match module that refused, with what it saw (values read when the
 * rule was tested: a counter or set may change later).
 */
export type MatchMismatch =
  // ip_packet_match()
  | { readonly match: "ip-address"; readonly side: "source" | "destination"; readonly address: Ipv4Address; readonly invert: boolean; readonly selector: Ipv4Address; readonly mask: Ipv4Address | undefined; readonly prefixLength: number | undefined }
  | { readonly match: "ip-interface"; readonly side: "in-interface" | "out-interface"; readonly name: string | undefined; readonly invert: boolean; readonly pattern: string }
  | { readonly match: "ip-protocol"; readonly protocol: string; readonly invert: boolean; readonly number: number }
  // xt_tcpudp, icmp_match, xt_multiport
  | { readonly match: "tcp-udp-protocol"; readonly kind: "tcp" | "udp" }
  | { readonly match: "tcp-udp-port"; readonly side: "source" | "destination"; readonly port: number; readonly invert: boolean; readonly first: number; readonly last: number }
  | { readonly match: "tcp-flags"; readonly bits: number; readonly mask: number; readonly compare: number; readonly holds: boolean }
  | { readonly match: "icmp"; readonly type: number | undefined; readonly code: number | undefined }
  /** ip6t_icmp6: the packet is IPv4 (netsim carries no other). */
  | { readonly match: "icmp6" }
  | { readonly match: "multiport"; readonly side: "source" | "destination"; readonly port: number | undefined; readonly invert: boolean }
  // xt_state, xt_conntrack
  | { readonly match: "state"; readonly state: string; readonly invert: boolean; readonly states: readonly string[] }
  | { readonly match: "ctstate"; readonly bits: readonly string[]; readonly invert: boolean; readonly states: readonly string[] }
  | { readonly match: "ct-no-entry" }
  | { readonly match: "ctdir"; readonly direction: "ORIGINAL" | "REPLY" }
  | { readonly match: "ct-address"; readonly option: string; readonly address: Ipv4Address }
  | { readonly match: "ctproto"; readonly protocol: number }
  | { readonly match: "ct-port"; readonly option: string; readonly port: number }
  | { readonly match: "ctstatus"; readonly status: number }
  | { readonly match: "ctexpire"; readonly seconds: number }
  // xt_addrtype, xt_physdev, xt_iprange, xt_owner
  | { readonly match: "addrtype"; readonly side: "source" | "destination"; readonly type: string; readonly invert: boolean; readonly types: readonly string[] }
  | { readonly match: "physdev-not-bridged" }
  | { readonly match: "physdev-bridged"; readonly bridged: boolean }
  | { readonly match: "physdev-is-in" }
  | { readonly match: "physdev-is-out" }
  | { readonly match: "physdev-port"; readonly side: "in" | "out"; readonly port: string | undefined }
  | { readonly match: "iprange"; readonly side: "source" | "destination"; readonly address: Ipv4Address; readonly invert: boolean; readonly first: Ipv4Address; readonly last: Ipv4Address }
  | { readonly match: "owner"; readonly cause: "kernel" | "no-socket" | "has-socket" }
  | { readonly match: "owner-id"; readonly which: "uid" | "gid"; readonly id: number }
  // xt_statistic, xt_mark, xt_set, xt_limit, xt_recent, xt_connlimit
  | { readonly match: "statistic-random"; readonly invert: boolean; readonly probability: number }
  | { readonly match: "statistic-nth"; readonly invert: boolean; readonly packet: number; readonly every: number }
  | { readonly match: "mark"; readonly mark: number }
  | { readonly match: "set"; readonly name: string; readonly invert: boolean; readonly returnNomatch: boolean; readonly element: { readonly port: number } | { readonly ip: Ipv4Address; readonly protocol: number | undefined; readonly port: number | undefined } | undefined }
  | { readonly match: "limit"; readonly credit: number; readonly cost: number }
  | { readonly match: "recent"; readonly name: string; readonly address: Ipv4Address; readonly invert: boolean; readonly mode: string; readonly seconds: number | undefined; readonly hitcount: number | undefined }
  | { readonly match: "connlimit"; readonly count: number; readonly side: "source" | "destination"; readonly prefixLength: number; readonly upto: boolean; readonly limit: number }
  /** xt_comment, xt_nfacct: they always match. */
  | { readonly match: "none" };

/** One iptables rule's (or chain end's, or policy's) part in the walk. */
export type IptEvent =
  | { readonly event: "policy"; readonly policy: string }
  | { readonly event: "chain-end"; readonly caller: string }
  | { readonly event: "mismatch"; readonly ruleNumber: number; readonly mismatch: MatchMismatch }
  | { readonly event: "counts"; readonly ruleNumber: number }
  | { readonly event: "verdict"; readonly ruleNumber: number; readonly target: "ACCEPT" | "DROP" }
  | { readonly event: "return"; readonly ruleNumber: number; readonly caller: string | undefined }
  | { readonly event: "jump"; readonly ruleNumber: number; readonly goto: boolean; readonly chain: string }
  | { readonly event: "reject"; readonly ruleNumber: number; readonly with: string; readonly to: Ipv4Address }
  | { readonly event: "log"; readonly ruleNumber: number; readonly target: Extract<Target, { kind: "LOG" }>; readonly in: string | undefined; readonly out: string | undefined }
  | { readonly event: "mark"; readonly ruleNumber: number; readonly mark: number }
  | { readonly event: "set"; readonly ruleNumber: number; readonly add: string | undefined; readonly del: string | undefined; readonly map: string | undefined; readonly mappedMark: number | undefined }
  | { readonly event: "nat-no-address"; readonly ruleNumber: number; readonly target: string }
  | { readonly event: "nat"; readonly ruleNumber: number; readonly target: string };

/** One nft rule's (or chain end's, or policy's) part in the walk. */
export type NftEvent =
  | { readonly event: "policy"; readonly policy: string }
  | { readonly event: "chain-end"; readonly caller: string }
  | { readonly event: "mismatch"; readonly ruleText: string }
  | { readonly event: "next" }
  | { readonly event: "reject" }
  | { readonly event: "nat-no-address"; readonly statement: string }
  | { readonly event: "nat"; readonly statement: string }
  | { readonly event: "accept"; readonly base: string }
  | { readonly event: "drop" }
  | { readonly event: "continue" }
  | { readonly event: "return"; readonly caller: string | undefined; readonly base: string }
  | { readonly event: "jump"; readonly kind: "jump" | "goto"; readonly chain: string };

export type TraceReason =
  // net/core/dev.c, drivers/net/veth.c, dummy
  | { readonly code: "device-down"; readonly device: string }
  | { readonly code: "dummy-xmit"; readonly device: string }
  | { readonly code: "veth-peer-down"; readonly device: string; readonly peer: string | undefined }
  | { readonly code: "veth-xmit"; readonly device: string; readonly peer: string; /** The peer's namespace, when it is another one. */ readonly peerNamespace: string | undefined }
  | { readonly code: "otherhost"; readonly destination: MacAddress; readonly device: string; readonly deviceMac: MacAddress }
  // net/core/neighbour.c, net/ipv4/arp.c
  | { readonly code: "neigh-known"; readonly address: Ipv4Address; readonly mac: MacAddress; readonly state: NeighbourState }
  | { readonly code: "neigh-resolve"; readonly address: Ipv4Address; readonly device: string }
  | { readonly code: "neigh-queued"; readonly address: Ipv4Address }
  | { readonly code: "arp-request"; readonly target: Ipv4Address; readonly sender: Ipv4Address; readonly probe: number; readonly probes: number }
  | { readonly code: "neigh-failed"; readonly probes: number; readonly address: Ipv4Address; readonly device: string; readonly queued: number }
  | { readonly code: "arp-reply" }
  | { readonly code: "arp-martian"; readonly martian: MartianCause }
  | { readonly code: "arp-ignore"; readonly device: string; readonly arpIgnore: number }
  | { readonly code: "arp-not-local" }
  | { readonly code: "arp-answer"; readonly ownedHere: boolean; readonly device: string; readonly mac: MacAddress }
  // net/bridge
  | { readonly code: "br-port-down"; readonly port: string; readonly bridge: string; readonly bridgeUp: boolean }
  | { readonly code: "br-nf-call-iptables"; readonly bridge: string; readonly port: string }
  | { readonly code: "br-frame-enters"; readonly bridge: string; readonly port: string; readonly nfBridge: boolean; readonly learned: "off" | "local" | "learned" | "refreshed"; readonly mac: MacAddress }
  | { readonly code: "br-pass-up"; readonly bridge: string; readonly promisc: boolean }
  | { readonly code: "br-no-hairpin"; readonly bridge: string; readonly port: string; readonly mac: MacAddress }
  | { readonly code: "br-isolated"; readonly bridge: string; readonly ingress: string; readonly port: string }
  | { readonly code: "br-port-not-forwarding"; readonly port: string }
  | { readonly code: "br-forward"; readonly bridge: string; readonly port: string; readonly mac: MacAddress; readonly hairpin: boolean }
  | { readonly code: "br-flood"; readonly bridge: string; readonly mac: MacAddress; readonly cause: "broadcast" | "unknown"; readonly ports: readonly string[] }
  | { readonly code: "br-nf-dnat-refused"; readonly bridge: string; readonly destination: Ipv4Address; readonly forwardingOff: boolean }
  | { readonly code: "br-nf-dnat-routed"; readonly bridge: string; readonly destination: Ipv4Address; readonly mac: MacAddress }
  | { readonly code: "br-nf-dnat-bridged"; readonly bridge: string; readonly destination: Ipv4Address; readonly port: string; readonly mac: MacAddress | undefined; readonly nexthop: Ipv4Address }
  // net/ipv4: routing, input, forwarding, output
  | { readonly code: "route-output"; readonly choice: RouteChoice; readonly source: Ipv4Address }
  | { readonly code: "route-output-broadcast"; readonly destination: string }
  | { readonly code: "route-output-no-route"; readonly destination: string }
  | { readonly code: "route-output-refused"; readonly destination: string; readonly errno: Errno }
  | { readonly code: "ip-rcv"; readonly device: string; readonly prerouted: boolean }
  | { readonly code: "route-local"; readonly broadcast: boolean }
  | { readonly code: "route-forward"; readonly choice: RouteChoice }
  | { readonly code: "forwarding-off"; readonly device: string }
  | { readonly code: "martian"; readonly martian: MartianCause }
  /** `rule`: the policy rule whose own action (blackhole, unreachable, prohibit) ended the lookup. */
  | { readonly code: "route-error"; readonly errno: Errno; readonly rule?: { readonly priority: number; readonly action: string } }
  | { readonly code: "ttl-expired" }
  | { readonly code: "ip-forward"; readonly ingress: string; readonly out: string }
  | { readonly code: "dnat-no-route"; readonly localnet: boolean; readonly device: string | undefined; readonly mark?: number }
  | { readonly code: "dnat-rerouted"; readonly device: string; readonly mark?: number }
  | { readonly code: "ip-output"; readonly device: string; readonly nexthop: Ipv4Address; readonly onLink: boolean }
  // net/ipv4/icmp.c
  | { readonly code: "icmp-echo-broadcast-ignored" }
  | { readonly code: "icmp-echo-ignored" }
  | { readonly code: "icmp-no-socket" }
  | { readonly code: "icmp-to-socket" }
  | { readonly code: "icmp-echo-no-route-back" }
  | { readonly code: "icmp-echo-reply"; readonly out: string }
  | { readonly code: "icmp-error-no-route" }
  | { readonly code: "icmp-error-sent"; readonly type: number; readonly icmpCode: number; readonly to: Ipv4Address }
  // transport: net/ipv4/udp.c, tcp_ipv4.c
  | { readonly code: "udp-listener"; readonly port: number }
  | { readonly code: "udp-no-socket"; readonly port: number }
  | { readonly code: "tcp-refused" }
  | { readonly code: "tcp-accepted" }
  | { readonly code: "tcp-server-segment"; readonly data: boolean }
  | { readonly code: "tcp-last-ack" }
  | { readonly code: "tcp-fin-ack" }
  | { readonly code: "tcp-client-segment"; readonly fin: boolean; readonly data: boolean }
  | { readonly code: "tcp-syn-retransmit" }
  | { readonly code: "tcp-listener"; readonly port: number }
  | { readonly code: "tcp-no-socket"; readonly port: number; readonly address: Ipv4Address }
  | { readonly code: "connect-no-route"; readonly host: string }
  // netfilter
  | { readonly code: "iptables"; readonly hook: HookName; readonly table: string; readonly chain: string; readonly step: IptEvent }
  | { readonly code: "nft"; readonly hook: HookName; readonly family: string; readonly table: string; readonly chain: string; readonly handle: number | undefined; readonly step: NftEvent }
  | { readonly code: "conntrack-in"; readonly hook: HookName; readonly result: ConntrackInResult; readonly entryId: number | undefined }
  | { readonly code: "conntrack-confirm"; readonly hook: HookName; readonly entryId: number }
  | { readonly code: "nat-no-tuple"; readonly hook: HookName; readonly manip: "source" | "destination" }
  | { readonly code: "nat-bound"; readonly hook: HookName; readonly entryId: number; readonly reply: ConntrackTuple }
  | { readonly code: "nat-rewrite"; readonly hook: HookName; readonly manip: "source" | "destination"; readonly byRule: boolean; readonly entryId: number; readonly direction: "original" | "reply" | undefined }
  /** netsim's flow cache; `decided`: the rules and policies of the replayed walks that decided (0: no walk on the path decides). */
  | { readonly code: "flow-cache"; readonly entryId: number; readonly natted: boolean; readonly out: string; readonly decided: number };
