// Builders for the worlds NAT properties are usually about, written as the
// commands that make them (scenarios/walkthrough, scenarios/docker): a
// container host (N containers on a bridge, an uplink to a "wan" namespace
// that plays the gateway and the internet), and a Docker host with Docker's
// own ruleset. Each is a Scenario: printed, it is the bash that builds it.
import fc from "fast-check";
import { formatIpv4Address, parseIpv4Address, prefixMask } from "../model/address.js";
import type { World } from "../model/world.js";
import { ipv4Outside, parsePrefix, privatePrefix } from "./arbitraries.js";
import type { FlowProtocol } from "./flow.js";
import { buildWorld, scenario, type Scenario } from "./scenario.js";

export interface Container {
  /** The namespace. */
  readonly name: string;
  readonly address: string;
  /** The host end of its veth (a port of the bridge). */
  readonly hostVeth: string;
  /** Its end, inside the namespace. */
  readonly device: string;
}

export interface Listener {
  /** Namespace ("" for the host). */
  readonly namespace: string;
  readonly protocol: "tcp" | "udp";
  readonly port: number;
}

/** A published port: host:hostPort goes to a container's containerPort. */
export interface PortForward {
  readonly protocol: "tcp" | "udp";
  readonly hostPort: number;
  /** Index into the containers. */
  readonly container: number;
  readonly containerPort: number;
}

export interface ContainerHostOptions {
  /** How many containers (default 2). */
  readonly containers?: number;
  /** Their subnet (default 172.18.0.0/16): the bridge takes the first address, containers the next ones. */
  readonly subnet?: string;
  readonly bridge?: string;
  /** The host's uplink (default eth0, 192.168.0.100/16, gateway 192.168.0.1 in namespace wan). */
  readonly uplink?: { readonly device?: string; readonly address?: string; readonly gateway?: string };
  /** Addresses the wan namespace owns (on its lo): the internet (default 8.8.8.8). */
  readonly internet?: readonly string[];
  /** net.ipv4.ip_forward on the host (default true). */
  readonly forwarding?: boolean;
  /** `-t nat -A POSTROUTING -s SUBNET ! -o BRIDGE -j MASQUERADE` (default true); a string adds it with these words after MASQUERADE (`--to-ports 1024-1100`). */
  readonly masquerade?: boolean | string;
  /** PREROUTING DNAT rules `-i UPLINK`, and (with `output`) the nat OUTPUT twin for the host's own traffic. */
  readonly portForwards?: readonly PortForward[];
  /** Also add a nat OUTPUT DNAT for each port forward (default false). */
  readonly outputPortForwards?: boolean;
  /** Servers: `nc -lk PORT &` (`-lku` for UDP) in the namespace. Port forwards get their listener added. */
  readonly listeners?: readonly Listener[];
  /** More command lines, run last (your own iptables rules). */
  readonly extra?: readonly string[];
}

export interface ContainerHost extends Scenario {
  readonly containers: readonly Container[];
  readonly subnet: string;
  readonly bridge: string;
  readonly bridgeAddress: string;
  readonly uplink: { readonly device: string; readonly address: string; readonly prefix: string; readonly gateway: string };
  /** The namespace on the far side of the uplink. */
  readonly wan: string;
  readonly internet: readonly string[];
  readonly portForwards: readonly PortForward[];
  /** A fresh copy of the world it builds. */
  world(): World;
}

function offsetAddress(prefix: string, offset: number): string {
  const parsed = parsePrefix(prefix);
  return formatIpv4Address((parsed.address + offset) >>> 0);
}

function listenerLine(listener: Listener): string {
  const inside = listener.namespace === "" ? "" : `ip netns exec ${listener.namespace} `;
  return `${inside}nc -lk${listener.protocol === "udp" ? "u" : ""} ${listener.port} &`;
}

function withWorld<T extends object>(built: Scenario, extra: T): T & Scenario & { world(): World } {
  return { ...extra, lines: built.lines, toString: built.toString, [fc.toStringMethod]: built[fc.toStringMethod], world: () => buildWorld(built) };
}

