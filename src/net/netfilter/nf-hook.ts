// NF_HOOK() (include/linux/netfilter.h): where the packet walk hands packets
// to netfilter. With no tables configured every hook accepts, as on a kernel
// whose rulesets are empty; the iptables engine fills these in.
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { Ipv4Packet } from "../../model/packet.js";
import type { Simulation } from "../simulation.js";

export type Hook = "PREROUTING" | "INPUT" | "FORWARD" | "OUTPUT" | "POSTROUTING";

/** The packet to continue with (maybe rewritten by NAT), or undefined when dropped. */
export function nfHook(
  simulation: Simulation,
  namespace: NetworkNamespace,
  hook: Hook,
  packet: Ipv4Packet,
  devices: { readonly in?: NetDevice; readonly out?: NetDevice },
): Ipv4Packet | undefined {
  void simulation;
  void namespace;
  void hook;
  void devices;
  return packet;
}

/** Bridged IPv4 (br_netfilter): FORWARD with in = out = the bridge. */
export function nfBridgeForward(
  simulation: Simulation,
  namespace: NetworkNamespace,
  bridge: NetDevice,
  ingress: NetDevice,
  egress: NetDevice,
  packet: Ipv4Packet,
): Ipv4Packet | undefined {
  void ingress;
  void egress;
  return nfHook(simulation, namespace, "FORWARD", packet, { in: bridge, out: bridge });
}
