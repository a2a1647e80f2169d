// The fast paths (netsim's flow cache, src/net/netfilter/nf-flow-table.ts,
// and the dst cache of src/net/ipv4/route.ts) against the slow path, untraced
// against traced, on generated container hosts: the same connections, packet
// after packet, with configuration changes and time between them (a rule
// inserted, a route deleted, a link down, forwarding off, conntrack flushed,
// timers running out). The reference world is cloned before every packet and
// every other action, so it never holds a cached decision: whatever the fast
// world cached must still be what the slow path decides. After every action both worlds must be equal (clock,
// pending events, device counters, FDB, neighbours, conntrack, rule
// counters) and every socket must have seen the same packets, translations
// included.
import fc from "fast-check";
import { sendFlowPacket, type FlowConnection, type FlowObserved } from "../support/flow-packet.js";
import { describe, expect, it } from "vitest";
import { cloneWorld, type World } from "../../src/model/world.js";
import { runEvents } from "../../src/net/events.js";
import { flowOffloadPackets } from "../../src/net/netfilter/nf-flow-table.js";
import { createSimulation } from "../../src/net/simulation.js";
import { containerHostArbitrary, runLine, type ContainerHost } from "../../src/testing/index.js";
import { parameters } from "./parameters.js";

/** One connection: the same tuple every time it sends. */
type Connection = FlowConnection;

type Action =
  | { readonly kind: "send"; readonly connection: number; readonly packets: number; readonly tcpFlags: readonly ("ack" | "fin" | "rst")[] }
  | { readonly kind: "wait"; readonly microseconds: number }
  | { readonly kind: "configure"; readonly line: string };

type Observed = FlowObserved;

const SERVICES = [
  { protocol: "tcp" as const, port: 80 },
  { protocol: "udp" as const, port: 53 },
];

/** Changes a user makes between packets: each may (or may not) change what the next packet meets. */
function configurationLines(host: ContainerHost): string[] {
  const port = host.containers[0]!.hostVeth;
  return [
    "iptables -I FORWARD 1 -j DROP",
    "iptables -D FORWARD 1",
    `iptables -A FORWARD -s ${host.subnet} -j ACCEPT`,
    "iptables -A FORWARD -p icmp",
    "iptables -I FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT",
    "iptables -P FORWARD DROP",
    "iptables -P FORWARD ACCEPT",
    "iptables -F FORWARD",
    "iptables -t nat -F POSTROUTING",
    `iptables -t nat -A POSTROUTING -s ${host.subnet} ! -o ${host.bridge} -j MASQUERADE`,
    "iptables -t mangle -A PREROUTING -j MARK --set-mark 7",
    "iptables -t mangle -F PREROUTING",
    "iptables -t raw -A PREROUTING -j ACCEPT",
    "iptables -t raw -F",
    "ip route del default",
    `ip route add default via ${host.uplink.gateway}`,
    `ip link set ${host.uplink.device} down`,
    `ip link set ${host.uplink.device} up`,
    `ip link set ${port} down`,
    `ip link set ${port} up`,
    "ip -n wan link set wan0 down",
    "ip -n wan link set wan0 up",
    "sysctl -w net.ipv4.ip_forward=0",
    "sysctl -w net.ipv4.ip_forward=1",
    "sysctl -w net.ipv4.conf.all.rp_filter=1",
    `ip neigh flush dev ${host.uplink.device}`,
    `ip neigh flush dev ${host.bridge}`,
    "conntrack -F",
    `ip -n ${host.containers[0]!.name} route del default`,
  ];
}

/** Gaps that cross the model's timers: ARP retransmit (1 s), DELAY (5 s), ICMP/UDP conntrack and REACHABLE (30 s), FDB ageing (300 s). */
const GAPS = [0, 10, 20_000, 1_000_000, 5_100_000, 30_500_000, 301_000_000];