/**
 * A host with containers on a bridge and an uplink, as the walkthrough builds
 * it (stages 1-9): the wan namespace is the gateway, forwards, owns the
 * internet addresses, and has no route back to the containers' subnet.
 */
export function containerHost(options: ContainerHostOptions = {}): ContainerHost {
  const count = options.containers ?? 2;
  const subnet = options.subnet ?? "172.18.0.0/16";
  const parsedSubnet = parsePrefix(subnet);
  const subnetText = `${formatIpv4Address(parsedSubnet.address)}/${parsedSubnet.length}`;
  if (2 ** (32 - parsedSubnet.length) < count + 3) throw new Error(`netsim/testing: ${subnet} has no room for ${count} containers`);
  const bridge = options.bridge ?? "br0";
  const uplinkDevice = options.uplink?.device ?? "eth0";
  const uplinkCidr = options.uplink?.address ?? "192.168.0.100/16";
  const [uplinkAddress = "", uplinkLengthText = "32"] = uplinkCidr.split("/");
  const uplinkPrefix = parsePrefix(uplinkCidr);
  const gateway = options.uplink?.gateway ?? formatIpv4Address((uplinkPrefix.address + 1) >>> 0);
  const internet = options.internet ?? ["8.8.8.8"];
  const bridgeAddress = offsetAddress(subnetText, 1);
  const containers: Container[] = Array.from({ length: count }, (_, index) => ({ name: `c${index}`, address: offsetAddress(subnetText, 2 + index), hostVeth: `veth${index}`, device: "eth0" }));
  const portForwards = options.portForwards ?? [];
  const lines: string[] = [
    `# The uplink ${uplinkDevice} ${uplinkCidr}; its far side is namespace wan: the gateway ${gateway}, forwarding, owning the internet's addresses.`,
    "ip netns add wan",
    `ip link add ${uplinkDevice} type veth peer name wan0 netns wan`,
    `ip addr add ${uplinkCidr} dev ${uplinkDevice}`,
    `ip link set ${uplinkDevice} up`,
    `ip -n wan addr add ${gateway}/${uplinkLengthText} dev wan0`,
    ...internet.map((address) => `ip -n wan addr add ${address}/32 dev lo`),
    "ip -n wan link set lo up",
    "ip -n wan link set wan0 up",
    `ip route add default via ${gateway}`,
    "ip netns exec wan sysctl -q -w net.ipv4.ip_forward=1",
    `# The bridge ${bridge} with ${bridgeAddress}, the containers' gateway.`,
    `ip link add ${bridge} type bridge`,
    `ip addr add ${bridgeAddress}/${parsedSubnet.length} dev ${bridge}`,
    `ip link set ${bridge} up`,
  ];
  for (const container of containers) {
    lines.push(
      `# Container ${container.name}: ${container.address}, joined to ${bridge} by ${container.hostVeth}.`,
      `ip netns add ${container.name}`,
      `ip link add ${container.hostVeth} type veth peer name ${container.device} netns ${container.name}`,
      `ip link set ${container.hostVeth} master ${bridge}`,
      `ip link set ${container.hostVeth} up`,
      `ip -n ${container.name} link set lo up`,
      `ip -n ${container.name} addr add ${container.address}/${parsedSubnet.length} dev ${container.device}`,
      `ip -n ${container.name} link set ${container.device} up`,
      `ip -n ${container.name} route add default via ${bridgeAddress}`,
    );
  }
  lines.push(`sysctl -q -w net.ipv4.ip_forward=${options.forwarding === false ? 0 : 1}`);
  const masquerade = options.masquerade ?? true;
  if (masquerade !== false) lines.push(`iptables -t nat -A POSTROUTING -s ${subnetText} ! -o ${bridge} -j MASQUERADE${typeof masquerade === "string" && masquerade !== "" ? ` ${masquerade}` : ""}`);
  const listeners: Listener[] = [...(options.listeners ?? [])];
  for (const forward of portForwards) {
    const target = containers[forward.container];
    if (!target) throw new Error(`netsim/testing: port forward to container ${forward.container}, but there are ${count}`);
    lines.push(`iptables -t nat -A PREROUTING -i ${uplinkDevice} -p ${forward.protocol} --dport ${forward.hostPort} -j DNAT --to-destination ${target.address}:${forward.containerPort}`);
    if (options.outputPortForwards) lines.push(`iptables -t nat -A OUTPUT -d ${uplinkAddress}/32 -p ${forward.protocol} --dport ${forward.hostPort} -j DNAT --to-destination ${target.address}:${forward.containerPort}`);
    const listener: Listener = { namespace: target.name, protocol: forward.protocol, port: forward.containerPort };
    if (!listeners.some((known) => known.namespace === listener.namespace && known.protocol === listener.protocol && known.port === listener.port)) listeners.push(listener);
  }
  lines.push(...listeners.map(listenerLine));
  lines.push(...(options.extra ?? []));
  return withWorld(scenario(lines), {
    containers,
    subnet: subnetText,
    bridge,
    bridgeAddress,
    uplink: { device: uplinkDevice, address: uplinkAddress, prefix: `${formatIpv4Address(uplinkPrefix.address)}/${uplinkPrefix.length}`, gateway },
    wan: "wan",
    internet,
    portForwards,
  });
}

