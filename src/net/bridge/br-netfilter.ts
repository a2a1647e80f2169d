// br_netfilter (net/bridge/br_netfilter_hooks.c): with
// net.bridge.bridge-nf-call-iptables=1 (every new namespace's default),
// bridged IPv4 frames traverse the iptables hooks with the bridge as the in
// and out device (the ports are what `-m physdev` sees):
//  - br_nf_pre_routing(): NF_INET_PRE_ROUTING (raw, conntrack, mangle, nat)
//    once per frame, at NF_BR_PRE_ROUTING, before br_handle_frame_finish()
//    learns and looks the destination up in the FDB;
//  - br_nf_pre_routing_finish(): when PREROUTING changed the destination
//    address (DNAT, or a reply whose SNAT is undone), ip_route_input() on the
//    bridge decides: out through the bridge itself is the "bridged DNAT" case
//    (the frame gets the new next hop's MAC and is bridged again from the port
//    it came in on, so should_deliver()'s hairpin rule applies); otherwise the
//    frame is re-addressed to the bridge and routed by the host;
//  - br_nf_forward_ip() and br_nf_post_routing(): NF_INET_FORWARD and
//    NF_INET_POST_ROUTING per egress port (a flood walks them per port).
// A frame passed up to the host has had its PREROUTING: ip_sabotage_in()
// keeps ip_rcv() from running it again.
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { neighbourKey } from "../../model/neighbour.js";
import type { EthernetFrame, Ipv4Packet } from "../../model/packet.js";
import { frameStep, recordStep, type Simulation } from "../simulation.js";
import { neighbourState, neighOutput } from "../core/neighbour.js";
import { ipRouteInput } from "../ipv4/route.js";
import { nfHook } from "../netfilter/core.js";

/** Whether br_nf_pre_routing() takes this frame: IPv4, call-iptables on, and iptables in use here. */
export function brNfCallIptables(namespace: NetworkNamespace, frame: EthernetFrame): boolean {
  return frame.payload.kind === "ipv4" && namespace.sysctl.bridgeNfCallIptables && namespace.netfilter !== undefined;
}

/**
 * nf_bridge->bridged_dnat with its physindev: a bridged-DNAT packet that had
 * to wait for ARP leaves through br_dev_xmit(), which hands it back to
 * br_handle_frame_finish() as if it came in on that port
 * (br_nf_pre_routing_finish_bridge_slow). The packet carries it (skb->nf_bridge)
 * through the neighbour queue; taken once: the frame handed on has none.
 */
export function bridgedDnatPhysIn(frame: EthernetFrame): number | undefined {
  return frame.payload.kind === "ipv4" ? frame.payload.packet.nfBridge?.bridgedDnatPhysIn : undefined;
}

/** The frame without its packet's nf_bridge state (nf_bridge_info_free()). */
export function withoutNfBridge(frame: EthernetFrame): EthernetFrame {
  if (frame.payload.kind !== "ipv4") return frame;
  const { nfBridge: _taken, ...packet } = frame.payload.packet;
  return { ...frame, payload: { kind: "ipv4", packet } };
}

export type BrHandleFrameFinish = (simulation: Simulation, namespace: NetworkNamespace, bridge: NetDevice, port: NetDevice, frame: EthernetFrame, nfBridge: boolean) => void;

