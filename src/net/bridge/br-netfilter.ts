// br_netfilter (net/bridge/br_netfilter_hooks.c): with
// net.bridge.bridge-nf-call-iptables=1, bridged IPv4 frames traverse the
// iptables FORWARD (and nat PREROUTING/POSTROUTING) chains with the bridge as
// both in and out device. The iptables engine plugs in here.
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { EthernetFrame } from "../../model/packet.js";
import type { Simulation } from "../simulation.js";
import { nfBridgeForward } from "../netfilter/nf-hook.js";

/** The frame to send on `port`, or undefined when a chain dropped it. */
export function brNfForward(
  simulation: Simulation,
  namespace: NetworkNamespace,
  bridge: NetDevice,
  ingress: NetDevice | undefined,
  port: NetDevice,
  frame: EthernetFrame,
): EthernetFrame | undefined {
  if (!ingress || frame.payload.kind !== "ipv4" || !namespace.sysctl.bridgeNfCallIptables) return frame;
  const packet = nfBridgeForward(simulation, namespace, bridge, ingress, port, frame.payload.packet);
  return packet === undefined ? undefined : packet === frame.payload.packet ? frame : { ...frame, payload: { kind: "ipv4", packet } };
}
