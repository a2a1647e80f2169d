// A probe's hops for the UI: one summary line a hop for the list, and the
// detail of one hop: what decided (routes considered and the one chosen, the
// FDB entry or flood, ARP, the netfilter rule, conntrack), the packet before
// and after with the fields a NAT or the TTL changed marked, and the verdict.
import { formatIpv4Address } from "../model/address.js";
import type { ArpMessage, Ipv4Packet } from "../model/packet.js";
import { tableName } from "../model/route.js";
import type { Decision, TraceStep } from "../model/trace.js";
import type { World } from "../model/world.js";
import { routeText } from "../render/iproute2/route.js";
import { formatTime, namespaceLabel } from "../render/trace.js";
import { styled, wrapText, type Line, type Segment } from "./line.js";

/** Whether a netfilter rule step matched the packet (policy steps count as matched). */
export function ruleMatched(step: TraceStep): boolean {
  return step.decision?.kind !== "netfilter" || step.decision.mismatch === undefined;
}

export function hopPlace(step: TraceStep): string {
  return `${namespaceLabel(step.namespace)}${step.device ? `/${step.device}` : ""}`;
}

/** A few words on how the hop ended, for the list. */
export function hopVerdict(step: TraceStep): Segment | undefined {
  switch (step.verdict) {
    case "drop":
      return styled(`DROP${step.dropReason ? ` ${step.dropReason}` : ""}`, "bad");
    case "deliver":
      return styled("delivered", "good");
    case "queue":
      return styled("queued", "dim");
    case "continue":
      if (step.decision?.kind === "netfilter" && step.decision.ruleNumber !== undefined && !ruleMatched(step)) return styled("no match", "dim");
      // A NAT rewrite (an echo turned into its reply is not one).
      if (step.stage === "nf_hook" && step.packetAfter && step.packet && (step.packetAfter.source !== step.packet.source || step.packetAfter.destination !== step.packet.destination)) return styled("rewritten", "changed");
      return undefined;
  }
}

export function hopSummary(step: TraceStep, number: number, current: boolean): Line {
  const verdict = hopVerdict(step);
  const segments: Segment[] = [
    styled(`${current ? "▶" : " "}${String(number).padStart(3)} `, current ? "current" : undefined),
    styled(`${hopPlace(step).padEnd(14)} ${step.stage.padEnd(20)}`, current ? "current" : undefined),
  ];
  if (verdict) segments.push({ text: " " }, verdict);
  segments.push(styled(` ${step.why}`, "dim"));
  return segments;
}

function transportWords(packet: Ipv4Packet): { source: string; destination: string; kind: string } {
  const transport = packet.transport;
  const source = formatIpv4Address(packet.source);
  const destination = formatIpv4Address(packet.destination);
  switch (transport.protocol) {
    case "icmp": {
      const kind = transport.type === 8 ? "echo request" : transport.type === 0 ? "echo reply" : `icmp type ${transport.type} code ${transport.code}`;
      return { source, destination, kind: transport.id !== undefined ? `${kind} id ${transport.id} seq ${transport.sequence ?? 0}` : kind };
    }
    case "tcp": {
      const flags = Object.entries(transport.flags).filter(([, on]) => on).map(([flag]) => flag.toUpperCase()).join(",");
      return { source: `${source}:${transport.sourcePort}`, destination: `${destination}:${transport.destinationPort}`, kind: `tcp [${flags}]` };
    }
    case "udp":
      return { source: `${source}:${transport.sourcePort}`, destination: `${destination}:${transport.destinationPort}`, kind: "udp" };
  }
}

/** A packet as `SRC > DST KIND ttl N`; given the packet before, the fields that differ are marked "changed". */
export function packetSegments(packet: Ipv4Packet, before?: Ipv4Packet): Segment[] {
  const now = transportWords(packet);
  const then = before ? transportWords(before) : undefined;
  const mark = (text: string, old: string | undefined) => styled(text, old !== undefined && old !== text ? "changed" : undefined);
  return [
    mark(now.source, then?.source),
    { text: " > " },
    mark(now.destination, then?.destination),
    { text: " " },
    mark(now.kind, then?.kind),
    { text: " " },
    mark(`ttl ${packet.ttl}`, before ? `ttl ${before.ttl}` : undefined),
  ];
}

/** What changed from `before` to `after`, in words ("source 172.18.0.10 → 192.168.0.100"). */
export function packetChanges(before: Ipv4Packet, after: Ipv4Packet): string[] {
  const a = transportWords(before);
  const b = transportWords(after);
  const changes: string[] = [];
  if (a.source !== b.source) changes.push(`source ${a.source} → ${b.source}`);
  if (a.destination !== b.destination) changes.push(`destination ${a.destination} → ${b.destination}`);
  if (before.ttl !== after.ttl) changes.push(`ttl ${before.ttl} → ${after.ttl}`);
  return changes;
}

function arpLine(arp: ArpMessage): string {
  const sender = formatIpv4Address(arp.senderAddress);
  const target = formatIpv4Address(arp.targetAddress);
  return arp.operation === "request" ? `ARP request: who-has ${target}? tell ${sender} (${arp.senderMac})` : `ARP reply: ${sender} is-at ${arp.senderMac} (to ${target})`;
}

