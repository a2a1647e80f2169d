// Why a connection to a published port was refused: the DNAT rule that
// would have sent it on is in PREROUTING while the packet was generated
// locally (OUTPUT), or did not match (e.g. `-i eth0` for a packet arriving on
// br0); or no rule publishes the port at all, while exactly one listener
// could serve it.
import { formatIpv4Address } from "../model/address.js";
import type { NatRange, Rule } from "../model/netfilter.js";
import type { Trace } from "../model/trace.js";
import type { World } from "../model/world.js";
import { namespacePhrase } from "../render/trace.js";
import { namespaceNamed } from "./diagnose.js";
import type { Cause } from "./types.js";
import { ruleSpec } from "../commands/iptables/rule-format.js";

interface DnatRule {
  readonly chain: string;
  readonly number: number;
  readonly rule: Rule;
  readonly range: NatRange;
}

function targetText(range: NatRange): string | undefined {
  if (!range.addresses) return undefined;
  return `${formatIpv4Address(range.addresses.first)}${range.ports ? `:${range.ports.first}` : ""}`;
}

function dnatRulesFor(world: World, namespaceName: string, protocol: "tcp" | "udp", port: number): DnatRule[] {
  const nat = namespaceNamed(world, namespaceName)?.netfilter?.tables.get("nat");
  const found: DnatRule[] = [];
  for (const chain of nat?.chains.values() ?? []) {
    chain.rules.forEach((rule, index) => {
      if (rule.target?.kind !== "DNAT") return;
      const ports = rule.matches.find((match) => match.kind === protocol);
      const covers = ports && "destinationPorts" in ports && ports.destinationPorts && !ports.destinationInvert ? ports.destinationPorts.first <= port && port <= ports.destinationPorts.last : false;
      if (covers) found.push({ chain: chain.name, number: index + 1, rule, range: rule.target.range });
    });
  }
  return found;
}

/** The listeners of the world outside `namespaceName`, with an address to reach them by. */
function listenersElsewhere(world: World, namespaceName: string, protocol: "tcp" | "udp"): Array<{ address: number; port: number }> {
  const found: Array<{ address: number; port: number }> = [];
  for (const namespace of world.namespaces.values()) {
    if (namespace.name === namespaceName) continue;
    const address = [...namespace.devices.values()].flatMap((device) => device.addresses).find((candidate) => candidate.scope === "global")?.address;
    if (address === undefined) continue;
    for (const socket of namespace.sockets) if (socket.open && socket.protocol === protocol) found.push({ address: socket.address || address, port: socket.port });
  }
  return found;
}

export interface PortForwardDiagnosis {
  readonly cause: Cause;
  readonly fix?: string[];
}

/** Refines a "no listener" cause at a host that has, or could have, a port forward. */
export function diagnosePortForward(cause: Cause, trace: Trace, world: World): PortForwardDiagnosis | undefined {
  const index = cause.steps[cause.steps.length - 1];
  const step = index === undefined ? undefined : trace.steps[index];
  const packet = step?.packet;
  if (!step || !packet || (packet.transport.protocol !== "tcp" && packet.transport.protocol !== "udp")) return undefined;
  const protocol = packet.transport.protocol;
  const port = packet.transport.destinationPort;
  const host = step.namespace;
  const local = trace.namespace === host;
  const destination = formatIpv4Address(packet.destination);
  const prefix = host === "" ? "" : `ip netns exec ${host} `;
  const rules = dnatRulesFor(world, host, protocol, port);
  const prerouting = rules.filter((candidate) => candidate.chain === "PREROUTING");
  const output = rules.filter((candidate) => candidate.chain === "OUTPUT");
  const forward = (chain: "PREROUTING" | "OUTPUT", target: string, interfaceName?: string) =>
    `${prefix}iptables -t nat -A ${chain}${interfaceName ? ` -i ${interfaceName}` : ` -d ${destination}`} -p ${protocol} --dport ${port} -j DNAT --to-destination ${target}`;

  if (local && prerouting.length > 0 && output.length === 0) {
    const rule = prerouting[0]!;
    const target = targetText(rule.range);
    return {
      cause: {
        kind: "dnat-missed",
        summary: `rule ${rule.number} of nat PREROUTING (${ruleSpec(rule.rule)}) publishes ${destination}:${port}, but packets ${namespacePhrase(host)} generates itself never pass PREROUTING; they take nat OUTPUT, which has no such rule, so the connection meets the host's own closed port`,
        steps: cause.steps,
        objects: [`rule ${rule.number} of nat PREROUTING`, "nat OUTPUT"],
        ...(rule.rule.origin ? { origin: rule.rule.origin } : {}),
      },
      ...(target ? { fix: [forward("OUTPUT", target)] } : {}),
    };
  }
  if (!local && prerouting.length > 0) {
    const missed = trace.steps.find((candidate) => candidate.namespace === host && candidate.decision?.kind === "netfilter" && candidate.decision.table === "nat" && candidate.decision.chain === "PREROUTING" && candidate.decision.target === "DNAT" && candidate.decision.mismatch !== undefined);
    const rule = prerouting.find((candidate) => missed?.decision?.kind === "netfilter" && candidate.number === missed.decision.ruleNumber) ?? prerouting[0]!;
    const target = targetText(rule.range);
    const reason = missed?.decision?.kind === "netfilter" ? missed.decision.mismatch ?? "" : "it was not reached";
    return {
      cause: {
        kind: "dnat-missed",
        summary: `rule ${rule.number} of nat PREROUTING (${ruleSpec(rule.rule)}) would send ${destination}:${port} on, but it does not match this packet (${reason}), so the connection meets the host's own closed port`,
        steps: missed ? [trace.steps.indexOf(missed), ...cause.steps] : cause.steps,
        objects: [`rule ${rule.number} of nat PREROUTING`],
        ...(rule.rule.origin ? { origin: rule.rule.origin } : {}),
      },
      ...(target ? { fix: [forward("PREROUTING", target)] } : {}),
    };
  }
  if (rules.length === 0) {
    const listeners = listenersElsewhere(world, host, protocol);
    if (listeners.length !== 1) return undefined;
    const listener = listeners[0]!;
    const target = `${formatIpv4Address(listener.address)}:${listener.port}`;
    const ingress = local ? undefined : trace.steps.find((candidate) => candidate.namespace === host && candidate.stage === "ip_rcv")?.device;
    return {
      cause: {
        kind: "no-listener",
        summary: `nothing listens on ${protocol} port ${port} at ${destination} in ${namespacePhrase(host)}, and no DNAT rule forwards the port to the listener on ${target}`,
        steps: cause.steps,
        objects: cause.objects,
      },
      fix: [local ? forward("OUTPUT", target) : forward("PREROUTING", target, ingress)],
    };
  }
  return undefined;
}
