// A probe's trace: typed steps, each saying where it happened (namespace,
// device, kernel stage), what decided (route, FDB entry, neighbour, sysctl,
// netfilter rule), the packet before and after, and why. The CLI, JSON,
// explainer and UI all render these same records; the final disposition is
// read from the steps, not stored beside them.
import type { Ipv4Address } from "./address.js";
import type { DropReason } from "./drop-reason.js";
import type { MacAddress } from "./mac.js";
import type { NeighbourState } from "./neighbour.js";
import type { ArpMessage, Ipv4Packet } from "./packet.js";
import type { Route } from "./route.js";
import type { Rule } from "./netfilter.js";
import type { SourceLocation } from "./location.js";
import type { ConntrackTuple } from "./conntrack.js";
import type { MatchMismatch, TraceReason } from "./trace-reason.js";

/** The kernel function (or netfilter hook) a step stands for. */
export type TraceStage =
  | "ip_route_output" /* fib lookup for a locally generated packet */
  | "ip_route_input" /* fib lookup for a received packet */
  | "ip_output"
  | "ip_finish_output" /* hand to the neighbour layer */
  | "neigh_resolve_output"
  | "arp_send"
  | "arp_rcv"
  | "neigh_update"
  | "neigh_timer" /* retransmit or give up */
  | "dev_queue_xmit"
  | "veth_xmit"
  | "netif_receive"
  | "br_handle_frame"
  | "br_handle_frame_finish" /* after br_netfilter's PREROUTING: learning and the FDB lookup */
  | "br_nf_pre_routing_finish" /* PREROUTING changed the destination: bridged DNAT or routed */
  | "br_forward"
  | "br_flood"
  | "br_pass_frame_up"
  | "ip_rcv"
  | "ip_forward"
  | "netsim_flow_cache" /* not a kernel path: netsim's own per-flow cache of the slow path's decision (net/netfilter/nf-flow-table.ts) */
  | "ip_local_deliver"
  | "icmp_rcv"
  | "icmp_send"
  | "nf_hook"
  | "tcp_v4_rcv"
  | "udp_rcv"
  | "socket_deliver";

export type Verdict = "continue" | "deliver" | "drop" | "queue";

export type Decision =
  | {
      readonly kind: "route";
      readonly table: string;
      /** Every route for the winning prefix, in the kernel's order; the first usable one wins. */
      readonly candidates: readonly Route[];
      readonly chosen: Route;
      readonly source?: Ipv4Address;
      readonly nexthop: Ipv4Address;
    }
  /** No route; `rule` when a policy rule's own verdict (blackhole, prohibit, unreachable) said so. */
  | { readonly kind: "no-route"; readonly destination: Ipv4Address; readonly rule?: { readonly priority: number; readonly action: string } }
  | { readonly kind: "fdb"; readonly mac: MacAddress; readonly port?: string; readonly how: "learned" | "local" | "flood" | "known" }
  | { readonly kind: "neighbour"; readonly address: Ipv4Address; readonly state: NeighbourState; readonly mac?: MacAddress }
  | { readonly kind: "sysctl"; readonly key: string; readonly value: string }
  | { readonly kind: "link"; readonly device: string; readonly state: string }
  | {
      readonly kind: "netfilter";
      readonly table: string;
      readonly chain: string;
      /** 1-based rule number in the chain, absent when the policy decided. */
      readonly ruleNumber?: number;
      readonly ruleText?: string;
      readonly target: string;
      /** Why the rule did not match this packet; absent when it matched (or the policy decided). */
      readonly mismatch?: string;
      /** The chain's index passed the rule by: its destination (-d A/32) cannot be the packet's, so no match of it ran. */
      readonly skippedByIndex?: boolean;
      readonly origin?: SourceLocation;
      /** The hook's in and out devices (what -i and -o match), where it has them. */
      readonly in?: string;
      readonly out?: string;
    }
  | { readonly kind: "conntrack"; readonly state: string; readonly entry: string };

export interface TraceStep {
  /** Virtual time in microseconds since the probe started. */
  readonly time: number;
  /** Namespace name ("" for the scenario's own namespace). */
  readonly namespace: string;
  readonly device?: string;
  readonly stage: TraceStage;
  /** Which frame this step concerns (ids are per simulation). */
  readonly frameId?: number;
  readonly packet?: Ipv4Packet;
  /** The packet after this step changed it (NAT, TTL). */
  readonly packetAfter?: Ipv4Packet;
  readonly arp?: ArpMessage;
  readonly decision?: Decision;
  readonly verdict: Verdict;
  readonly dropReason?: DropReason;
  /** One sentence a learner can read. */
  readonly why: string;
}

/**
 * A conntrack decision as the engine reports it: the entry's id and its
 * tuples as they stood at the step (tuples are immutable; NAT replaces the
 * reply tuple), undefined with no entry. The renderer writes the text.
 */
export interface ConntrackEntryView {
  readonly id: number;
  readonly original: ConntrackTuple;
  readonly reply: ConntrackTuple;
}

/**
 * A netfilter decision as the engine reports it: the parts the renderer
 * spells (an nft table as family and name, the rule as its chain and spec or
 * its nft text and handle, a jump's target, why the rule did not match).
 */
export type NetfilterRecordDecision = Omit<Extract<Decision, { kind: "netfilter" }>, "table" | "ruleText" | "target" | "mismatch"> & {
  /** An iptables table's name, or an nft table (shown "FAMILY NAME"). */
  readonly table: string | { readonly family: string; readonly name: string };
  /** iptables: `-A CHAIN SPEC`; nft: `TEXT # handle N`. */
  readonly ruleText?: { readonly chain: string; readonly rule: Rule } | { readonly text: string; readonly handle: number };
  /** A target or verdict name, or an nft jump or goto (shown "jump CHAIN"). */
  readonly target: string | { readonly kind: "jump" | "goto"; readonly chain: string };
  readonly mismatch?: MatchMismatch;
};

/** A sysctl decision as the engine reports it: a per-device conf key as its parts (shown net.ipv4.conf.DEVICE.NAME). */
export interface SysctlRecordDecision {
  readonly kind: "sysctl";
  readonly key: string | { readonly conf: string; readonly device: string };
  readonly value: string;
}

export type RecordDecision =
  | Exclude<Decision, { kind: "conntrack" | "netfilter" | "sysctl" }>
  | NetfilterRecordDecision
  | SysctlRecordDecision
  | { readonly kind: "conntrack"; readonly state: string; readonly entry: ConntrackEntryView | undefined };

/**
 * A step as the engine (src/net) reports it to a traced simulation: typed
 * data only, no text. Its keys are a TraceStep's in the same order, with
 * `reason` where the step has `why`; src/render/trace-why.ts makes the
 * TraceStep (the sentence, the conntrack entry's text).
 */
export interface TraceRecord extends Omit<TraceStep, "why" | "decision"> {
  readonly decision?: RecordDecision;
  readonly reason: TraceReason;
}

export interface Trace {
  /** The command line that sent the probe. */
  readonly probe: string;
  readonly namespace: string;
  readonly steps: readonly TraceStep[];
}
