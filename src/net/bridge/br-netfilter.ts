// br_netfilter (net/bridge/br_netfilter_hooks.c: br_nf_pre_routing,
// br_nf_forward_ip, br_nf_post_routing): with
// net.bridge.bridge-nf-call-iptables=1 (every new namespace's default),
// bridged IPv4 frames traverse the iptables PREROUTING (raw, conntrack,
// mangle, nat: first packet only), FORWARD and POSTROUTING (nat, conntrack
// confirm) chains with the bridge as the in and out device; the bridge ports
// are what `-m physdev` sees. Frames for the host itself take the IP stack's
// own hooks (ip_rcv) through the bridge device.
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { EthernetFrame } from "../../model/packet.js";
import type { Simulation } from "../simulation.js";
import { nfHook } from "../netfilter/nf-hook.js";

/** The frame to send on `port`, or undefined when a chain dropped it. */
export function brNfForward(
  simulation: Simulation,
  namespace: NetworkNamespace,
  bridge: NetDevice,
  ingress: NetDevice | undefined,
  port: NetDevice,
  frame: EthernetFrame,
): EthernetFrame | undefined {
  if (!ingress || frame.payload.kind !== "ipv4" || !namespace.sysctl.bridgeNfCallIptables || !namespace.netfilter) return frame;
  const original = frame.payload.packet;
  const prerouted = nfHook(simulation, namespace, "PREROUTING", original, { in: bridge, physIn: ingress, bridged: true });
  if (!prerouted) return undefined;
  const forwarded = nfHook(simulation, namespace, "FORWARD", prerouted, { in: bridge, out: bridge, physIn: ingress, physOut: port, bridged: true });
  if (!forwarded) return undefined;
  const postrouted = nfHook(simulation, namespace, "POSTROUTING", forwarded, { out: bridge, physIn: ingress, physOut: port, bridged: true });
  if (!postrouted) return undefined;
  return postrouted === original ? frame : { ...frame, payload: { kind: "ipv4", packet: postrouted } };
}
