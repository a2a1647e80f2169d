// From a probe's trace to the cause of its outcome: the decisive steps and
// the objects that decided. The trace is read, never re-derived: what the
// explanation names is what the packet walk recorded.
import { formatIpv4Address, formatPrefix } from "../model/address.js";
import type { NetworkNamespace } from "../model/netns.js";
import type { Route } from "../model/route.js";
import type { Decision, Trace, TraceStep } from "../model/trace.js";
import type { World } from "../model/world.js";
import { isPortForwarding, vethPeer } from "../net/index.js";
import { namespacePhrase } from "../render/trace.js";
import { diagnoseHairpin } from "./hairpin.js";
import { diagnoseOtherhost } from "./otherhost.js";
import type { Cause } from "./types.js";

/** The namespace a trace step names, in a world. */
export function namespaceNamed(world: World, name: string): NetworkNamespace | undefined {
  for (const namespace of world.namespaces.values()) if (namespace.name === name) return namespace;
  return undefined;
}

export function describeRoute(world: World, namespaceName: string, route: Route): string {
  const namespace = namespaceNamed(world, namespaceName);
  const device = route.nexthop ? namespace?.devices.get(route.nexthop.deviceIndex)?.name ?? `if${route.nexthop.deviceIndex}` : undefined;
  const via = route.nexthop?.gateway !== undefined ? ` via ${formatIpv4Address(route.nexthop.gateway)}` : "";
  const type = route.type === "unicast" ? "" : `${route.type} `;
  return `${type}${formatPrefix(route.prefix)}${via}${device ? ` dev ${device}` : ""}${route.metric ? ` metric ${route.metric}` : ""}`;
}

type RouteDecision = Extract<Decision, { kind: "route" }>;

/**
 * Drops that are part of normal operation: a broadcast ARP ignored by those
 * it is not for, an echo to a broadcast, and the copy a promiscuous bridge
 * (tcpdump on it) passes up to its own stack, which drops it as not its own
 * while the frame itself goes on out of a port.
 */
function isSignificantDrop(steps: readonly TraceStep[], index: number): boolean {
  const step = steps[index]!;
  if (step.verdict !== "drop") return false;
  if (step.stage === "arp_rcv" && step.dropReason === undefined) return false;
  if (step.stage === "icmp_rcv" && step.dropReason === undefined) return false;
  // An ICMP error nobody waits for (a reject's answer to the reply the probe's peer sent): the drop it reports on is the cause.
  if (step.stage === "icmp_rcv" && step.dropReason === "NO_SOCKET" && step.packet?.transport.protocol === "icmp" && step.packet.transport.type !== 0) return false;
  if (step.dropReason === "BRIDGE_NO_PORT" && step.stage === "br_forward") return false;
  if (step.dropReason === "OTHERHOST" && step.frameId !== undefined) {
    const forwarded = steps.slice(0, index).some((earlier) => earlier.frameId === step.frameId && earlier.namespace === step.namespace && (earlier.stage === "br_forward" || earlier.stage === "br_flood") && earlier.verdict !== "drop");
    if (forwarded) return false;
  }
  return true;
}

/** The last route decision taken in `namespace` at or before step `index`. */
function routeDecisionBefore(steps: readonly TraceStep[], index: number, namespace: string): { step: number; decision: RouteDecision } | undefined {
  for (let position = index; position >= 0; position--) {
    const step = steps[position]!;
    if (step.namespace === namespace && step.decision?.kind === "route") return { step: position, decision: step.decision };
  }
  return undefined;
}

function where(step: TraceStep): string {
  return `${namespacePhrase(step.namespace)}${step.device ? ` (${step.device})` : ""}`;
}

