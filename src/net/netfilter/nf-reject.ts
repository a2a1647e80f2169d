// The REJECT target (net/ipv4/netfilter/ipt_REJECT.c; nf_reject_ipv4.c:
// nf_send_unreach, nf_send_reset): an ICMP error or a TCP reset goes back
// to the sender, and the packet is dropped.
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { RejectWith } from "../../model/netfilter.js";
import { ICMP_DEST_UNREACH, ICMP_HOST_ANO, ICMP_HOST_UNREACH, ICMP_NET_ANO, ICMP_NET_UNREACH, ICMP_PKT_FILTERED, ICMP_PORT_UNREACH, ICMP_PROT_UNREACH, type Ipv4Packet } from "../../model/packet.js";
import { icmpSend } from "../ipv4/icmp.js";
import { ipLocalOut } from "../ipv4/ip-output.js";
import { ipRouteOutput } from "../ipv4/route.js";
import { tcpResetFields } from "../ipv4/tcp-output.js";
import type { Simulation } from "../simulation.js";

const REJECT_CODES: Readonly<Record<Exclude<RejectWith, "tcp-reset">, number>> = {
  "icmp-net-unreachable": ICMP_NET_UNREACH,
  "icmp-host-unreachable": ICMP_HOST_UNREACH,
  "icmp-port-unreachable": ICMP_PORT_UNREACH,
  "icmp-proto-unreachable": ICMP_PROT_UNREACH,
  "icmp-net-prohibited": ICMP_NET_ANO,
  "icmp-host-prohibited": ICMP_HOST_ANO,
  "icmp-admin-prohibited": ICMP_PKT_FILTERED,
};

export function rejectTarget(simulation: Simulation, namespace: NetworkNamespace, packet: Ipv4Packet, rejectWith: RejectWith, ingress: NetDevice | undefined): void {
  if (rejectWith !== "tcp-reset") {
    icmpSend(simulation, namespace, packet, ICMP_DEST_UNREACH, REJECT_CODES[rejectWith], ingress);
    return;
  }
  nfSendReset(simulation, namespace, packet);
}

/** nf_send_reset(): a RST from the address the segment was sent to, attached to its connection (nf_ct_attach) so NAT turns it round. */
function nfSendReset(simulation: Simulation, namespace: NetworkNamespace, packet: Ipv4Packet): void {
  const segment = packet.transport;
  if (segment.protocol !== "tcp" || segment.flags.rst) return;
  const attached = packet.conntrack;
  const reset: Ipv4Packet = {
    source: packet.destination,
    destination: packet.source,
    ttl: 64,
    transport: { protocol: "tcp", sourcePort: segment.destinationPort, destinationPort: segment.sourcePort, ...tcpResetFields(packet) },
    payloadLength: 20,
    ...(attached && attached.namespaceId === namespace.id && attached.entryId !== undefined
      ? { conntrack: { namespaceId: namespace.id, entryId: attached.entryId, direction: attached.direction === "reply" ? ("original" as const) : ("reply" as const), state: "RELATED" as const, mark: 0 } }
      : {}),
  };
  const route = ipRouteOutput(namespace, packet.source, { source: packet.destination });
  if (route.ok) ipLocalOut(simulation, namespace, route.route, reset);
}
