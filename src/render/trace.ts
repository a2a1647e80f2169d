// A probe's trace as text: one line a step, in time order, saying where,
// what decided and why (what `netsim run --trace` prints).
import { formatIpv4Address } from "../model/address.js";
import type { Ipv4Packet } from "../model/packet.js";
import type { Trace, TraceStep } from "../model/trace.js";

/** A namespace as a column or box label names it: "(root)" for the scenario's own (the host's) namespace, as in "(root)/veth0". */
export function namespaceLabel(name: string): string {
  return name === "" ? "(root)" : name;
}

/** A namespace in a sentence: "the root namespace", as the trace's own texts say it ("its peer veth0 in the root namespace"). */
export function namespacePhrase(name: string): string {
  return name === "" ? "the root namespace" : name;
}

export function formatTime(microseconds: number): string {
  if (microseconds < 1000) return `${microseconds}µs`;
  if (microseconds < 1_000_000) return `${(microseconds / 1000).toFixed(3)}ms`;
  return `${(microseconds / 1_000_000).toFixed(3)}s`;
}

export function describePacket(packet: Ipv4Packet): string {
  const transport = packet.transport;
  const ends = (port: number | undefined, address: number) => `${formatIpv4Address(address)}${port === undefined ? "" : `:${port}`}`;
  switch (transport.protocol) {
    case "icmp": {
      const kind = transport.type === 8 ? "echo request" : transport.type === 0 ? "echo reply" : `icmp type ${transport.type} code ${transport.code}`;
      const id = transport.id !== undefined ? ` id ${transport.id} seq ${transport.sequence ?? 0}` : "";
      return `${formatIpv4Address(packet.source)} > ${formatIpv4Address(packet.destination)} ${kind}${id} ttl ${packet.ttl}`;
    }
    case "tcp": {
      const flags = Object.entries(transport.flags).filter(([, on]) => on).map(([flag]) => flag.toUpperCase()).join(",");
      return `${ends(transport.sourcePort, packet.source)} > ${ends(transport.destinationPort, packet.destination)} tcp [${flags}] ttl ${packet.ttl}`;
    }
    case "udp":
      return `${ends(transport.sourcePort, packet.source)} > ${ends(transport.destinationPort, packet.destination)} udp ttl ${packet.ttl}`;
  }
}

function stepLine(step: TraceStep, number: number): string {
  const where = `${namespaceLabel(step.namespace)}${step.device ? `/${step.device}` : ""}`;
  const verdict = step.verdict === "drop" ? `  [DROP${step.dropReason ? ` ${step.dropReason}` : ""}]` : step.verdict === "queue" ? "  [queued]" : step.verdict === "deliver" ? "  [delivered]" : "";
  const packet = step.packet ? `\n        packet: ${describePacket(step.packet)}` : "";
  const after = step.packetAfter ? `\n        after:  ${describePacket(step.packetAfter)}` : "";
  return `  ${String(number).padStart(3)}  ${formatTime(step.time).padStart(9)}  ${where.padEnd(18)} ${step.stage.padEnd(21)} ${step.why}${verdict}${packet}${after}`;
}

export function formatTrace(trace: Trace): string {
  const header = `trace: ${trace.probe} (in ${namespacePhrase(trace.namespace)})`;
  return `${header}\n${trace.steps.map((step, index) => stepLine(step, index + 1)).join("\n")}\n`;
}
