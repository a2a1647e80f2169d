// netsim's flow cache (src/net/netfilter/netsim-flow-cache.ts, with the flows
// of nf-flow-table.ts) against the slow path alone: random flows through
// random Docker-like hosts (Docker 29's iptables or nftables ruleset, then
// random rules of the kinds Docker hosts carry: stateless ones, conntrack
// state, and stateful ones the cache must not skip: limit, statistic,
// recent, nfacct, set, connlimit, --ctstatus, MARK, LOG, REJECT, SET
// --map-set, nft numgen inc and random), with
// configuration changes and time between packets. Four worlds take the same
// actions: cache on and off, each untraced and traced. After every action
// all four must be equal (clock, pending events, conntrack and its NAT
// bindings, rule and policy counters, nft counters, sets, nfacct, limit and
// statistic state, neighbours, FDB) and every socket must have seen the same
// packets. The cache must have carried packets (flows and hook hits) in a
// good share of the runs, so the comparison is not vacuous.
import fc from "fast-check";
import { sendFlowPacket, type FlowConnection, type FlowObserved } from "../../support/flow-packet.js";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { dockerPathScript, type DockerFirewall } from "../../../src/bench/packet-path.js";
import { cloneWorld, type World } from "../../../src/model/world.js";
import { runEvents } from "../../../src/net/events.js";
import { flowOffloadPackets } from "../../../src/net/netfilter/nf-flow-table.js";
import { hookCacheHits, setNetsimFlowCache } from "../../../src/net/netfilter/netsim-flow-cache.js";
import { createSimulation } from "../../../src/net/simulation.js";
import { runLine, worldFromScenario } from "../../../src/testing/index.js";

interface Connection extends FlowConnection {
  readonly from: "c1" | "c2" | "wan";
}

type Action =
  | { readonly kind: "send"; readonly connection: number; readonly tcpFlag: "ack" | "fin" | "rst" }
  | { readonly kind: "wait"; readonly microseconds: number }
  | { readonly kind: "configure"; readonly line: string };

type Observed = FlowObserved;

/** The second container on docker0, and a listener beyond the uplink. */
const EXTRA = `ip netns add c2
ip link add veth5d6e7f8 type veth peer name eth0 netns c2
ip link set veth5d6e7f8 master docker0
ip link set veth5d6e7f8 up
ip netns exec c2 ip link set lo up
ip netns exec c2 ip addr add 172.17.0.3/16 dev eth0
ip netns exec c2 ip link set eth0 up
ip netns exec c2 ip route add default via 172.17.0.1
ip netns exec wan nc -lk 80 &
ip -n wan route add 172.17.0.0/16 via 192.168.0.100
nfacct add docker-acct
ipset create docker-peers hash:ip
ipset add docker-peers 172.17.0.3
ipset create docker-map hash:ip skbinfo
ipset add docker-map 172.17.0.2 skbmark 0x1
`;

