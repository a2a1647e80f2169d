// Candidate fixes for a cause, as the shell commands a user would type (the
// walkthrough's own fixes where it has one). A candidate is only offered
// once a rerun of the scenario with it confirms it (see explain.ts).
import { formatIpv4Address, networkAddress, prefixContains, type Ipv4Address } from "../model/address.js";
import type { NetDevice } from "../model/netdevice.js";
import type { NetworkNamespace } from "../model/netns.js";
import type { Ipv4Packet } from "../model/packet.js";
import type { Trace, TraceStep } from "../model/trace.js";
import type { World } from "../model/world.js";
import { deviceByName, fibLookup, vethPeer } from "../net/index.js";
import { devicesInOrder } from "../model/netns.js";
import { namespaceNamed } from "./diagnose.js";
import { diagnosePortForward } from "./port-forward.js";
import type { Cause } from "./types.js";

/** A command as typed from the scenario's own namespace. */
export function inNamespace(namespace: string, command: string): string {
  return namespace === "" ? command : `ip netns exec ${namespace} ${command}`;
}

function owner(world: World, address: Ipv4Address): { namespace: NetworkNamespace; device: NetDevice; prefixLength: number } | undefined {
  for (const namespace of world.namespaces.values()) {
    for (const device of devicesInOrder(namespace)) {
      const found = device.addresses.find((candidate) => candidate.address === address);
      if (found) return { namespace, device, prefixLength: found.prefixLength };
    }
  }
  return undefined;
}

/**
 * A bridge in `namespace` one of whose ports leads (by its veth peer) to the
 * device that owns `destination`, while the bridge itself has no address in
 * that subnet: the host can reach the containers only once it has one.
 */
export function bridgeWithoutAddressTowards(world: World, namespace: NetworkNamespace, destination: Ipv4Address): { bridge: NetDevice; address: Ipv4Address; prefixLength: number } | undefined {
  const target = owner(world, destination);
  if (!target || target.namespace === namespace) return undefined;
  for (const port of devicesInOrder(namespace)) {
    if (port.masterIndex === undefined) continue;
    const peer = vethPeer(world, port);
    if (!peer || peer.namespace !== target.namespace || peer.device !== target.device) continue;
    const bridge = namespace.devices.get(port.masterIndex)!;
    const subnet = { address: networkAddress(destination, target.prefixLength), length: target.prefixLength };
    if (bridge.addresses.some((address) => prefixContains(subnet, address.address))) return undefined;
    // The first free host address of the subnet, as the walkthrough's 172.18.0.1.
    const taken = new Set<number>();
    for (const other of world.namespaces.values()) for (const device of other.devices.values()) for (const address of device.addresses) taken.add(address.address);
    for (let candidate = subnet.address + 1; candidate < subnet.address + 2 ** (32 - subnet.length) - 1; candidate++) {
      if (!taken.has(candidate >>> 0)) return { bridge, address: candidate >>> 0, prefixLength: subnet.length };
    }
  }
  return undefined;
}

type NetfilterDecision = Extract<NonNullable<TraceStep["decision"]>, { kind: "netfilter" }>;

/** Built-in chains whose hook has an in device (-i) and an out device (-o) (iptables' own checks: -i is refused in OUTPUT/POSTROUTING, -o in PREROUTING/INPUT). */
const HAS_IN = new Set(["PREROUTING", "INPUT", "FORWARD"]);
const HAS_OUT = new Set(["FORWARD", "OUTPUT", "POSTROUTING"]);

/** ICMP types by iptables' names for them (iptables -p icmp -h). */
const ICMP_TYPE_NAMES: Readonly<Record<number, string>> = { 0: "echo-reply", 3: "destination-unreachable", 8: "echo-request", 11: "time-exceeded" };

/**
 * `iptables -I CHAIN ... -j ACCEPT` for exactly this packet's flow, as a
 * careful admin writes it (the issue's own example: `-I FORWARD -i eth0 -o
 * br0 -d 172.18.0.10 -p tcp --dport 11211 -j ACCEPT`): in and out device,
 * destination, protocol and port. A packet conntrack already knows (a reply,
 * or the later packets of a connection) is let through by its state instead,
 * the rule every stateful firewall starts with. (A reply is known by the
 * trace, not by its ctstate: the kernel tracks connections in a namespace
 * only once a rule or NAT needs it, so before the fix the reply has none.)
 */
export function narrowAccept(decision: NetfilterDecision, packet: Ipv4Packet, reply: boolean): string {
  const table = decision.table === "filter" ? "" : `-t ${decision.table} `;
  const state = packet.conntrack?.state;
  if (reply || state === "ESTABLISHED" || state === "RELATED") return `iptables ${table}-I ${decision.chain} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`;
  const words = [`iptables ${table}-I ${decision.chain}`];
  if (decision.in !== undefined && HAS_IN.has(decision.chain)) words.push(`-i ${decision.in}`);
  if (decision.out !== undefined && HAS_OUT.has(decision.chain)) words.push(`-o ${decision.out}`);
  words.push(`-d ${formatIpv4Address(packet.destination)}`);
  const transport = packet.transport;
  if (transport.protocol === "icmp") words.push(`-p icmp --icmp-type ${ICMP_TYPE_NAMES[transport.type] ?? transport.type}`);
  else words.push(`-p ${transport.protocol} --dport ${transport.destinationPort}`);
  words.push("-j ACCEPT");
  return words.join(" ");
}

