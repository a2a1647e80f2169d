// A probe's path for a diagram, read from its trace: the devices the probe's
// own packets crossed, in order (ARP exchanges left out, consecutive steps on
// one device merged into one hop), where the first packet's journey ended
// (dropped, or delivered back to the probe), and the NAT rewrites on the way.
import { formatIpv4Address } from "../../model/address.js";
import type { Ipv4Packet } from "../../model/packet.js";
import type { Trace, TraceStage, TraceStep } from "../../model/trace.js";
import { describePacket } from "../trace.js";

export interface PathDrop {
  readonly reason?: string;
  readonly why: string;
}

export interface PathHop {
  /** 1-based, in the order the packet got there. */
  readonly number: number;
  /** Namespace name ("" for the scenario's own). */
  readonly namespace: string;
  /** Absent when the packet died before it had a device (no route at all). */
  readonly device?: string;
  readonly stages: readonly TraceStage[];
  /** The packet as it reached this hop. */
  readonly packet?: string;
  /** Address/port rewrites made here, as "dst 192.168.0.100:1234 → 172.18.0.10:11211". */
  readonly rewrites: readonly string[];
  readonly drop?: PathDrop;
  /** The packet reached the probe's socket here. */
  readonly delivered: boolean;
}

export interface ProbePath {
  /** The command line that sent the probe. */
  readonly probe: string;
  readonly namespace: string;
  readonly hops: readonly PathHop[];
}

/** The ends a NAT can change: addresses, ports, and the ICMP echo id (conntrack's "port"). */
function ends(packet: Ipv4Packet): { source: string; destination: string } {
  const transport = packet.transport;
  if (transport.protocol === "icmp") {
    const id = transport.id === undefined ? "" : ` id ${transport.id}`;
    return { source: `${formatIpv4Address(packet.source)}${id}`, destination: formatIpv4Address(packet.destination) };
  }
  return { source: `${formatIpv4Address(packet.source)}:${transport.sourcePort}`, destination: `${formatIpv4Address(packet.destination)}:${transport.destinationPort}` };
}

/** The NAT rewrites between a packet and its successor; a reply made from a request (ends swapped, or a new ICMP type) is not a rewrite. */
export function natRewrites(before: Ipv4Packet, after: Ipv4Packet): string[] {
  if (before.transport.protocol !== after.transport.protocol) return [];
  if (before.transport.protocol === "icmp" && after.transport.protocol === "icmp" && before.transport.type !== after.transport.type) return [];
  if (before.source === after.destination && before.destination === after.source) return [];
  const from = ends(before);
  const to = ends(after);
  const rewrites: string[] = [];
  if (from.source !== to.source) rewrites.push(`src ${from.source} → ${to.source}`);
  if (from.destination !== to.destination) rewrites.push(`dst ${from.destination} → ${to.destination}`);
  return rewrites;
}

/** Steps about the probe's own packets: ARP requests and replies are the neighbour layer's business, not the path's. */
function onPath(step: TraceStep): boolean {
  return step.packet !== undefined || step.arp === undefined;
}

export function probePath(trace: Trace): ProbePath {
  interface OpenHop {
    namespace: string;
    device?: string;
    stages: TraceStage[];
    packet?: string;
    rewrites: string[];
    drop?: PathDrop;
    delivered: boolean;
  }
  const hops: OpenHop[] = [];
  // A TCP probe's picture is its handshake: the SYN out and the SYN-ACK back
  // (marked in each hop's packet); the ACK, FIN and the rest would retrace
  // the same devices and bury the path under two dozen arrows.
  let synAcknowledged = false;
  for (const step of trace.steps) {
    if (!onPath(step)) continue;
    const transport = step.packet?.transport;
    if (transport?.protocol === "tcp") {
      if (synAcknowledged && !transport.flags.syn) {
        const last = hops[hops.length - 1];
        if (last) last.delivered = true;
        break;
      }
      if (transport.flags.syn && transport.flags.ack) synAcknowledged = true;
    }
    let hop = hops[hops.length - 1];
    if (!hop || hop.namespace !== step.namespace || hop.device !== step.device) {
      hop = { namespace: step.namespace, ...(step.device !== undefined ? { device: step.device } : {}), stages: [], rewrites: [], delivered: false };
      hops.push(hop);
    }
    if (hop.stages[hop.stages.length - 1] !== step.stage) hop.stages.push(step.stage);
    if (hop.packet === undefined && step.packet) hop.packet = describePacket(step.packet);
    if (step.packet && step.packetAfter) {
      const rewrites = natRewrites(step.packet, step.packetAfter);
      const target = step.decision?.kind === "netfilter" ? `${step.decision.target}: ` : "";
      hop.rewrites.push(...rewrites.map((rewrite) => `${target}${rewrite}`));
    }
    // The first packet's journey ends where it dies, or where it comes back to the probe.
    if (step.verdict === "drop") {
      hop.drop = { ...(step.dropReason ? { reason: step.dropReason } : {}), why: step.why };
      break;
    }
    if (step.verdict === "deliver" && step.stage === "socket_deliver" && step.namespace === trace.namespace) {
      hop.delivered = true;
      break;
    }
  }
  return { probe: trace.probe, namespace: trace.namespace, hops: hops.map((hop, index) => ({ ...hop, number: index + 1 })) };
}
