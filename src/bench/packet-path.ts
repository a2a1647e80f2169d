// Item 2: round trips through the container path (veth -> bridge -> FORWARD
// -> MASQUERADE -> uplink, with conntrack, and the reply back) on a Docker
// host, with Docker 29's own ruleset loaded (its iptables backend through
// iptables-restore, its nftables backend through nft -f), tracing off and
// on, against the kernel's flood-ping rate through the same topology and
// ruleset.
//
// The simulator's side sends echo requests from the container's namespace
// with the model's own output path (ip_route_output, ip_local_out) and runs
// the event queue until the reply reaches the socket: the packet path alone,
// without the ping program's bookkeeping. Once the connection is
// established, the host's two forwarded hops take netsim's flow cache
// (net/netfilter/nf-flow-table.ts), traced or not.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkKernelBackendAvailable, KernelBackend } from "../backends/kernel/kernel-backend.js";
import { walkthroughUplink } from "./uplink.js";
import { NETWORK_COMMANDS } from "../commands/registry.js";
import { parseIpv4Address } from "../model/address.js";
import type { NetworkNamespace } from "../model/netns.js";
import { ICMP_ECHO, type Ipv4Packet } from "../model/packet.js";
import type { World } from "../model/world.js";
import { type PingSocket, createSimulation, ipLocalOut, ipRouteOutput, runEvents } from "../net/index.js";
import { ScenarioSimulator } from "../scenario/runner.js";
import { formatCount, ratePerSecond, type BenchRow } from "./measure.js";

/** Whether the simulator takes `iptables` yet (the netfilter engine is in place). */
export function natAvailable(): boolean {
  return NETWORK_COMMANDS.has("iptables");
}

/** One container behind br0, the host forwarding to the uplink; with NAT when `masquerade`. */
export function containerPathScript(masquerade: boolean): string {
  return `${walkthroughUplink()}
ip link add br0 type bridge
ip link set br0 up
ip addr add 172.18.0.1/16 dev br0
ip netns add c1
ip link add veth1 type veth peer name ceth1
ip link set ceth1 netns c1
ip link set veth1 master br0
ip link set veth1 up
ip -n c1 link set lo up
ip -n c1 addr add 172.18.0.10/16 dev ceth1
ip -n c1 link set ceth1 up
ip -n c1 route add default via 172.18.0.1
sysctl -q -w net.ipv4.ip_forward=1
${masquerade ? "iptables -t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br0 -j MASQUERADE" : "# no NAT: the far side routes the containers' network back\nip -n wan route add 172.18.0.0/16 via 192.168.0.100"}
ip netns exec c1 ping -c 1 -W 1 8.8.8.8   # expect: reply
`;
}

/** Docker's two firewall backends (dockerd --firewall-backend). */
export type DockerFirewall = "iptables" | "nftables";

/**
 * What Docker 29 (moby docker-v29.7.2) writes for its default bridge with one
 * container and no published port, with the iptables backend: the rules of
 * scenarios/docker/docker-29-host.sh for docker0 alone (filterDirectAccess
 * in raw, FORWARD through DOCKER-USER and DOCKER-FORWARD, MASQUERADE).
 */