/**
 * The nft form of narrowAccept, for a drop in an nft table (`inet
 * firewalld`): an accept put first in the chain that dropped (an accept
 * ends the base chain that jumped there too), for this packet's devices,
 * destination, protocol and port, or its conntrack state.
 */
export function nftNarrowAccept(decision: NetfilterDecision, packet: Ipv4Packet, reply: boolean): string {
  const words = [`nft insert rule ${decision.table} ${decision.chain}`];
  const state = packet.conntrack?.state;
  if (reply || state === "ESTABLISHED" || state === "RELATED") return `${words[0]} ct state established,related accept`;
  if (decision.in !== undefined) words.push(`iifname "${decision.in}"`);
  if (decision.out !== undefined) words.push(`oifname "${decision.out}"`);
  words.push(`ip daddr ${formatIpv4Address(packet.destination)}`);
  const transport = packet.transport;
  if (transport.protocol === "icmp") words.push(`icmp type ${ICMP_TYPE_NAMES[transport.type] ?? transport.type}`);
  else words.push(`${transport.protocol} dport ${transport.destinationPort}`);
  words.push("accept");
  return words.join(" ");
}

/** Whether the packet at step `index` answers one seen earlier in the trace: its addresses swapped, the same protocol. */
function isReplyInTrace(trace: Trace, index: number): boolean {
  const packet = trace.steps[index]?.packet;
  if (!packet) return false;
  return trace.steps.slice(0, index).some((step) => {
    const earlier = step.packet;
    return earlier !== undefined && earlier.source === packet.destination && earlier.destination === packet.source && earlier.transport.protocol === packet.transport.protocol;
  });
}

/** The blunt way past a policy drop, offered only second: the chain's policy set to ACCEPT. */
export function bluntPolicyFix(cause: Cause, trace: Trace): string | undefined {
  if (cause.kind !== "filtered" || cause.steps.length === 0) return undefined;
  const step = trace.steps[cause.steps[cause.steps.length - 1]!];
  const decision = step?.decision;
  // An nft base chain's policy is changed by rewriting the chain, not by iptables -P: not offered.
  if (decision?.kind !== "netfilter" || decision.ruleNumber !== undefined || decision.table.includes(" ")) return undefined;
  const table = decision.table === "filter" ? "" : `-t ${decision.table} `;
  return inNamespace(step!.namespace, `iptables ${table}-P ${decision.chain} ACCEPT`);
}

