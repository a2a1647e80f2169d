// Sending IPv4 (net/ipv4/ip_output.c: ip_local_out, ip_output,
// ip_finish_output2).
import { formatIpv4Address, formatPrefix, isLoopbackAddress } from "../../model/address.js";
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { Ipv4Packet } from "../../model/packet.js";
import type { Decision } from "../../model/trace.js";
import { neighOutput } from "../core/neighbour.js";
import { rtGenid } from "../core/rt-genid.js";
import { nfHook } from "../netfilter/core.js";
import { recordStep, traceTime, type Simulation } from "../simulation.js";
import { ipRouteOutput, type FibResult, type OutputRoute } from "./route.js";

export function routeDecision(fib: FibResult, nexthop: number, source?: number): Decision {
  return source === undefined
    ? { kind: "route", table: fib.table, candidates: fib.candidates, chosen: fib.route, nexthop }
    : { kind: "route", table: fib.table, candidates: fib.candidates, chosen: fib.route, nexthop, source };
}

/**
 * The words for each lookup result, while the configuration they name
 * (routes, device names) stands: a trace describes the same cached result
 * (route.ts's dst cache) for every packet of a flow.
 */
const routeChoiceTexts = new WeakMap<FibResult, { readonly genid: number; readonly namespace: NetworkNamespace; readonly text: string }>();

/** Why a route won, in words: the prefix, and how it beat its equals. */
export function describeRouteChoice(namespace: NetworkNamespace, fib: FibResult): string {
  const genid = rtGenid(namespace);
  const known = routeChoiceTexts.get(fib);
  if (known !== undefined && known.genid === genid && known.namespace === namespace) return known.text;
  const text = routeChoiceText(namespace, fib);
  routeChoiceTexts.set(fib, { genid, namespace, text });
  return text;
}

function routeChoiceText(namespace: NetworkNamespace, fib: FibResult): string {
  const deviceName = (index: number | undefined) => (index === undefined ? "?" : namespace.devices.get(index)?.name ?? `if${index}`);
  const prefix = formatPrefix(fib.route.prefix);
  const via = fib.route.nexthop?.gateway !== undefined ? ` via ${formatIpv4Address(fib.route.nexthop.gateway)}` : "";
  const chosen = `${prefix}${via} dev ${deviceName(fib.route.nexthop?.deviceIndex)}`;
  const equals = fib.candidates.filter((route) => route.metric === fib.route.metric);
  if (equals.length > 1) {
    return `${equals.length} routes for ${prefix} with metric ${fib.route.metric} (${equals.map((route) => `dev ${deviceName(route.nexthop?.deviceIndex)}`).join(", ")}); the kernel takes the first in the list: ${chosen}`;
  }
  return `longest matching prefix in table ${fib.table}: ${chosen}`;
}

/** ip_local_out(): a locally generated packet, already routed; OUTPUT hook, then out. */
export function ipLocalOut(simulation: Simulation, namespace: NetworkNamespace, route: OutputRoute, packet: Ipv4Packet): void {
  // No netfilter state (iptables never ran here): no hook to run, and no arguments to build for one.
  const filtered = namespace.netfilter === undefined ? packet : nfHook(simulation, namespace, "OUTPUT", packet, { out: route.device });
  if (!filtered) return;
  let chosen = route;
  if (filtered.destination !== packet.destination) {
    // ip_route_me_harder(): a nat OUTPUT rule changed the destination, so the packet is routed again.
    const rerouted = ipRouteOutput(namespace, filtered.destination, { source: filtered.source });
    if (!rerouted.ok) {
      if (simulation.steps !== null) {
        // EINVAL: a route exists, but __mkroute_output() refuses a 127/8 source off lo; nat OUTPUT drops the packet (NF_DROP_ERR).
        const localnet = rerouted.errno === "EINVAL" && isLoopbackAddress(filtered.source);
        const why = localnet
          ? `after DNAT to ${formatIpv4Address(filtered.destination)} the source ${formatIpv4Address(filtered.source)} may not leave by ${namespace.devices.get(rerouted.fib?.route.nexthop?.deviceIndex ?? -1)?.name ?? "a device other than lo"} (route_localnet is 0): dropped`
          : `after DNAT to ${formatIpv4Address(filtered.destination)} there is no route: dropped`;
        recordStep(simulation, { stage: "ip_route_output", packet: filtered, decision: { kind: "no-route", destination: filtered.destination }, verdict: "drop", dropReason: localnet ? "NETFILTER_DROP" : "IP_OUTNOROUTES", why, namespace: namespace.name, time: traceTime(simulation) });
      }
      return;
    }
    chosen = rerouted.route;
    const fib = chosen.fib;
    if (simulation.steps !== null) recordStep(simulation, { device: chosen.device.name, stage: "ip_route_output", packet: filtered, ...(fib ? { decision: routeDecision(fib, chosen.nexthop, chosen.source) } : {}), verdict: "continue", why: `DNAT changed the destination to ${formatIpv4Address(filtered.destination)}: routed again, out of ${chosen.device.name}`, namespace: namespace.name, time: traceTime(simulation) });
  }
  ipOutput(simulation, namespace, chosen.device, chosen.nexthop, filtered, chosen.type === "broadcast");
}

/** ip_output(): POSTROUTING, then to the neighbour layer of the egress device. */
export function ipOutput(simulation: Simulation, namespace: NetworkNamespace, device: NetDevice, nexthop: number, packet: Ipv4Packet, broadcast: boolean, indev?: NetDevice): void {
  const filtered = namespace.netfilter === undefined ? packet : nfHook(simulation, namespace, "POSTROUTING", packet, indev === undefined ? { out: device, nexthop } : { out: device, nexthop, indev });
  if (!filtered) return;
  if (simulation.steps !== null) recordStep(simulation, { device: device.name, stage: "ip_output", packet: filtered, verdict: "continue", why: `out of ${device.name} towards ${formatIpv4Address(nexthop)}${nexthop === packet.destination ? " (on-link)" : " (the gateway)"}`, namespace: namespace.name, time: traceTime(simulation) });
  neighOutput(simulation, namespace, device, nexthop, filtered, broadcast);
}
