// Receiving IPv4 (net/ipv4/ip_input.c: ip_rcv, ip_rcv_finish,
// ip_local_deliver; route.c: ip_error).
import type { TraceReason } from "../../model/trace-reason.js";
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import { ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, ICMP_NET_UNREACH, ICMP_PKT_FILTERED, type Ipv4Packet } from "../../model/packet.js";
import { nfFlowOffloadIpHook } from "../netfilter/nf-flow-table.js";
import { nfHook } from "../netfilter/core.js";
import { recordStep, traceTime, type Simulation } from "../simulation.js";
import { icmpRcv, icmpSend } from "./icmp.js";
import { ipForward } from "./ip-forward.js";
import { routeChoice, routeDecision } from "./ip-output.js";
import { ipRouteInput } from "./route.js";
import { transportRcv } from "./transport.js";

/** `prerouted`: br_netfilter ran PREROUTING for this packet on its bridge already (ip_sabotage_in() skips it here). */
export function ipRcv(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, packet: Ipv4Packet, prerouted = false): void {
  if (prerouted) {
    if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage: "ip_rcv", packet, verdict: "continue", reason: { code: "ip-rcv", device: device.name, prerouted: true }, namespace: namespace.name, time: traceTime(simulation) });
    // A packet of a prerouted flow goes on as its earlier ones did (netsim's flow cache, nf-flow-table.ts).
    if (nfFlowOffloadIpHook(simulation, namespace, device, packet, true)) return;
    ipRcvFinish(simulation, namespace, device, packet);
    return;
  }
  if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage: "ip_rcv", packet, verdict: "continue", reason: { code: "ip-rcv", device: device.name, prerouted: false }, namespace: namespace.name, time: traceTime(simulation) });
  // A packet of an offloaded connection goes on as its earlier packets did (netsim's flow cache, nf-flow-table.ts).
  if (nfFlowOffloadIpHook(simulation, namespace, device, packet)) return;
  // No netfilter state (iptables never ran here): no hook to run, and no arguments to build for one.
  const afterPrerouting = namespace.netfilter === undefined ? packet : nfHook(simulation, namespace, "PREROUTING", packet, { in: device });
  if (!afterPrerouting) return;
  ipRcvFinish(simulation, namespace, device, afterPrerouting);
}

/** ip_rcv_finish(): route the packet (after PREROUTING, which may have rewritten its destination). */
function ipRcvFinish(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, packet: Ipv4Packet): void {
  const result = ipRouteInput(namespace, device, packet.source, packet.destination, packet.conntrack?.mark ?? 0, packet);
  switch (result.kind) {
    case "local":
    case "broadcast":
      if (simulation.steps !== null) {
        const reason: TraceReason = { code: "route-local", broadcast: result.kind === "broadcast" };
        const time = traceTime(simulation);
        recordStep(
          simulation,
          result.fib
            ? { device: device.name, stage: "ip_route_input", packet, decision: routeDecision(result.fib, packet.destination), verdict: "continue", reason, namespace: namespace.name, time }
            : { device: device.name, stage: "ip_route_input", packet, verdict: "continue", reason, namespace: namespace.name, time },
        );
      }
      ipLocalDeliver(simulation, namespace, device, packet, result.kind === "broadcast");
      return;
    case "forward":
      if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage: "ip_route_input", packet, decision: routeDecision(result.fib, result.route.nexthop), verdict: "continue", reason: { code: "route-forward", choice: routeChoice(namespace, result.fib) }, namespace: namespace.name, time: traceTime(simulation) });
      ipForward(simulation, namespace, device, result.route, packet);
      return;
    case "forwarding-off":
      if (simulation.steps !== null) {
        recordStep(simulation, {
          device: device.name,
          stage: "ip_route_input",
          packet,
          decision: { kind: "sysctl", key: { conf: "forwarding", device: device.name }, value: "0" },
          verdict: "drop",
          dropReason: "IP_INADDRERRORS",
          reason: { code: "forwarding-off", device: device.name },
          namespace: namespace.name,
          time: traceTime(simulation),
        });
      }
      return;
    case "martian":
      if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage: "ip_route_input", packet, verdict: "drop", dropReason: result.reason, reason: { code: "martian", martian: result.martian }, namespace: namespace.name, time: traceTime(simulation) });
      return;
    case "error": {
      // ip_error(): what a router says when it cannot forward.
      const code = result.errno === "ENETUNREACH" ? ICMP_NET_UNREACH : result.errno === "EHOSTUNREACH" ? ICMP_HOST_UNREACH : result.errno === "EACCES" ? ICMP_PKT_FILTERED : undefined;
      if (simulation.steps !== null) {
        recordStep(simulation, {
          device: device.name,
          stage: "ip_route_input",
          packet,
          ...(result.fib ? { decision: routeDecision(result.fib, packet.destination) } : { decision: { kind: "no-route" as const, destination: packet.destination, ...(result.rule ? { rule: { priority: result.rule.priority, action: result.rule.action } } : {}) } }),
          verdict: "drop",
          dropReason: result.errno === "ENETUNREACH" ? "IP_INNOROUTES" : result.errno === "EINVAL" ? "BLACKHOLE" : "UNREACHABLE_ROUTE",
          reason: result.rule ? { code: "route-error", errno: result.errno, rule: { priority: result.rule.priority, action: result.rule.action } } : { code: "route-error", errno: result.errno },
          namespace: namespace.name,
          time: traceTime(simulation),
        });
      }
      if (code !== undefined) icmpSend(simulation, namespace, packet, ICMP_DEST_UNREACH, code, device);
      return;
    }
  }
}

/** ip_local_deliver(): INPUT, then the protocol handler. */
function ipLocalDeliver(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, packet: Ipv4Packet, broadcast: boolean): void {
  const filtered = namespace.netfilter === undefined ? packet : nfHook(simulation, namespace, "INPUT", packet, { in: device });
  if (!filtered) return;
  if (filtered.transport.protocol === "icmp") icmpRcv(simulation, namespace, device, filtered, broadcast);
  else transportRcv(simulation, namespace, device, filtered);
}
