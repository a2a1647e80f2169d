// A network namespace (struct net): its devices, routing tables, neighbour
// cache and sysctls.
import type { NetDevice, DeviceConf } from "./netdevice.js";
import type { NeighbourEntry } from "./neighbour.js";
import type { FibRule } from "./fib-rule.js";
import type { FibTable } from "./route.js";
import type { Socket } from "./socket.js";
import type { NetfilterState } from "./netfilter.js";

export interface NamespaceSysctl {
  /** net.ipv4.conf.all.* (net.ipv4.ip_forward is conf/all/forwarding). */
  confAll: DeviceConf;
  /** net.ipv4.conf.default.*: copied to each new device. */
  confDefault: DeviceConf;
  /** net.bridge.bridge-nf-call-iptables (br_netfilter, per namespace). */
  bridgeNfCallIptables: boolean;
  /** net.ipv4.neigh.default.* that shape ARP timing. */
  neighMcastSolicit: number;
  neighRetransTimeMs: number;
  /** net.ipv4.icmp_echo_ignore_all (absent: 0). */
  icmpEchoIgnoreAll?: boolean;
  /** net.ipv6.conf.{all,default}.disable_ipv6 (absent: 0). */
  ipv6DisabledAll?: boolean;
  ipv6DisabledDefault?: boolean;
  /** net.ipv4.ip_local_port_range (absent: 32768 60999). */
  ipLocalPortRange?: readonly [number, number];
}

export interface NetworkNamespace {
  readonly id: number;
  /** The name under /run/netns; "" for the scenario's own namespace. */
  readonly name: string;
  devices: Map<number, NetDevice>;
  /** The next ifindex to hand out (net->ifindex). */
  nextIfindex: number;
  tables: Map<number, FibTable>;
  /** The routing policy (`ip rule`), in the order fib_rules_lookup() walks it. */
  rules: FibRule[];
  /** net->ipv4.fib_has_custom_rules: set by the first rule added or deleted, never cleared; until then a lookup needs no rule walk. */
  fibHasCustomRules: boolean;
  /** Keyed by neighbourKey(ifindex, address). */
  neighbours: Map<number, NeighbourEntry>;
  sysctl: NamespaceSysctl;
  sockets: Socket[];
  /** Namespace ids (nsid) this namespace has assigned to others, by namespace id: allocated 0, 1, 2... when a veth first spans the two. */
  nsids: Map<number, number>;
  /** iptables tables and conntrack (src/net/netfilter); absent until first used. */
  netfilter?: NetfilterState;
  /** The engine's derived state (model/derived.ts): the dst cache, the flow cache. */
  derived?: NamespaceDerived;
}

/** Filled in by the engine (net/ipv4/route.ts, net/netfilter/nf-flow-table.ts declare their fields). */
export interface NamespaceDerived {}

/** The namespace's devices by ifindex, as the kernel walks its device list (for_each_netdev). */
export function devicesInOrder(namespace: NetworkNamespace): NetDevice[] {
  return [...namespace.devices.values()].sort((a, b) => a.index - b.index);
}