const generated = containerHostArbitrary({ minContainers: 1, maxContainers: 3, maxInternet: 2, maxPortForwards: 2, wanListeners: SERVICES }).chain((host) => {
  const containers = host.containers.map((container) => container.name);
  // Mostly the internet (the container path, MASQUERADE'd), also the host's published ports and the containers.
  const destinations = [...host.internet, ...host.internet, ...host.internet, host.uplink.address, ...host.containers.map((container) => container.address)];
  const connection: fc.Arbitrary<Connection> = fc.record({
    protocol: fc.constantFrom<Connection["protocol"]>("icmp", "icmp", "udp", "tcp"),
    from: fc.constantFrom(...containers, ...containers, ...containers, "wan", ""),
    to: fc.constantFrom(...destinations),
    port: fc.constantFrom(80, 53, ...host.portForwards.map((forward) => forward.hostPort)),
    sourcePort: fc.constantFrom(5000, 40000, 40001),
  });
  const action: fc.Arbitrary<Action> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant("send" as const), connection: fc.nat(), packets: fc.integer({ min: 1, max: 4 }), tcpFlags: fc.array(fc.constantFrom<"ack" | "fin" | "rst">("ack", "ack", "ack", "fin", "rst"), { minLength: 4, maxLength: 4 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("wait" as const), microseconds: fc.constantFrom(...GAPS) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("configure" as const), line: fc.constantFrom(...configurationLines(host)) }) },
  );
  return fc.record({ connections: fc.array(connection, { minLength: 1, maxLength: 3 }), actions: fc.array(action, { minLength: 1, maxLength: 16 }) }).map(({ connections, actions }) => {
    const text = [
      ...host.lines,
      "# connections (client, protocol, destination:port, client port or echo id):",
      ...connections.map((item, index) => `#   ${index}: ${item.from || "host"} ${item.protocol} ${item.to}:${item.port} from ${item.sourcePort}`),
      "# actions:",
      ...actions.map((item) => (item.kind === "send" ? `#   send ${item.packets} packet(s) of connection ${item.connection % connections.length}` : item.kind === "wait" ? `sleep ${item.microseconds / 1_000_000}` : item.line)),
    ].join("\n");
    return { host, connections, actions, toString: () => text, [fc.toStringMethod]: () => `\n${text}` };
  });
});

/** Applies one action, traced or not (the same path either way: tracing only records it). */
function act(world: World, action: Action, connections: readonly Connection[], tracing: boolean): Observed[] {
  switch (action.kind) {
    case "send": {
      const connection = connections[action.connection % connections.length]!;
      const observed: Observed[] = [];
      for (let packet = 0; packet < action.packets; packet++) observed.push(sendFlowPacket(world, connection, nextPacketIndex(world, connection), action.tcpFlags[packet]!, tracing));
      return observed;
    }
    case "wait":
      runEvents(createSimulation(world, tracing), world.clock + action.microseconds);
      return [];
    case "configure": {
      const result = runLine(world, action.line);
      return [{ ...(result.exitCode === 0 ? {} : { error: result.stderr }), events: [], deliveries: [] }];
    }
  }
}

/** How many packets each connection has sent in a world (a TCP connection's first is its SYN). */
const sentPackets = new WeakMap<World, Map<string, number>>();

function nextPacketIndex(world: World, connection: Connection): number {
  let counts = sentPackets.get(world);
  if (!counts) sentPackets.set(world, (counts = new Map()));
  const key = `${connection.from}|${connection.protocol}|${connection.to}|${connection.port}|${connection.sourcePort}`;
  const index = counts.get(key) ?? 0;
  counts.set(key, index + 1);
  return index;
}

/** Each packet of a send on its own: the reference world is cloned (its caches left behind) before each. */
function onePacketEach(actions: readonly Action[]): Action[] {
  return actions.flatMap((action): Action[] => (action.kind === "send" ? Array.from({ length: action.packets }, (_, packet) => ({ ...action, packets: 1, tcpFlags: [action.tcpFlags[packet]!] })) : [action]));
}

describe("flow cache and dst cache against the slow path, untraced against traced (properties)", () => {
  it("every packet of any connection meets the same fate, with the same translations and the same world after, across configuration changes and time", () => {
    const before = flowOffloadPackets();
    let runsOffloaded = 0;
    let runsChangedUnderFlows = 0;
    let runs = 0;
    fc.assert(
      fc.property(generated, ({ host, connections, actions }) => {
        runs++;
        const offloadedBefore = flowOffloadPackets();
        const fast = host.world();
        let reference = cloneWorld(fast);
        let changedUnderFlows = false;
        for (const action of onePacketEach(actions)) {
          if (action.kind !== "send" && flowOffloadPackets() > offloadedBefore) changedUnderFlows = true;
          // A fresh copy holds no cached decision (caches belong to the namespace objects): a pure slow path.
          const fresh = cloneWorld(reference);
          sentPackets.set(fresh, new Map(sentPackets.get(reference) ?? []));
          reference = fresh;
          const seenFast = act(fast, action, connections, false);
          const seenSlow = act(reference, action, connections, true);
          expect(seenFast).toEqual(seenSlow);
          expect(fast).toEqual(reference);
        }
        if (flowOffloadPackets() > offloadedBefore) runsOffloaded++;
        if (changedUnderFlows) runsChangedUnderFlows++;
      }),
      parameters(150),
    );
    // Not vacuous: the fast path carried packets in a good share of the runs, and
    // configuration changes or time came after offloaded packets (what a stale flow would get wrong).
    expect(flowOffloadPackets()).toBeGreaterThan(before);
    expect(runsOffloaded).toBeGreaterThan(runs / 6);
    expect(runsChangedUnderFlows).toBeGreaterThan(runs / 12);
  });
});