/** The cause of a failed probe, read from its trace. */
export function diagnoseFailure(trace: Trace, world: World): Cause {
  const steps = trace.steps;
  let index = -1;
  for (let position = steps.length - 1; position >= 0; position--) {
    if (isSignificantDrop(steps, position)) {
      index = position;
      break;
    }
  }
  if (index === -1) {
    const hairpin = diagnoseHairpin(trace, world);
    if (hairpin) return hairpin;
    // A packet still waiting for ARP when the probe gave up: the resolution
    // fails later, out of the probe's sight.
    const waiting = steps.map((step, position) => ({ step, position })).filter(({ step }) => step.verdict === "queue").pop();
    if (waiting) {
      const routed = routeDecisionBefore(steps, waiting.position, waiting.step.namespace);
      const equals = routed?.decision.candidates.filter((route) => route.metric === routed.decision.chosen.metric) ?? [];
      const address = waiting.step.decision?.kind === "neighbour" ? formatIpv4Address(waiting.step.decision.address) : "the next hop";
      if (routed && equals.length > 1) {
        const routes = equals.map((route) => describeRoute(world, waiting.step.namespace, route));
        return {
          kind: "duplicate-subnet",
          summary: `${namespacePhrase(waiting.step.namespace)} has ${equals.length} routes for ${formatPrefix(routed.decision.chosen.prefix)} (${routes.join("; ")}); it sends by the first, ${routes[0]}, where nobody answers ARP for ${address}, and the packet waits there until the probe gives up`,
          steps: [routed.step, waiting.position],
          objects: routes.map((route) => `route ${route}`),
          ...(routed.decision.chosen.origin ? { origin: routed.decision.chosen.origin } : {}),
        };
      }
      return {
        kind: "neighbour-failed",
        summary: `${namespacePhrase(waiting.step.namespace)} is still asking ARP for ${address} on ${waiting.step.device ?? "the link"} when the probe gives up: nobody there answers`,
        steps: routed ? [routed.step, waiting.position] : [waiting.position],
        objects: [`neighbour ${address} on ${waiting.step.device ?? "?"}`],
        ...(routed?.decision.chosen.origin ? { origin: routed.decision.chosen.origin } : {}),
      };
    }
    const last = steps.length - 1;
    return {
      kind: "no-answer",
      summary: last >= 0 ? `nothing dropped the packet, yet nothing came back; the last thing that happened: ${steps[last]!.why}` : "the probe sent nothing",
      steps: last >= 0 ? [last] : [],
      objects: [],
    };
  }
  const step = steps[index]!;
  const decision = step.decision;
  switch (step.dropReason) {
    case "IP_OUTNOROUTES": {
      if (step.stage === "icmp_rcv" || step.stage === "tcp_v4_rcv") {
        const source = step.packet ? formatIpv4Address(step.packet.source) : "the sender";
        return {
          kind: "no-route-back",
          summary: `${namespacePhrase(step.namespace)} received the request but has no route back to ${source}, so its answer is never sent`,
          steps: [index],
          objects: [`the routing table of ${namespacePhrase(step.namespace)}`],
        };
      }
      if (decision?.kind === "route") {
        return {
          kind: "route-refuses",
          summary: `the route ${describeRoute(world, step.namespace, decision.chosen)} in ${namespacePhrase(step.namespace)} refuses traffic`,
          steps: [index],
          objects: [`route ${describeRoute(world, step.namespace, decision.chosen)}`],
          ...(decision.chosen.origin ? { origin: decision.chosen.origin } : {}),
        };
      }
      const destination = decision?.kind === "no-route" ? formatIpv4Address(decision.destination) : "the destination";
      return {
        kind: "no-route",
        summary: `${namespacePhrase(step.namespace)} has no route to ${destination}: no route covers it, not even a default route`,
        steps: [index],
        objects: [`the routing table of ${namespacePhrase(step.namespace)}`],
      };
    }
    case "NEIGH_FAILED": {
      const address = decision?.kind === "neighbour" ? formatIpv4Address(decision.address) : "the next hop";
      const routed = routeDecisionBefore(steps, index, step.namespace);
      const equals = routed?.decision.candidates.filter((route) => route.metric === routed.decision.chosen.metric) ?? [];
      if (routed && equals.length > 1) {
        const routes = equals.map((route) => describeRoute(world, step.namespace, route));
        return {
          kind: "duplicate-subnet",
          summary: `${namespacePhrase(step.namespace)} has ${equals.length} routes for ${formatPrefix(routed.decision.chosen.prefix)} (${routes.join("; ")}); the kernel takes the first, ${routes[0]}, and nobody on that link owns ${address}: its ARP requests go unanswered`,
          steps: [routed.step, index],
          objects: routes.map((route) => `route ${route}`),
          ...(routed.decision.chosen.origin ? { origin: routed.decision.chosen.origin } : {}),
        };
      }
      return {
        kind: "neighbour-failed",
        summary: `nobody on ${step.device ?? "the link"} answers ARP for ${address}, so ${namespacePhrase(step.namespace)} cannot deliver to it`,
        steps: routed ? [routed.step, index] : [index],
        objects: [`neighbour ${address} on ${step.device ?? "?"}`],
        ...(routed?.decision.chosen.origin ? { origin: routed.decision.chosen.origin } : {}),
      };
    }
    case "BRIDGE_NO_PORT": {
      // A flood with no port to go to: the ports that would lead on are down.
      const namespace = namespaceNamed(world, step.namespace);
      const bridge = namespace && step.device ? [...namespace.devices.values()].find((device) => device.name === step.device) : undefined;
      const idle = namespace && bridge ? [...namespace.devices.values()].filter((device) => device.masterIndex === bridge.index && !isPortForwarding(world, namespace, device)) : [];
      const port = idle[0];
      if (namespace && port) {
        const peer = vethPeer(world, port);
        const down = !port.adminUp || !peer ? { namespace: namespace.name, name: port.name } : { namespace: peer.namespace.name, name: peer.device.name };
        return {
          kind: "link-down",
          summary: `${down.name}${down.namespace === namespace.name ? "" : ` in ${namespacePhrase(down.namespace)}`} is down, so port ${port.name} of ${bridge!.name} does not forward and the frame has nowhere to go`,
          steps: [index],
          objects: [`link ${down.name}`],
          device: down,
        };
      }
      return { kind: "no-answer", summary: `${where(step)}: ${step.why}`, steps: [index], objects: [`bridge ${step.device ?? "?"}`] };
    }
    case "DEV_READY":
    case "NO_CARRIER": {
      const down = decision?.kind === "link" && step.dropReason === "NO_CARRIER" ? decision.device : step.device ?? "a device";
      return {
        kind: "link-down",
        summary: `${down} is down, so ${where(step)} cannot pass the packet on`,
        steps: [index],
        objects: [`link ${down}`],
      };
    }
    case "IP_INADDRERRORS":
      return {
        kind: "forwarding-off",
        summary: `${namespacePhrase(step.namespace)} receives the packet on ${step.device ?? "?"} but does not forward it: net.ipv4.ip_forward is 0 there, and such packets are dropped without a word`,
        steps: [index],
        objects: [`net.ipv4.conf.${step.device ?? "all"}.forwarding`],
      };
    case "IP_INNOROUTES":
      return {
        kind: "router-no-route",
        summary: `${namespacePhrase(step.namespace)} has no route onward to ${step.packet ? formatIpv4Address(step.packet.destination) : "the destination"} and answers "net unreachable"`,
        steps: [index],
        objects: [`the routing table of ${namespacePhrase(step.namespace)}`],
      };
    case "UNREACHABLE_ROUTE":
    case "BLACKHOLE": {
      const route = decision?.kind === "route" ? decision.chosen : undefined;
      // A policy rule's own verdict (ip rule ... blackhole|prohibit|unreachable) refused it before any table was searched.
      const rule = decision?.kind === "no-route" ? decision.rule : undefined;
      if (rule) {
        return {
          kind: "route-refuses",
          summary: `${namespacePhrase(step.namespace)} refuses to route ${step.packet ? formatIpv4Address(step.packet.destination) : "it"}: ip rule ${rule.priority} says ${rule.action}`,
          steps: [index],
          objects: [`ip rule ${rule.priority}`],
        };
      }
      return {
        kind: "route-refuses",
        summary: `${namespacePhrase(step.namespace)} routes ${step.packet ? formatIpv4Address(step.packet.destination) : "it"} by ${route ? `the ${describeRoute(world, step.namespace, route)} route` : "a route"} that refuses traffic`,
        steps: [index],
        objects: route ? [`route ${describeRoute(world, step.namespace, route)}`] : [],
        ...(route?.origin ? { origin: route.origin } : {}),
      };
    }
    case "IP_RPFILTER":
    case "IP_INVALID_SOURCE":
    case "IP_LOCALNET":
      return { kind: "source-rejected", summary: `${where(step)} rejects the packet: ${step.why}`, steps: [index], objects: [step.dropReason === "IP_RPFILTER" ? "rp_filter" : "source validation"] };
    case "TTL_EXPIRED":
      return { kind: "ttl-exceeded", summary: `the packet's ttl ran out at ${where(step)}`, steps: [index], objects: ["ttl"] };
    case "NETFILTER_DROP": {
      const rule = decision?.kind === "netfilter" ? decision : undefined;
      // An nft table is named by family and name (`inet firewalld`), its rule by handle (in its text), not by position.
      const nft = rule !== undefined && rule.table.includes(" ");
      const object = rule ? (rule.ruleNumber !== undefined ? (nft ? `the rule of ${rule.table} ${rule.chain} (${rule.ruleText ?? `handle ${rule.ruleNumber}`})` : `rule ${rule.ruleNumber} of ${rule.table} ${rule.chain}${rule.ruleText ? ` (${rule.ruleText})` : ""}`) : nft ? `the ${rule.chain} policy of ${rule.table} (${rule.target})` : `the ${rule.chain} policy of the ${rule.table} table (${rule.target})`) : "a netfilter rule";
      return {
        kind: "filtered",
        summary: `in ${where(step)}, ${object} ${rule?.target === "REJECT" || rule?.target === "reject" ? "rejects" : "drops"} the packet`,
        steps: [index],
        objects: [object],
        ...(rule?.origin ? { origin: rule.origin } : {}),
      };
    }
    case "NO_SOCKET":
      return { kind: "no-listener", summary: `${step.why}`, steps: [index], objects: [`port in ${namespacePhrase(step.namespace)}`] };
    case "OTHERHOST":
      return diagnoseOtherhost(trace, index, world) ?? { kind: "no-answer", summary: `${where(step)}: ${step.why}`, steps: [index], objects: [] };
    default:
      return { kind: "no-answer", summary: `${where(step)}: ${step.why}`, steps: [index], objects: [] };
  }
}