export interface ContainerHostConstraints {
  readonly minContainers?: number;
  readonly maxContainers?: number;
  /** Internet addresses the wan owns (default 1-3). */
  readonly maxInternet?: number;
  /** Passed through to containerHost(). */
  readonly masquerade?: boolean | string;
  readonly forwarding?: boolean;
  /** Listeners put on every internet address's namespace (wan), for flows to answer. */
  readonly wanListeners?: readonly Omit<Listener, "namespace">[];
  /** Port forwards to generate (0 by default), with listeners in the containers. */
  readonly maxPortForwards?: number;
  readonly outputPortForwards?: boolean;
  readonly extra?: readonly string[];
}

/** Container hosts of every shape: subnet, uplink, container count, internet addresses, port forwards. */
export function containerHostArbitrary(constraints: ContainerHostConstraints = {}): fc.Arbitrary<ContainerHost> {
  const minContainers = constraints.minContainers ?? 1;
  const maxContainers = constraints.maxContainers ?? 4;
  return fc
    .record({
      subnet: fc.oneof(privatePrefix({ minLength: 16, maxLength: 28 }).filter((prefix) => !prefix.startsWith("192.168."))),
      uplinkNet: fc.integer({ min: 0, max: 255 }),
      uplinkHost: fc.integer({ min: 2, max: 254 }),
      containers: fc.integer({ min: minContainers, max: maxContainers }),
      internet: fc.uniqueArray(ipv4Outside(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"]), { minLength: 1, maxLength: constraints.maxInternet ?? 3 }),
      forwards: fc.uniqueArray(
        fc.record({ protocol: fc.constantFrom<"tcp" | "udp">("tcp", "udp"), hostPort: fc.integer({ min: 1, max: 65535 }), container: fc.nat(), containerPort: fc.integer({ min: 1, max: 65535 }) }),
        { maxLength: constraints.maxPortForwards ?? 0, selector: (forward) => `${forward.protocol}/${forward.hostPort}` },
      ),
    })
    .map(({ subnet, uplinkNet, uplinkHost, containers, internet, forwards }) => {
      const wanListeners = constraints.wanListeners ?? [];
      return containerHost({
        containers,
        subnet,
        uplink: { address: `192.168.${uplinkNet}.${uplinkHost}/24`, gateway: `192.168.${uplinkNet}.${uplinkHost === 1 ? 2 : 1}` },
        internet,
        ...(constraints.masquerade !== undefined ? { masquerade: constraints.masquerade } : {}),
        ...(constraints.forwarding !== undefined ? { forwarding: constraints.forwarding } : {}),
        listeners: wanListeners.map((listener) => ({ ...listener, namespace: "wan" })),
        portForwards: forwards.map((forward) => ({ ...forward, container: forward.container % containers })),
        ...(constraints.outputPortForwards ? { outputPortForwards: true } : {}),
        ...(constraints.extra ? { extra: constraints.extra } : {}),
      });
    });
}

export interface DockerNetwork {
  /** The bridge device (docker0, br-<id>). */
  readonly bridge: string;
  readonly subnet: string;
  /** How many containers (default 1). */
  readonly containers?: number;
}

export interface DockerPublish {
  readonly protocol: "tcp" | "udp";
  readonly hostPort: number;
  /** Network index and container index in it. */
  readonly network: number;
  readonly container: number;
  readonly containerPort: number;
}

export interface DockerHostOptions {
  /** Default: docker0 on 172.17.0.0/16 with two containers. */
  readonly networks?: readonly DockerNetwork[];
  readonly publish?: readonly DockerPublish[];
  readonly uplink?: ContainerHostOptions["uplink"];
  readonly internet?: readonly string[];
  readonly extra?: readonly string[];
}

export interface DockerHost extends Scenario {
  readonly networks: readonly { readonly bridge: string; readonly subnet: string; readonly gateway: string; readonly containers: readonly Container[] }[];
  readonly uplink: ContainerHost["uplink"];
  readonly wan: string;
  readonly internet: readonly string[];
  readonly publish: readonly DockerPublish[];
  world(): World;
}

/**
 * A Docker host (Docker 20.10-26, iptables backend): bridges with
 * containers, and the filter and nat rules Docker installs for them and for
 * published ports, in Docker's order (scenarios/docker/docker-host.sh).
 */
export function dockerHost(options: DockerHostOptions = {}): DockerHost {
  const networks = options.networks ?? [{ bridge: "docker0", subnet: "172.17.0.0/16", containers: 2 }];
  const base = containerHost({ containers: 0, masquerade: false, ...(options.uplink ? { uplink: options.uplink } : {}), ...(options.internet ? { internet: options.internet } : {}), bridge: "unused0" });
  // The uplink and wan part of the container host, without its bridge.
  const lines: string[] = base.lines.slice(0, base.lines.findIndex((line) => line.startsWith("# The bridge")));
  lines.push("# Docker turns forwarding on.", "sysctl -q -w net.ipv4.ip_forward=1");
  let serial = 0;
  const built = networks.map((network) => {
    const parsed = parsePrefix(network.subnet);
    const subnet = `${formatIpv4Address(parsed.address)}/${parsed.length}`;
    const gateway = offsetAddress(subnet, 1);
    const containers: Container[] = Array.from({ length: network.containers ?? 1 }, (_, index) => {
      const id = serial++;
      return { name: `ctr${id}`, address: offsetAddress(subnet, 2 + index), hostVeth: `veth${id}`, device: "eth0" };
    });
    lines.push(`ip link add ${network.bridge} type bridge`, `ip addr add ${gateway}/${parsed.length} dev ${network.bridge}`, `ip link set ${network.bridge} up`);
    for (const container of containers) {
      lines.push(
        `ip netns add ${container.name}`,
        `ip link add ${container.hostVeth} type veth peer name eth0 netns ${container.name}`,
        `ip link set ${container.hostVeth} master ${network.bridge}`,
        `ip link set ${container.hostVeth} up`,
        `ip -n ${container.name} link set lo up`,
        `ip -n ${container.name} addr add ${container.address}/${parsed.length} dev eth0`,
        `ip -n ${container.name} link set eth0 up`,
        `ip -n ${container.name} route add default via ${gateway}`,
      );
    }
    return { bridge: network.bridge, subnet, gateway, containers };
  });
  const publish = options.publish ?? [];
  const targetOf = (item: DockerPublish) => {
    const container = built[item.network]?.containers[item.container];
    if (!container) throw new Error(`netsim/testing: no container ${item.container} in network ${item.network}`);
    return { network: built[item.network]!, container };
  };
  // Docker inserts each network's rules at the top: the newest network comes first.
  const newestFirst = [...built].reverse();
  lines.push(
    "# The filter rules Docker installs.",
    "iptables -P FORWARD DROP",
    "iptables -N DOCKER",
    "iptables -N DOCKER-ISOLATION-STAGE-1",
    "iptables -N DOCKER-ISOLATION-STAGE-2",
    "iptables -N DOCKER-USER",
    "iptables -A FORWARD -j DOCKER-USER",
    "iptables -A FORWARD -j DOCKER-ISOLATION-STAGE-1",
  );
  for (const network of newestFirst) {
    const bridge = network.bridge;
    lines.push(
      `iptables -A FORWARD -o ${bridge} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
      `iptables -A FORWARD -o ${bridge} -j DOCKER`,
      `iptables -A FORWARD -i ${bridge} ! -o ${bridge} -j ACCEPT`,
      `iptables -A FORWARD -i ${bridge} -o ${bridge} -j ACCEPT`,
    );
  }
  for (const item of publish) {
    const { network, container } = targetOf(item);
    lines.push(`iptables -A DOCKER -d ${container.address}/32 ! -i ${network.bridge} -o ${network.bridge} -p ${item.protocol} -m ${item.protocol} --dport ${item.containerPort} -j ACCEPT`);
  }
  for (const network of newestFirst) lines.push(`iptables -A DOCKER-ISOLATION-STAGE-1 -i ${network.bridge} ! -o ${network.bridge} -j DOCKER-ISOLATION-STAGE-2`);
  lines.push("iptables -A DOCKER-ISOLATION-STAGE-1 -j RETURN");
  for (const network of newestFirst) lines.push(`iptables -A DOCKER-ISOLATION-STAGE-2 -o ${network.bridge} -j DROP`);
  lines.push("iptables -A DOCKER-ISOLATION-STAGE-2 -j RETURN", "iptables -A DOCKER-USER -j RETURN");
  lines.push(
    "# The nat rules Docker installs.",
    "iptables -t nat -N DOCKER",
    "iptables -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
    "iptables -t nat -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER",
  );
  for (const network of newestFirst) lines.push(`iptables -t nat -A POSTROUTING -s ${network.subnet} ! -o ${network.bridge} -j MASQUERADE`);
  for (const item of publish) {
    const { container } = targetOf(item);
    lines.push(`iptables -t nat -A POSTROUTING -s ${container.address}/32 -d ${container.address}/32 -p ${item.protocol} -m ${item.protocol} --dport ${item.containerPort} -j MASQUERADE`);
  }
  for (const network of newestFirst) lines.push(`iptables -t nat -A DOCKER -i ${network.bridge} -j RETURN`);
  for (const item of publish) {
    const { network, container } = targetOf(item);
    lines.push(`iptables -t nat -A DOCKER ! -i ${network.bridge} -p ${item.protocol} -m ${item.protocol} --dport ${item.hostPort} -j DNAT --to-destination ${container.address}:${item.containerPort}`);
  }
  const listened = new Set<string>();
  for (const item of publish) {
    const { container } = targetOf(item);
    const key = `${container.name}/${item.protocol}/${item.containerPort}`;
    if (listened.has(key)) continue;
    listened.add(key);
    lines.push(listenerLine({ namespace: container.name, protocol: item.protocol, port: item.containerPort }));
  }
  lines.push(...(options.extra ?? []));
  return withWorld(scenario(lines), { networks: built, uplink: base.uplink, wan: base.wan, internet: base.internet, publish });
}

/** Whether `address` is in `prefix` (both dotted). */
export function inSubnet(prefix: string, address: string): boolean {
  const parsed = parsePrefix(prefix);
  const value = parseIpv4Address(address);
  return value !== undefined && ((value & prefixMask(parsed.length)) >>> 0) === parsed.address;
}

export type { FlowProtocol };