/** br_nf_pre_routing() and br_nf_pre_routing_finish(): PREROUTING once, then on to br_handle_frame_finish(). */
export function brNfPreRouting(simulation: Simulation, namespace: NetworkNamespace, bridge: NetDevice, port: NetDevice, frame: EthernetFrame, finish: BrHandleFrameFinish): void {
  if (frame.payload.kind !== "ipv4") return;
  const original = frame.payload.packet;
  const packet = nfHook(simulation, namespace, "PREROUTING", original, { in: bridge, physIn: port, bridged: true });
  if (!packet) return;
  const rewritten: EthernetFrame = packet === original ? frame : { ...frame, payload: { kind: "ipv4", packet } };
  if (packet.destination === original.destination) {
    finish(simulation, namespace, bridge, port, rewritten, true);
    return;
  }
  // br_nf_ipv4_daddr_was_changed(): where does the new destination go?
  const route = ipRouteInput(namespace, bridge, packet.source, packet.destination, packet.conntrack?.mark ?? 0, packet);
  if (route.kind === "forward" && route.route.device.index === bridge.index) {
    brNfBridgedDnat(simulation, namespace, bridge, port, rewritten, packet, route.route.nexthop, finish);
    return;
  }
  if (route.kind === "martian" || route.kind === "forwarding-off") {
    if (simulation.steps !== null) {
      recordStep(simulation, frameStep(simulation, namespace, bridge.name, "br_nf_pre_routing_finish", frame.id, rewritten, {
        verdict: "drop",
        dropReason: route.kind === "martian" ? route.reason : "IP_INADDRERRORS",
        reason: { code: "br-nf-dnat-refused", bridge: bridge.name, destination: packet.destination, forwardingOff: route.kind === "forwarding-off" },
      }));
    }
    return;
  }
  // Routed (or local): the frame is re-addressed to the bridge, and the host's stack takes it from there.
  const routed: EthernetFrame = { ...rewritten, destination: bridge.mac };
  if (simulation.steps !== null) {
    recordStep(simulation, frameStep(simulation, namespace, bridge.name, "br_nf_pre_routing_finish", frame.id, routed, {
      verdict: "continue",
      reason: { code: "br-nf-dnat-routed", bridge: bridge.name, destination: packet.destination, mac: bridge.mac },
    }));
  }
  finish(simulation, namespace, bridge, port, routed, true);
}

/** NUD_CONNECTED: the neighbour's address can be used without resolving (neigh_hh_bridge()). */
function connectedMac(simulation: Simulation, namespace: NetworkNamespace, bridge: NetDevice, nexthop: number): string | undefined {
  const entry = namespace.neighbours.get(neighbourKey(bridge.index, nexthop));
  if (!entry || entry.mac === undefined) return undefined;
  const state = neighbourState(entry, simulation.world.clock);
  return state === "REACHABLE" || state === "PERMANENT" || state === "NOARP" ? entry.mac : undefined;
}

/** br_nf_pre_routing_finish_bridge(): the frame gets the next hop's MAC and is bridged again from its ingress port. */
function brNfBridgedDnat(simulation: Simulation, namespace: NetworkNamespace, bridge: NetDevice, port: NetDevice, frame: EthernetFrame, packet: Ipv4Packet, nexthop: number, finish: BrHandleFrameFinish): void {
  const mac = connectedMac(simulation, namespace, bridge, nexthop);
  if (simulation.steps !== null) {
    recordStep(simulation, frameStep(simulation, namespace, bridge.name, "br_nf_pre_routing_finish", frame.id, frame, {
      verdict: "continue",
      reason: { code: "br-nf-dnat-bridged", bridge: bridge.name, destination: packet.destination, port: port.name, mac, nexthop },
    }));
  }
  if (mac !== undefined) {
    finish(simulation, namespace, bridge, port, { ...frame, destination: mac }, true);
    return;
  }
  // Not NUD_CONNECTED: neigh->output() resolves (or refreshes) the address; br_dev_xmit() hands the frame back.
  neighOutput(simulation, namespace, bridge, nexthop, { ...packet, nfBridge: { bridgedDnatPhysIn: port.index } }, false);
}

/** br_nf_forward_ip() and br_nf_post_routing(): the frame to send on `port`, or undefined when a chain dropped it. */
export function brNfForward(simulation: Simulation, namespace: NetworkNamespace, bridge: NetDevice, ingress: NetDevice, port: NetDevice, frame: EthernetFrame): EthernetFrame | undefined {
  if (frame.payload.kind !== "ipv4" || !namespace.netfilter) return frame;
  const original = frame.payload.packet;
  const forwarded = nfHook(simulation, namespace, "FORWARD", original, { in: bridge, out: bridge, physIn: ingress, physOut: port, bridged: true });
  if (!forwarded) return undefined;
  const postrouted = nfHook(simulation, namespace, "POSTROUTING", forwarded, { out: bridge, physIn: ingress, physOut: port, bridged: true });
  if (!postrouted) return undefined;
  return postrouted === original ? frame : { ...frame, payload: { kind: "ipv4", packet: postrouted } };
}