export function proposeFix(cause: Cause, trace: Trace, world: World): string[] | undefined {
  const step = cause.steps.length > 0 ? trace.steps[cause.steps[cause.steps.length - 1]!]! : undefined;
  const namespace = step ? namespaceNamed(world, step.namespace) : undefined;
  switch (cause.kind) {
    case "missing-bridge-address": {
      const origin = namespaceNamed(world, trace.namespace);
      const destination = trace.steps.find((candidate) => candidate.packet)?.packet?.destination;
      if (!origin || destination === undefined) return undefined;
      const found = bridgeWithoutAddressTowards(world, origin, destination);
      return found ? [inNamespace(trace.namespace, `ip addr add ${formatIpv4Address(found.address)}/${found.prefixLength} dev ${found.bridge.name}`)] : undefined;
    }
    case "no-route": {
      if (!namespace || step?.decision?.kind !== "no-route") return undefined;
      const gateway = gatewayTowards(world, namespace, step.decision.destination);
      return gateway === undefined ? undefined : [inNamespace(namespace.name, `ip route add default via ${formatIpv4Address(gateway)}`)];
    }
    case "duplicate-subnet": {
      const decision = trace.steps[cause.steps[0]!]?.decision;
      if (!namespace || decision?.kind !== "route") return undefined;
      const equals = decision.candidates.filter((route) => route.metric === decision.chosen.metric);
      const devices = equals.map((route) => namespace.devices.get(route.nexthop?.deviceIndex ?? -1)).filter((device): device is NetDevice => device !== undefined);
      const bridgeName = freeName(namespace, "br");
      const commands = [`ip link add ${bridgeName} type bridge`, `ip link set ${bridgeName} up`];
      for (const device of devices) {
        for (const address of device.addresses) {
          if (networkAddress(address.address, address.prefixLength) === decision.chosen.prefix.address && address.prefixLength === decision.chosen.prefix.length) {
            commands.push(`ip addr del ${formatIpv4Address(address.address)}/${address.prefixLength} dev ${device.name}`);
          }
        }
      }
      for (const device of devices) commands.push(`ip link set ${device.name} master ${bridgeName}`);
      return commands.map((command) => inNamespace(namespace.name, command));
    }
    case "hairpin-off":
      return cause.device ? [inNamespace(cause.device.namespace, `bridge link set dev ${cause.device.name} hairpin on`)] : undefined;
    case "link-down": {
      if (cause.device) return [inNamespace(cause.device.namespace, `ip link set ${cause.device.name} up`)];
      if (!namespace || !step) return undefined;
      const device = step.device ? deviceByName(namespace, step.device) : undefined;
      if (!device) return undefined;
      if (step.dropReason === "NO_CARRIER") {
        const peer = vethPeer(world, device);
        return peer ? [inNamespace(peer.namespace.name, `ip link set ${peer.device.name} up`)] : undefined;
      }
      if (!device.adminUp) return [inNamespace(namespace.name, `ip link set ${device.name} up`)];
      const master = device.masterIndex === undefined ? undefined : namespace.devices.get(device.masterIndex);
      if (master && !master.adminUp) return [inNamespace(namespace.name, `ip link set ${master.name} up`)];
      return undefined;
    }
    case "forwarding-off": {
      if (!namespace) return undefined;
      if (!namespace.sysctl.confAll.forwarding) {
        return [namespace.name === "" ? "echo 1 > /proc/sys/net/ipv4/ip_forward" : inNamespace(namespace.name, "sysctl -w net.ipv4.ip_forward=1")];
      }
      return step?.device ? [inNamespace(namespace.name, `sysctl -w net.ipv4.conf.${step.device}.forwarding=1`)] : undefined;
    }
    case "no-route-back": {
      if (!step?.packet || cause.steps.length === 0) return undefined;
      const requestSource = step.packet.source;
      // The last router the request crossed hides the sender behind its own address (the walkthrough's MASQUERADE).
      const forwardIndex = trace.steps.slice(0, cause.steps[0]).map((candidate, index) => ({ candidate, index })).filter(({ candidate }) => candidate.stage === "ip_forward" && candidate.verdict === "continue").pop();
      if (!forwardIndex) return undefined;
      const router = namespaceNamed(world, forwardIndex.candidate.namespace);
      const ingress = forwardIndex.candidate.device;
      const back = router ? fibLookup(router, requestSource) : undefined;
      if (!router || !ingress || !back || back.route.type !== "unicast") return undefined;
      const prefix = back.route.prefix;
      return [inNamespace(router.name, `iptables -t nat -A POSTROUTING -s ${formatIpv4Address(prefix.address)}/${prefix.length} ! -o ${ingress} -j MASQUERADE`)];
    }
    case "no-listener":
    case "dnat-missed":
      return diagnosePortForward(cause, trace, world)?.fix;
    case "filtered": {
      if (!namespace || step?.decision?.kind !== "netfilter") return undefined;
      const decision = step.decision;
      const reply = isReplyInTrace(trace, cause.steps[cause.steps.length - 1]!);
      // An nft table (`inet firewalld`): an accept before the rule or policy that dropped, in nft's own words.
      if (decision.table.includes(" ")) return step.packet ? [inNamespace(namespace.name, nftNarrowAccept(decision, step.packet, reply))] : undefined;
      const table = decision.table === "filter" ? "" : `-t ${decision.table} `;
      if (decision.ruleNumber !== undefined) return [inNamespace(namespace.name, `iptables ${table}-D ${decision.chain} ${decision.ruleNumber}`)];
      // A policy drop: the narrowest rule that lets this packet through, not the whole chain.
      return step.packet ? [inNamespace(namespace.name, narrowAccept(decision, step.packet, isReplyInTrace(trace, cause.steps[cause.steps.length - 1]!)))] : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * A gateway for a namespace with no route: an address on one of its
 * connected subnets, owned by another namespace that can itself reach the
 * destination (or at least forwards).
 */
function gatewayTowards(world: World, namespace: NetworkNamespace, destination: Ipv4Address): Ipv4Address | undefined {
  const candidates: Array<{ address: Ipv4Address; score: number }> = [];
  for (const device of devicesInOrder(namespace)) {
    for (const own of device.addresses) {
      if (own.scope !== "global") continue;
      const subnet = { address: networkAddress(own.address, own.prefixLength), length: own.prefixLength };
      for (const other of world.namespaces.values()) {
        if (other === namespace) continue;
        for (const otherDevice of other.devices.values()) {
          for (const address of otherDevice.addresses) {
            if (!prefixContains(subnet, address.address)) continue;
            const onward = fibLookup(other, destination);
            const score = (onward && onward.route.type !== "unicast" ? 0 : onward ? 2 : 0) + (other.sysctl.confAll.forwarding ? 1 : 0);
            candidates.push({ address: address.address, score });
          }
        }
      }
    }
  }
  candidates.sort((a, b) => b.score - a.score);
  return candidates[0]?.address;
}

function freeName(namespace: NetworkNamespace, stem: string): string {
  for (let index = 0; ; index++) if (!deviceByName(namespace, `${stem}${index}`)) return `${stem}${index}`;
}