function routeLine(world: World | undefined, namespaceName: string, route: Parameters<typeof routeText>[2]): string {
  const namespace = world ? [...world.namespaces.values()].find((candidate) => candidate.name === namespaceName) : undefined;
  if (world && namespace) return routeText(world, namespace, route).trimEnd();
  return `${route.prefix.length === 0 ? "default" : `${formatIpv4Address(route.prefix.address)}/${route.prefix.length}`} dev if${route.nexthop?.deviceIndex ?? "?"}`;
}

function decisionLines(decision: Decision, step: TraceStep, world: World | undefined): Line[] {
  switch (decision.kind) {
    case "route": {
      const lines: Line[] = [[styled(`routes considered (table ${decision.table}):`, "title")]];
      for (const route of decision.candidates) {
        const chosen = route === decision.chosen || JSON.stringify(route) === JSON.stringify(decision.chosen);
        lines.push([styled(`${chosen ? " ✓ " : "   "}${routeLine(world, step.namespace, route)}`, chosen ? "good" : "dim"), ...(chosen ? [styled("  ← chosen", "good")] : [])]);
      }
      if (!decision.candidates.some((route) => JSON.stringify(route) === JSON.stringify(decision.chosen))) lines.push([styled(` ✓ ${routeLine(world, step.namespace, decision.chosen)}  ← chosen`, "good")]);
      lines.push([{ text: `next hop ${formatIpv4Address(decision.nexthop)}${decision.source !== undefined ? `, source ${formatIpv4Address(decision.source)}` : ""}` }]);
      return lines;
    }
    case "no-route":
      return [[styled(`no route to ${formatIpv4Address(decision.destination)} in table ${tableName(254)} (nor a default route)`, "bad")]];
    case "fdb":
      switch (decision.how) {
        case "flood":
          return [[{ text: "FDB: " }, styled(`${decision.mac} not known: flood out of every other port`, "changed")]];
        case "learned":
          return [[{ text: `FDB: learned ${decision.mac} on port ${decision.port ?? "?"}` }]];
        case "local":
          return [[{ text: `FDB: ${decision.mac} is the bridge's own: up to the host` }]];
        case "known":
          return [[{ text: "FDB: " }, styled(`${decision.mac} is on port ${decision.port ?? "?"}`, "good")]];
      }
      return [];
    case "neighbour":
      return [[{ text: `ARP cache: ${formatIpv4Address(decision.address)} ${decision.state}${decision.mac ? ` ${decision.mac}` : ""}` }]];
    case "sysctl":
      return [[{ text: "sysctl " }, styled(`${decision.key} = ${decision.value}`, decision.value === "0" ? "bad" : undefined)]];
    case "link":
      return [[{ text: `link ${decision.device}: ${decision.state}` }]];
    case "netfilter": {
      const head = { text: `iptables -t ${decision.table} ${decision.chain}: ` };
      const style = decision.target === "DROP" || decision.target === "REJECT" ? "bad" : ["MASQUERADE", "SNAT", "DNAT", "REDIRECT"].includes(decision.target) ? "changed" : "good";
      if (decision.ruleNumber === undefined) return [[head, styled(`policy ${decision.target}`, style)]];
      const rule = `rule ${decision.ruleNumber}: ${decision.ruleText ?? ""}`;
      if (!ruleMatched(step)) return [[head, styled(rule, "dim"), styled("  ✗ no match", "dim")]];
      return [[head, styled(`${rule} → ${decision.target}`, style)]];
    }
    case "conntrack":
      return [[{ text: `conntrack ${decision.state}: ` }, styled(decision.entry, "changed")]];
  }
}

/** Every line of a hop's detail (the caller shows as many as fit). */
export function hopDetail(step: TraceStep, number: number, total: number, world: World | undefined, width: number): Line[] {
  const lines: Line[] = [[styled(`hop ${number}/${total}`, "title"), { text: ` · ${hopPlace(step)} · ${step.stage} · ${formatTime(step.time)}` }]];
  for (const text of wrapText(step.why, width - 2, 0)) lines.push([{ text: `  ${text}` }]);
  if (step.decision) for (const line of decisionLines(step.decision, step, world)) lines.push([{ text: "  " }, ...line]);
  if (step.arp) lines.push([{ text: `  ${arpLine(step.arp)}` }]);
  if (step.packet) lines.push([{ text: "  packet  " }, ...packetSegments(step.packet)]);
  if (step.packet && step.packetAfter) {
    lines.push([{ text: "  after   " }, ...packetSegments(step.packetAfter, step.packet)]);
    const changes = packetChanges(step.packet, step.packetAfter);
    if (changes.length > 0 && step.stage === "nf_hook") lines.push([{ text: "  NAT     " }, styled(changes.join(", "), "changed")]);
  }
  const verdict = hopVerdict(step);
  if (verdict && step.verdict !== "continue") lines.push([{ text: "  verdict " }, verdict]);
  return lines;
}