/** Rules a Docker host's admin or tools add (DOCKER-USER, raw, mangle, an nft table of one's own), and changes between packets. */
const CHANGES: Readonly<Record<DockerFirewall, readonly string[]>> = {
  iptables: [
    "iptables -I DOCKER-USER -s 172.17.0.3 -p icmp -j RETURN",
    "iptables -I DOCKER-USER -d 8.8.8.8 -p udp -j DROP",
    "iptables -I DOCKER-USER -d 8.8.8.8 -p tcp -j REJECT --reject-with tcp-reset",
    "iptables -A DOCKER-USER -i docker0 -o eth0 -j ACCEPT",
    "iptables -I DOCKER-USER -p icmp -m limit --limit 2/second --limit-burst 2 -j ACCEPT",
    "iptables -I DOCKER-USER -m statistic --mode nth --every 3 --packet 0 -j DROP",
    "iptables -I DOCKER-USER -m recent --name seen --set",
    "iptables -I DOCKER-USER -m nfacct --nfacct-name docker-acct",
    "iptables -I DOCKER-USER -m set --match-set docker-peers src -j ACCEPT",
    "iptables -I DOCKER-USER -m conntrack --ctstatus ASSURED -j ACCEPT",
    "iptables -I DOCKER-USER -m connlimit --connlimit-above 1 -j DROP",
    "iptables -I DOCKER-USER -p udp -m multiport --dports 53,80 -j LOG --log-prefix udp",
    "iptables -I DOCKER-USER -m conntrack --ctstate ESTABLISHED --ctdir REPLY",
    "iptables -I DOCKER-USER -p tcp --syn -j ACCEPT",
    "iptables -F DOCKER-USER",
    "iptables -t raw -A PREROUTING -p udp --dport 53 -j ACCEPT",
    "iptables -t raw -A PREROUTING -s 8.8.8.8 -m addrtype --dst-type LOCAL",
    "iptables -t mangle -A PREROUTING -i docker0 -j MARK --set-mark 1",
    "iptables -t mangle -A FORWARD -m mark --mark 1 -j ACCEPT",
    "iptables -t mangle -A FORWARD -j SET --map-set docker-map src --map-mark",
    "iptables -t mangle -A POSTROUTING -m mark --mark 1 -j DROP",
    "ipset del docker-map 172.17.0.2",
    "iptables -t mangle -A POSTROUTING -o eth0 -p icmp",
    "iptables -t mangle -F",
    "iptables -P FORWARD ACCEPT",
    "iptables -P FORWARD DROP",
    "iptables -Z",
    "ipset add docker-peers 172.17.0.2",
    "ipset del docker-peers 172.17.0.3",
    "conntrack -F",
    "ip link set veth5d6e7f8 down",
    "ip link set veth5d6e7f8 up",
    "sysctl -w net.bridge.bridge-nf-call-iptables=0",
    "sysctl -w net.bridge.bridge-nf-call-iptables=1",
  ],
  nftables: [
    "nft add table ip mine",
    "nft add chain ip mine forward '{ type filter hook forward priority -10; policy accept; }'",
    "nft add rule ip mine forward ct state established counter accept",
    "nft add rule ip mine forward ip saddr 172.17.0.3 counter",
    "nft add rule ip mine forward meta l4proto udp counter drop",
    "nft add rule ip mine forward meta mark 1 counter",
    "nft add rule ip mine forward ct status assured counter",
    "nft insert rule ip docker-bridges filter-forward-out__docker0 numgen inc mod 2 0 counter drop",
    "nft insert rule ip docker-bridges filter-forward-out__docker0 numgen random mod 2 1 counter",
    "nft insert rule ip docker-bridges filter-FORWARD numgen inc mod 3 vmap '{ 0 : accept, 1 : continue, 2 : drop }'",
    "nft add chain ip mine pre '{ type filter hook prerouting priority -200; }'",
    "nft add rule ip mine pre iifname docker0 meta mark set 1",
    "nft add rule ip mine pre ip daddr 8.8.8.8 counter",
    "nft add set ip mine peers '{ type ipv4_addr; }'",
    "nft add rule ip mine forward ip saddr @peers counter accept",
    "nft add element ip mine peers '{ 172.17.0.3 }'",
    "nft add set ip mine seen '{ type ipv4_addr; flags dynamic; }'",
    "nft add rule ip mine forward add @seen '{ ip saddr }' counter",
    "nft flush chain ip docker-bridges filter-forward-out__docker0",
    "nft add rule ip docker-bridges filter-forward-out__docker0 counter accept",
    "nft flush table ip mine",
    "iptables -P FORWARD DROP",
    "iptables -A FORWARD -i docker0 -j ACCEPT",
    "iptables -A FORWARD -o docker0 -m conntrack --ctstate ESTABLISHED -j ACCEPT",
    "conntrack -F",
    "sysctl -w net.bridge.bridge-nf-call-iptables=0",
  ],
};

const DESTINATIONS = ["8.8.8.8", "8.8.8.8", "192.168.0.1", "172.17.0.3", "172.17.0.2", "192.168.0.100"];
const GAPS = [0, 10, 600_000, 1_000_000, 31_000_000];
/** A world and the packets each of its connections has sent. */
interface Run {
  readonly world: World;
  readonly sent: Map<number, number>;
  readonly cache: boolean;
  readonly tracing: boolean;
}

