// Forwarding (net/ipv4/ip_forward.c: ip_forward).
import { formatIpv4Address } from "../../model/address.js";
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { ICMP_TIME_EXCEEDED, type Ipv4Packet } from "../../model/packet.js";
import { nfHook } from "../netfilter/nf-hook.js";
import { record, type Simulation } from "../simulation.js";
import { icmpSend } from "./icmp.js";
import { ipOutput } from "./ip-output.js";
import type { OutputRoute } from "./route.js";

export function ipForward(simulation: Simulation, namespace: NetworkNamespace, ingress: NetDevice, route: OutputRoute, packet: Ipv4Packet): void {
  if (packet.ttl <= 1) {
    record(simulation, () => ({ namespace, device: ingress.name, stage: "ip_forward", packet, verdict: "drop", dropReason: "TTL_EXPIRED", why: `ttl ${packet.ttl} would reach 0 here: dropped, and "time exceeded" goes back to ${formatIpv4Address(packet.source)}` }));
    icmpSend(simulation, namespace, packet, ICMP_TIME_EXCEEDED, 0, ingress);
    return;
  }
  const forwarded: Ipv4Packet = { ...packet, ttl: packet.ttl - 1 };
  record(simulation, () => ({
    namespace,
    device: ingress.name,
    stage: "ip_forward",
    packet,
    packetAfter: forwarded,
    decision: { kind: "sysctl", key: `net.ipv4.conf.${ingress.name}.forwarding`, value: "1" },
    verdict: "continue",
    why: `forwarding is on for ${ingress.name}: routed on out of ${route.device.name}, ttl ${packet.ttl} -> ${forwarded.ttl}`,
  }));
  const filtered = nfHook(simulation, namespace, "FORWARD", forwarded, { in: ingress, out: route.device });
  if (!filtered) return;
  ipOutput(simulation, namespace, route.device, route.nexthop, filtered, false);
}
