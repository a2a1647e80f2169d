// Why a packet died, named after the kernel's enum skb_drop_reason
// (include/net/dropreason-core.h) where the kernel has a name for it.
export type DropReason =
  | "NOT_SPECIFIED"
  | "OTHERHOST" /* frame not addressed to this host's MAC */
  | "DEV_READY" /* device down */
  | "NO_CARRIER" /* veth peer down: nothing on the other end */
  | "IP_INADDRERRORS" /* needs forwarding, but forwarding is off */
  | "IP_INNOROUTES" /* no route for a received packet */
  | "IP_OUTNOROUTES" /* no route for a locally generated packet */
  | "IP_RPFILTER"
  | "IP_LOCALNET" /* destination in 127/8 arriving from outside */
  | "IP_INVALID_SOURCE" /* martian source: one of our own addresses, from outside */
  | "NEIGH_FAILED" /* ARP got no answer */
  | "NEIGH_QUEUEFULL"
  | "TTL_EXPIRED" /* ip_forward(): ttl <= 1, time exceeded sent */
  | "NETFILTER_DROP"
  | "NO_SOCKET" /* nothing listening */
  | "BLACKHOLE"
  | "UNREACHABLE_ROUTE"
  | "BRIDGE_NO_PORT" /* the FDB points back at the ingress port */
  | "DUMMY_XMIT" /* a dummy device swallows what it sends */
  | "ARP_IGNORE";
