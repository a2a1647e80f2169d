// Candidate fixes for a cause, as the shell commands a user would type (the
// walkthrough's own fixes where it has one). A candidate is only offered
// once a rerun of the scenario with it confirms it (see explain.ts).
import { formatIpv4Address, networkAddress, prefixContains, type Ipv4Address } from "../model/address.js";
import type { NetDevice } from "../model/netdevice.js";
import type { NetworkNamespace } from "../model/netns.js";
import type { Trace } from "../model/trace.js";
import type { World } from "../model/world.js";
import { deviceByName, devicesInOrder, vethPeer } from "../net/core/net-namespace.js";
import { fibLookup } from "../net/ipv4/route.js";
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
      const table = decision.table === "filter" ? "" : `-t ${decision.table} `;
      if (decision.ruleNumber !== undefined) return [inNamespace(namespace.name, `iptables ${table}-D ${decision.chain} ${decision.ruleNumber}`)];
      return [inNamespace(namespace.name, `iptables ${table}-P ${decision.chain} ACCEPT`)];
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