const DOCKER_IPTABLES_RULES = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -d 172.17.0.2/32 ! -i docker0 -j DROP
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-BRIDGE - [0:0]
:DOCKER-CT - [0:0]
:DOCKER-FORWARD - [0:0]
:DOCKER-INTERNAL - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-FORWARD
-A DOCKER ! -i docker0 -o docker0 -j DROP
-A DOCKER-BRIDGE -o docker0 -j DOCKER
-A DOCKER-CT -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A DOCKER-FORWARD -j DOCKER-CT
-A DOCKER-FORWARD -j DOCKER-INTERNAL
-A DOCKER-FORWARD -j DOCKER-BRIDGE
-A DOCKER-FORWARD -i docker0 -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
COMMIT
`;

/**
 * The same setup with the nftables backend: Docker 29's \`ip docker-bridges\`
 * table (scenarios/docker/docker-nft-host.sh, moby's nftablesdoc dumps) for
 * docker0 alone.
 */
const DOCKER_NFT_RULES = `table ip docker-bridges {
	map filter-forward-in-jumps {
		type ifname : verdict
		elements = { "docker0" : jump filter-forward-in__docker0 }
	}

	map filter-forward-out-jumps {
		type ifname : verdict
		elements = { "docker0" : jump filter-forward-out__docker0 }
	}

	map nat-postrouting-in-jumps {
		type ifname : verdict
		elements = { "docker0" : jump nat-postrouting-in__docker0 }
	}

	map nat-postrouting-out-jumps {
		type ifname : verdict
		elements = { "docker0" : jump nat-postrouting-out__docker0 }
	}

	chain filter-FORWARD {
		type filter hook forward priority 0; policy accept;
		oifname vmap @filter-forward-in-jumps
		iifname vmap @filter-forward-out-jumps
	}

	chain nat-OUTPUT {
		type nat hook output priority -100; policy accept;
		ip daddr != 127.0.0.0/8 fib daddr type local counter jump nat-prerouting-and-output
	}

	chain nat-POSTROUTING {
		type nat hook postrouting priority 100; policy accept;
		iifname vmap @nat-postrouting-out-jumps
		oifname vmap @nat-postrouting-in-jumps
	}

	chain nat-PREROUTING {
		type nat hook prerouting priority -100; policy accept;
		fib daddr type local counter jump nat-prerouting-and-output
	}

	chain nat-prerouting-and-output {
	}

	chain raw-PREROUTING {
		type filter hook prerouting priority -300; policy accept;
		ip daddr 172.17.0.2 iifname != "docker0" counter drop comment "DROP DIRECT ACCESS"
	}

	chain filter-forward-in__docker0 {
		ct state established,related counter accept
		iifname "docker0" counter accept comment "ICC"
		counter drop comment "UNPUBLISHED PORT DROP"
	}

	chain filter-forward-out__docker0 {
		ct state established,related counter accept
		counter accept comment "OUTGOING"
	}

	chain nat-postrouting-in__docker0 {
	}

	chain nat-postrouting-out__docker0 {
		oifname != "docker0" ip saddr 172.17.0.0/16 counter masquerade comment "MASQUERADE"
	}
}
`;

/** A Docker 29 host: the default bridge docker0 with one container c1 (172.17.0.2), forwarding to the uplink, Docker's ruleset of `firewall` loaded. */
export function dockerPathScript(firewall: DockerFirewall): string {
  const load =
    firewall === "iptables"
      ? `iptables-restore <<'RULES'\n${DOCKER_IPTABLES_RULES}RULES`
      : `cat > docker-bridges.nft <<'RULES'\n${DOCKER_NFT_RULES}RULES\nnft -f docker-bridges.nft`;
  return `${walkthroughUplink()}
