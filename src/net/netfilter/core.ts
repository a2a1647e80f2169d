// The netfilter core the protocol layers call (net/netfilter/core.c: nf_hook()
// and nf_hook_slow() run what nf_register_net_hooks() registered). IPv4 and
// the bridge call nfHook() here, knowing nothing of the tables, conntrack or
// NAT behind it: those register their hook functions at boot (net/init.ts).
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { HookName } from "../../model/netfilter.js";
import type { Ipv4Packet } from "../../model/packet.js";
import type { Simulation } from "../simulation.js";

export interface HookDevices {
  readonly in?: NetDevice;
  readonly out?: NetDevice;
  /**
   * ip_output()'s indev at POSTROUTING: the device a forwarded packet came
   * in on (skb->dev), which nft's meta iifname reads there; iptables cannot
   * use -i at POSTROUTING, so its walk never sees it.
   */
  readonly indev?: NetDevice;
  /** The next hop the packet is routed to (POSTROUTING): MASQUERADE picks its address by it. */
  readonly nexthop?: number;
  /** br_netfilter: the bridge ports, and whether the packet is bridged rather than routed. */
  readonly physIn?: NetDevice;
  readonly physOut?: NetDevice;
  readonly bridged?: boolean;
}

/** What runs a hook: the packet to continue with (maybe rewritten), or undefined when dropped. */
export type NfHookSlow = (simulation: Simulation, namespace: NetworkNamespace, hook: HookName, packet: Ipv4Packet, devices: HookDevices) => Ipv4Packet | undefined;

let hookSlow: NfHookSlow | undefined;

/** nf_register_net_hooks(), once, by net/init.ts. */
export function nfRegisterHooks(run: NfHookSlow): void {
  hookSlow = run;
}

/** NF_HOOK(): a namespace without netfilter state (iptables never ran there) lets every packet through, with nothing to build. */
export function nfHook(simulation: Simulation, namespace: NetworkNamespace, hook: HookName, packet: Ipv4Packet, devices: HookDevices): Ipv4Packet | undefined {
  if (namespace.netfilter === undefined) return packet;
  if (hookSlow === undefined) throw new Error("netfilter's hooks are not registered: import the net layer through src/net/index.ts");
  return hookSlow(simulation, namespace, hook, packet, devices);
}
