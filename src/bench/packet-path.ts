// Item 2: round trips through the container path (veth -> bridge -> FORWARD
// -> MASQUERADE -> uplink, with conntrack, and the reply back), tracing off
// and on, against the kernel's flood-ping rate through the same topology.
//
// The simulator's side sends echo requests from the container's namespace
// with the model's own output path (ip_route_output, ip_local_out) and runs
// the event queue until the reply reaches the socket: the packet path alone,
// without the ping program's bookkeeping. Untraced, the host's two forwarded
// hops take the flowtable (net/netfilter/nf-flow-table.ts) once the
// connection is established; traced, every hop is the slow path.
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

export async function packetPathBench(options: { quick: boolean; kernel: boolean; folder: string }): Promise<BenchRow[]> {
  const masquerade = natAvailable();
  mkdirSync(options.folder, { recursive: true });
  const file = join(options.folder, "container-path.sh");
  writeFileSync(file, containerPathScript(masquerade));
  const run = await new ScenarioSimulator().run(file);
  if (run.expectations.some((expectation) => !expectation.ok) || run.problems.length > 0) throw new Error(`packet-path bench: the container path does not work in the simulator:\n${run.output}`);
  const namespace = [...run.world.namespaces.values()].find((candidate) => candidate.name === "c1")!;
  const destination = parseIpv4Address("8.8.8.8")!;
  const minimumMs = options.quick ? 200 : 600;
  const untraced = ratePerSecond(roundTripper(run.world, namespace, destination, false), 256, minimumMs);
  const traced = ratePerSecond(roundTripper(run.world, namespace, destination, true), 64, minimumMs);
  const path = masquerade ? "veth → br0 → FORWARD → MASQUERADE → eth0, conntrack" : "veth → br0 → FORWARD → eth0 (routed back: no MASQUERADE yet)";
  const noNat = masquerade ? undefined : "netfilter engine not in place yet: the path is measured without MASQUERADE/conntrack (the wan side routes 172.18/16 back)";
  let kernelRate: number | undefined;
  let kernelNote: string | undefined;
  const availability = checkKernelBackendAvailable();
  if (!options.kernel) kernelNote = "kernel columns skipped (--no-kernel)";
  else if (!availability.ok) kernelNote = `kernel backend cannot run: ${availability.reason}`;
  else {
    const seconds = options.quick ? 2 : 5;
    const kernelFile = join(options.folder, "container-path-flood.sh");
    // The kernel always gets MASQUERADE: the path the issue names.
    writeFileSync(kernelFile, `${containerPathScript(true)}ip netns exec c1 ping -f -q -w ${seconds} 8.8.8.8\n`);
    const kernelRun = await new KernelBackend().run(kernelFile);
    const flood = kernelRun.commands.map((record) => floodFigures(record.stdout)).filter((figures) => figures !== undefined).pop();
    if (flood && flood.received > 0) kernelRate = flood.received / seconds;
    else kernelNote = `the kernel's flood ping gave no figures: ${kernelRun.output.slice(-300)}`;
  }
  const row = (name: string, rate: number, factor: number, target: string): BenchRow => ({
    item: 2,
    name,
    simulator: `${formatCount(rate)} round trips/s`,
    baseline: kernelRate === undefined ? "not measured" : `kernel ping -f ${formatCount(kernelRate)}/s`,
    ...(kernelRate === undefined ? {} : { ratio: rate / kernelRate, met: rate / kernelRate >= factor }),
    target,
    ...(noNat || kernelNote ? { note: [noNat, kernelNote].filter(Boolean).join("; ") } : {}),
    figures: { roundTripsPerSecond: rate, ...(kernelRate === undefined ? {} : { kernelFloodPingPerSecond: kernelRate }), masquerade },
  });
  return [
    row(`packet path, tracing off: ${path}`, untraced, 10, "≥ 10× kernel ping -f"),
    row("packet path, full tracing (same path)", traced, 1, "≥ kernel ping -f"),
  ];
}