sysctl -q -w net.ipv4.ip_forward=1
ip link add docker0 type bridge
ip addr add 172.17.0.1/16 dev docker0
ip link set docker0 up
ip netns add c1
ip link add veth1a2b3c4 type veth peer name eth0 netns c1
ip link set veth1a2b3c4 master docker0
ip link set veth1a2b3c4 up
ip netns exec c1 ip link set lo up
ip netns exec c1 ip addr add 172.17.0.2/16 dev eth0
ip netns exec c1 ip link set eth0 up
ip netns exec c1 ip route add default via 172.17.0.1
${load}
ip netns exec c1 ping -c 1 -W 1 8.8.8.8   # expect: reply
`;
}

/** Sends echo requests one at a time from `namespace` and waits for each reply. */
export function roundTripper(world: World, namespace: NetworkNamespace, destination: number, tracing: boolean): (sequence: number) => void {
  const route = ipRouteOutput(namespace, destination);
  if (!route.ok) throw new Error("packet-path bench: no route from the container");
  const echoId = 0x4242;
  return (sequence) => {
    const simulation = createSimulation(world, tracing);
    const socket: PingSocket = { namespaceId: namespace.id, echoId, events: [] };
    simulation.pingSockets.push(socket);
    const packet: Ipv4Packet = {
      source: route.route.source,
      destination,
      ttl: 64,
      transport: { protocol: "icmp", type: ICMP_ECHO, code: 0, id: echoId, sequence: sequence & 0xffff },
      payloadLength: 64,
    };
    ipLocalOut(simulation, namespace, route.route, packet);
    runEvents(simulation, world.clock + 1_000_000, () => socket.events.length > 0);
    if (socket.events[0]?.kind !== "reply") throw new Error(`packet-path bench: round trip ${sequence} got no reply`);
  };
}

/** iputils' summary line: "N packets transmitted, M received". */
function floodFigures(stdout: string): { transmitted: number; received: number } | undefined {
  const match = /(\d+) packets transmitted, (\d+) received/.exec(stdout);
  return match ? { transmitted: Number(match[1]), received: Number(match[2]) } : undefined;
}

/** The simulator's world after `script` ran, and its container namespace. */
async function simulatedHost(file: string, script: string): Promise<{ world: World; container: NetworkNamespace }> {
  writeFileSync(file, script);
  const run = await new ScenarioSimulator().run(file);
  if (run.expectations.some((expectation) => !expectation.ok) || run.problems.length > 0) throw new Error(`packet-path bench: the container path does not work in the simulator:\n${run.output}`);
  return { world: run.world, container: [...run.world.namespaces.values()].find((candidate) => candidate.name === "c1")! };
}

/** The kernel's flood-ping rate through `script`'s host, or why it was not measured. */
async function kernelFloodRate(options: { quick: boolean; kernel: boolean }, file: string, script: string): Promise<{ rate?: number; note?: string }> {
  const availability = checkKernelBackendAvailable();
  if (!options.kernel) return { note: "kernel columns skipped (--no-kernel)" };
  if (!availability.ok) return { note: `kernel backend cannot run: ${availability.reason}` };
  const seconds = options.quick ? 2 : 5;
  writeFileSync(file, `${script}ip netns exec c1 ping -f -q -w ${seconds} 8.8.8.8\n`);
  const kernelRun = await new KernelBackend().run(file);
  const flood = kernelRun.commands.map((record) => floodFigures(record.stdout)).filter((figures) => figures !== undefined).pop();
  if (flood && flood.received > 0) return { rate: flood.received / seconds };
  return { note: `the kernel's flood ping gave no figures: ${kernelRun.output.slice(-300)}` };
}

export async function packetPathBench(options: { quick: boolean; kernel: boolean; folder: string }): Promise<BenchRow[]> {
  mkdirSync(options.folder, { recursive: true });
  const destination = parseIpv4Address("8.8.8.8")!;
  const minimumMs = options.quick ? 200 : 600;
  const rows: BenchRow[] = [];
  const paths: readonly { firewall: DockerFirewall; path: string }[] = [
    { firewall: "iptables", path: "Docker 29 iptables ruleset (raw filterDirectAccess, FORWARD → DOCKER-USER → DOCKER-FORWARD → DOCKER-CT, policy DROP): veth → docker0 → FORWARD → MASQUERADE → eth0, conntrack" },
    { firewall: "nftables", path: "Docker 29 nftables ruleset (ip docker-bridges: raw-PREROUTING, filter-FORWARD's vmaps, masquerade): veth → docker0 → forward → masquerade → eth0, conntrack" },
  ];
  for (const { firewall, path } of paths) {
    const script = dockerPathScript(firewall);
    const host = await simulatedHost(join(options.folder, `docker-${firewall}-path.sh`), script);
    const untraced = ratePerSecond(roundTripper(host.world, host.container, destination, false), 256, minimumMs);
    const traced = ratePerSecond(roundTripper(host.world, host.container, destination, true), 64, minimumMs);
    const kernel = await kernelFloodRate(options, join(options.folder, `docker-${firewall}-flood.sh`), script);
    const row = (name: string, rate: number, factor: number, target: string): BenchRow => ({
      item: 2,
      name,
      simulator: `${formatCount(rate)} round trips/s`,
      baseline: kernel.rate === undefined ? "not measured" : `kernel ping -f ${formatCount(kernel.rate)}/s`,
      ...(kernel.rate === undefined ? {} : { ratio: rate / kernel.rate, met: rate / kernel.rate >= factor }),
      target,
      ...(kernel.note ? { note: kernel.note } : {}),
      figures: { roundTripsPerSecond: rate, ...(kernel.rate === undefined ? {} : { kernelFloodPingPerSecond: kernel.rate }), firewall },
    });
    rows.push(row(`packet path, tracing off: ${path}`, untraced, 10, "≥ 10× kernel ping -f"), row(`packet path, full tracing (same path, ${firewall})`, traced, 1, "≥ kernel ping -f"));
  }
  return rows;
}
