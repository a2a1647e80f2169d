// Forwarding (net/ipv4/ip_forward.c: ip_forward).
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { ICMP_TIME_EXCEEDED, type Ipv4Packet } from "../../model/packet.js";
import { flowOffloadAdd } from "../netfilter/nf-flow-table.js";
import { nfHook } from "../netfilter/core.js";
import { recordStep, traceTime, type Simulation } from "../simulation.js";
import { icmpSend } from "./icmp.js";
import { ipOutput } from "./ip-output.js";
import type { OutputRoute } from "./route.js";

export function ipForward(simulation: Simulation, namespace: NetworkNamespace, ingress: NetDevice, route: OutputRoute, packet: Ipv4Packet): void {
  if (packet.ttl <= 1) {
    if (simulation.steps !== null) recordStep(simulation, { device: ingress.name, stage: "ip_forward", packet, verdict: "drop", dropReason: "TTL_EXPIRED", reason: { code: "ttl-expired" }, namespace: namespace.name, time: traceTime(simulation) });
    icmpSend(simulation, namespace, packet, ICMP_TIME_EXCEEDED, 0, ingress);
    return;
  }
  // Spelled out (the keys in the model's order): a spread of packets of several shapes is V8's slow copy.
  const forwarded: Ipv4Packet =
    packet.conntrack === undefined
      ? { source: packet.source, destination: packet.destination, ttl: packet.ttl - 1, transport: packet.transport, payloadLength: packet.payloadLength }
      : { source: packet.source, destination: packet.destination, ttl: packet.ttl - 1, transport: packet.transport, payloadLength: packet.payloadLength, conntrack: packet.conntrack };
  if (simulation.steps !== null) {
    recordStep(simulation, {
      device: ingress.name,
      stage: "ip_forward",
      packet,
      packetAfter: forwarded,
      decision: { kind: "sysctl", key: { conf: "forwarding", device: ingress.name }, value: "1" },
      verdict: "continue",
      reason: { code: "ip-forward", ingress: ingress.name, out: route.device.name },
      namespace: namespace.name,
      time: traceTime(simulation),
    });
  }
  // No netfilter state (iptables never ran here): no hook to run, and no arguments to build for one.
  const filtered = namespace.netfilter === undefined ? forwarded : nfHook(simulation, namespace, "FORWARD", forwarded, { in: ingress, out: route.device });
  if (!filtered) return;
  // An established connection's later packets can take netsim's flow cache.
  flowOffloadAdd(namespace, ingress, route, filtered);
  ipOutput(simulation, namespace, route.device, route.nexthop, filtered, false, ingress);
}
