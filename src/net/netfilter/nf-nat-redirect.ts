// REDIRECT (net/netfilter/nf_nat_redirect.c: nf_nat_redirect_ipv4): DNAT to
// the host itself: 127.0.0.1 for locally generated packets, else the first
// address of the device the packet came in on.
import type { NetDevice } from "../../model/netdevice.js";
import type { HookName, Target } from "../../model/netfilter.js";
import type { NatBinding } from "./nf-nat.js";

export function redirectBinding(target: Extract<Target, { kind: "REDIRECT" }>, hook: HookName, ingress: NetDevice | undefined): NatBinding | undefined {
  let address: number | undefined;
  if (hook === "OUTPUT") address = 0x7f000001;
  else address = ingress?.addresses.find((candidate) => !candidate.secondary)?.address;
  if (address === undefined) return undefined;
  return { manip: "destination", range: { addresses: { first: address, last: address }, ...(target.ports ? { ports: target.ports } : {}) } };
}