function act(run: Run, action: Action, connections: readonly Connection[]): Observed {
  const previous = setNetsimFlowCache(run.cache);
  try {
    switch (action.kind) {
      case "send": {
        const number = action.connection % connections.length;
        const index = run.sent.get(number) ?? 0;
        run.sent.set(number, index + 1);
        return sendFlowPacket(run.world, connections[number]!, index, action.tcpFlag, run.tracing);
      }
      case "wait":
        runEvents(createSimulation(run.world, run.tracing), run.world.clock + action.microseconds);
        return { events: [], deliveries: [] };
      case "configure": {
        const result = runLine(run.world, action.line);
        return { ...(result.exitCode === 0 ? {} : { error: result.stderr }), events: [], deliveries: [] };
      }
    }
  } finally {
    setNetsimFlowCache(previous);
  }
}

function generated(firewall: DockerFirewall) {
  const connection: fc.Arbitrary<Connection> = fc.record({
    protocol: fc.constantFrom<Connection["protocol"]>("icmp", "icmp", "udp", "tcp"),
    from: fc.constantFrom<Connection["from"]>("c1", "c1", "c2", "wan"),
    to: fc.constantFrom(...DESTINATIONS),
    port: fc.constantFrom(80, 53),
    sourcePort: fc.constantFrom(5000, 40000),
  });
  const action: fc.Arbitrary<Action> = fc.oneof(
    { weight: 10, arbitrary: fc.record({ kind: fc.constant("send" as const), connection: fc.nat(), tcpFlag: fc.constantFrom<"ack" | "fin" | "rst">("ack", "ack", "ack", "fin", "rst") }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("wait" as const), microseconds: fc.constantFrom(...GAPS) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("configure" as const), line: fc.constantFrom(...CHANGES[firewall]) }) },
  );
  // A random ruleset first (some of the lines, in random order), then packets with changes and time between them.
  const ruleset = fc.shuffledSubarray([...CHANGES[firewall]], { maxLength: 5 }).map((lines) => lines.map((line): Action => ({ kind: "configure", line })));
  return fc.record({ connections: fc.array(connection, { minLength: 1, maxLength: 3 }), ruleset, actions: fc.array(action, { minLength: 1, maxLength: 30 }) });
}

describe("netsim's flow cache against the slow path, traced and untraced (properties)", () => {
  const hosts = new Map<DockerFirewall, World>();
  beforeAll(async () => {
    for (const firewall of ["iptables", "nftables"] as const) {
      const { world, run } = await worldFromScenario(`${dockerPathScript(firewall)}${EXTRA}`);
      expect(run.expectations.every((expectation) => expectation.ok)).toBe(true);
      hosts.set(firewall, world);
    }
  });
  afterEach(() => {
    setNetsimFlowCache(true);
  });

  for (const firewall of ["iptables", "nftables"] as const) {
    it(`gives every packet the same fate and leaves the same world, cache on or off, on a Docker host (${firewall})`, () => {
      let runs = 0;
      let runsCached = 0;
      fc.assert(
        fc.property(generated(firewall), ({ connections, ruleset, actions }) => {
          runs++;
          const cachedBefore = flowOffloadPackets() + hookCacheHits();
          const base = hosts.get(firewall)!;
          const worlds: Run[] = [
            { world: cloneWorld(base), sent: new Map(), cache: true, tracing: false },
            { world: cloneWorld(base), sent: new Map(), cache: true, tracing: true },
            { world: cloneWorld(base), sent: new Map(), cache: false, tracing: false },
            { world: cloneWorld(base), sent: new Map(), cache: false, tracing: true },
          ];
          for (const action of [...ruleset, ...actions]) {
            const seen = worlds.map((run) => act(run, action, connections));
            for (let index = 1; index < worlds.length; index++) {
              expect(seen[index]).toEqual(seen[0]);
              expect(worlds[index]!.world).toEqual(worlds[0]!.world);
            }
          }
          if (flowOffloadPackets() + hookCacheHits() > cachedBefore) runsCached++;
        }),
        { seed: 20_261_204, numRuns: 100 },
      );
      expect(runsCached).toBeGreaterThan(runs / 3);
    });
  }
});