/** What happened when a probe succeeded: the routes and rewrites on the way. */
export function describeSuccess(trace: Trace, world: World): Cause {
  const steps = trace.steps;
  const decisive: number[] = [];
  const objects: string[] = [];
  steps.forEach((step, index) => {
    if (step.decision?.kind === "route" && (step.stage === "ip_route_output" || step.stage === "ip_route_input")) {
      decisive.push(index);
      objects.push(`route ${describeRoute(world, step.namespace, step.decision.chosen)} in ${namespacePhrase(step.namespace)}`);
    } else if (step.stage === "ip_forward" && step.verdict === "continue") {
      decisive.push(index);
    } else if (step.packetAfter && step.packet && (step.packetAfter.source !== step.packet.source || step.packetAfter.destination !== step.packet.destination)) {
      decisive.push(index);
      objects.push(`${step.why}`);
    } else if (step.decision?.kind === "netfilter" && step.verdict !== "drop" && step.decision.ruleNumber !== undefined) {
      decisive.push(index);
      objects.push(`${step.decision.table.includes(" ") ? "handle" : "rule"} ${step.decision.ruleNumber} of ${step.decision.table} ${step.decision.chain} (${step.decision.target})`);
    }
  });
  return { kind: "delivered", summary: objects.length > 0 ? `it went by ${objects.join(", then ")}` : "it was answered", steps: decisive, objects };
}
