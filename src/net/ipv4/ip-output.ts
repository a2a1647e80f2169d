// Sending IPv4 (net/ipv4/ip_output.c: ip_local_out, ip_output,
// ip_finish_output2).
import { isLoopbackAddress } from "../../model/address.js";
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { Ipv4Packet } from "../../model/packet.js";
import type { Decision } from "../../model/trace.js";
import type { RouteChoice, TraceReason } from "../../model/trace-reason.js";
import { neighOutput } from "../core/neighbour.js";
import { nfHook } from "../netfilter/core.js";
import { recordStep, traceTime, type Simulation } from "../simulation.js";
import { ipRouteOutput, packetTransport, type FibResult, type OutputRoute } from "./route.js";

export function routeDecision(fib: FibResult, nexthop: number, source?: number): Extract<Decision, { kind: "route" }> {
  return source === undefined
    ? { kind: "route", table: fib.table, candidates: fib.candidates, chosen: fib.route, nexthop }
    : { kind: "route", table: fib.table, candidates: fib.candidates, chosen: fib.route, nexthop, source };
}

/** The route a lookup chose and its equals, with their devices' names as they are now (for the trace: tracing only). */
export function routeChoice(namespace: NetworkNamespace, fib: FibResult): RouteChoice {
  const deviceName = (index: number | undefined) => (index === undefined ? undefined : namespace.devices.get(index)?.name ?? index);
  return {
    table: fib.table,
    route: fib.route,
    candidates: fib.candidates,
    chosenDevice: deviceName(fib.route.nexthop?.deviceIndex),
    candidateDevices: fib.candidates.map((route) => deviceName(route.nexthop?.deviceIndex)),
  };
}

/** Why ip_route_me_harder() ran: a mark change alone is said as such (the reason's `mark`); a new destination is DNAT's. */
function rerouteCause(before: Ipv4Packet, after: Ipv4Packet): { mark?: number } {
  return after.destination === before.destination ? { mark: after.conntrack?.mark ?? 0 } : {};
}

/** ip_local_out(): a locally generated packet, already routed; OUTPUT hook, then out. */
export function ipLocalOut(simulation: Simulation, namespace: NetworkNamespace, route: OutputRoute, packet: Ipv4Packet): void {
  // No netfilter state (iptables never ran here): no hook to run, and no arguments to build for one.
  const filtered = namespace.netfilter === undefined ? packet : nfHook(simulation, namespace, "OUTPUT", packet, { out: route.device });
  if (!filtered) return;
  let chosen = route;
  const mark = filtered.conntrack?.mark ?? 0;
  if (filtered.destination !== packet.destination || mark !== (packet.conntrack?.mark ?? 0)) {
    // ip_route_me_harder(): a nat OUTPUT rule changed the destination, or a mangle OUTPUT rule the
    // mark (ipt_mangle_out, nft's route chains), so the packet is routed again.
    const rerouted = ipRouteOutput(namespace, filtered.destination, { source: filtered.source, mark, transport: packetTransport(filtered) });
    if (!rerouted.ok) {
      if (simulation.steps !== null) {
        // EINVAL: a route exists, but __mkroute_output() refuses a 127/8 source off lo; nat OUTPUT drops the packet (NF_DROP_ERR).
        const localnet = rerouted.errno === "EINVAL" && isLoopbackAddress(filtered.source);
        const reason: TraceReason = { code: "dnat-no-route", localnet, device: localnet ? namespace.devices.get(rerouted.fib?.route.nexthop?.deviceIndex ?? -1)?.name : undefined, ...rerouteCause(packet, filtered) };
        recordStep(simulation, { stage: "ip_route_output", packet: filtered, decision: { kind: "no-route", destination: filtered.destination }, verdict: "drop", dropReason: localnet ? "NETFILTER_DROP" : "IP_OUTNOROUTES", reason, namespace: namespace.name, time: traceTime(simulation) });
      }
      return;
    }
    chosen = rerouted.route;
    const fib = chosen.fib;
    if (simulation.steps !== null) recordStep(simulation, { device: chosen.device.name, stage: "ip_route_output", packet: filtered, ...(fib ? { decision: routeDecision(fib, chosen.nexthop, chosen.source) } : {}), verdict: "continue", reason: { code: "dnat-rerouted", device: chosen.device.name, ...rerouteCause(packet, filtered) }, namespace: namespace.name, time: traceTime(simulation) });
  }
  ipOutput(simulation, namespace, chosen.device, chosen.nexthop, filtered, chosen.type === "broadcast");
}

/** ip_output(): POSTROUTING, then to the neighbour layer of the egress device. */
export function ipOutput(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, nexthop: number, packet: Ipv4Packet, broadcast: boolean, indev?: NetDevice): void {
  const filtered = namespace.netfilter === undefined ? packet : nfHook(simulation, namespace, "POSTROUTING", packet, indev === undefined ? { out: device, nexthop } : { out: device, nexthop, indev });
  if (!filtered) return;
  if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage: "ip_output", packet: filtered, verdict: "continue", reason: { code: "ip-output", device: device.name, nexthop, onLink: nexthop === packet.destination }, namespace: namespace.name, time: traceTime(simulation) });
  neighOutput(simulation, namespace, device, nexthop, filtered, broadcast);
}
