// MASQUERADE (net/netfilter/nf_nat_masquerade.c: nf_nat_masquerade_ipv4):
// SNAT to the address the kernel would pick as source on the way out:
// inet_select_addr(out, nexthop, RT_SCOPE_UNIVERSE), whatever the route's src.
// The connection remembers the device (masq_index); masq_device_event() and
// masq_inet_event() delete the connections masqueraded through a device when
// it goes down, or when it loses the address they were masqueraded to (the
// kernel from a work queue, moments later; the model at the event).
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { Target } from "../../model/netfilter.js";
import { inetSelectAddress, RT_SCOPE_UNIVERSE } from "../ipv4/devinet.js";
import { conntrackCleanup } from "./nf-conntrack.js";
import type { NatBinding } from "./nf-nat.js";

/** The binding, or undefined when the device has no address (the packet is dropped). */
export function masqueradeBinding(namespace: NetworkNamespace, target: Extract<Target, { kind: "MASQUERADE" }>, out: NetDevice | undefined, nexthop: number): NatBinding | undefined {
  if (!out) return undefined;
  const address = inetSelectAddress(namespace, out, nexthop, RT_SCOPE_UNIVERSE);
  if (address === undefined || address === 0) return undefined;
  return { manip: "source", range: { addresses: { first: address, last: address }, ...(target.ports ? { ports: target.ports } : {}), ...(target.offset !== undefined ? { offset: target.offset } : {}), ...(target.random ? { random: true } : {}), ...(target.randomFully ? { randomFully: true } : {}) }, masqueradeIndex: out.index };
}

/** masq_device_event(NETDEV_DOWN): the connections masqueraded through the device go (device_cmp). */
export function masqDeviceEvent(namespace: NetworkNamespace, ifindex: number): void {
  const table = namespace.netfilter?.conntrack;
  if (table) conntrackCleanup(table, (entry) => entry.masqueradeIndex === ifindex);
}

/** masq_inet_event(NETDEV_DOWN of an address): those masqueraded through the device to that address go (inet_cmp). */
export function masqInetEvent(namespace: NetworkNamespace, ifindex: number, address: number): void {
  const table = namespace.netfilter?.conntrack;
  if (table) conntrackCleanup(table, (entry) => entry.masqueradeIndex === ifindex && entry.reply.destination === address);
}
