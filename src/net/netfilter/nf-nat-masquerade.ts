// MASQUERADE (net/netfilter/nf_nat_masquerade.c: nf_nat_masquerade_ipv4):
// SNAT to the address the kernel would pick as source on the way out:
// inet_select_addr(out, nexthop, RT_SCOPE_UNIVERSE), whatever the route's src.
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { Target } from "../../model/netfilter.js";
import { inetSelectAddress, RT_SCOPE_UNIVERSE } from "../ipv4/devinet.js";
import type { NatBinding } from "./nf-nat.js";

/** The binding, or undefined when the device has no address (the packet is dropped). */
export function masqueradeBinding(namespace: NetworkNamespace, target: Extract<Target, { kind: "MASQUERADE" }>, out: NetDevice | undefined, nexthop: number): NatBinding | undefined {
  if (!out) return undefined;
  const address = inetSelectAddress(namespace, out, nexthop, RT_SCOPE_UNIVERSE);
  if (address === undefined || address === 0) return undefined;
  return { manip: "source", range: { addresses: { first: address, last: address }, ...(target.ports ? { ports: target.ports } : {}), ...(target.random ? { random: true } : {}) } };
}
