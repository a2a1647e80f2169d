// The indexed chain walk (ip-tables.ts) must decide exactly as the naive,
// rule-by-rule walk, traced or not, and a traced indexed walk must report
// every rule a rule-by-rule one reports: for any generated ruleset (long chains keyed and not
// keyed on -d /32, jumps, RETURN, MARK, statistic in both modes, DNAT) and
// any packet, the same verdict, packet, NAT binding, rule counters and
// statistic state.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { prefixMask } from "../../src/model/address.js";
import type { Chain, Match, Rule, Table, Target } from "../../src/model/netfilter.js";
import type { Ipv4Packet } from "../../src/model/packet.js";
import type { TraceRecord } from "../../src/model/trace.js";
import { createWorld, rootNamespace } from "../../src/net/core/net-namespace.js";
import { iptDoTable } from "../../src/net/netfilter/ip-tables.js";
import { createStatisticMatch } from "../../src/net/netfilter/xt-statistic.js";
import { createSimulation } from "../../src/net/simulation.js";
import { kubeServices } from "../../src/bench/kube-proxy.js";
import { kubeProxyWorld, natPreroutingWalk, serviceSyn } from "../../src/bench/netfilter.js";

const ADDRESSES = [0x0a600001, 0x0a600002, 0x0a600003, 0x0a600004, 0xc0a80001];
const USER_CHAINS = ["U1", "U2"];

const PORT_RANGES = [{ first: 80, last: 80 }, { first: 443, last: 443 }, { first: 1, last: 1000 }, { first: 20000, last: 40000 }];

const matchArbitrary: fc.Arbitrary<Match> = fc.oneof(
  fc.record({ kind: fc.constant("tcp" as const), destinationPorts: fc.constantFrom(...PORT_RANGES), destinationInvert: fc.boolean() }),
  fc.record({ kind: fc.constantFrom("tcp" as const, "udp" as const), sourcePorts: fc.constantFrom(...PORT_RANGES), sourceInvert: fc.boolean() }, { requiredKeys: ["kind"] }),
  fc.record({ kind: fc.constant("comment" as const), comment: fc.constant("c") }),
  fc.record({ probability: fc.integer({ min: 0, max: 0x80000000 }), invert: fc.boolean() }).map(({ probability, invert }) => createStatisticMatch({ mode: "random", probability, invert })),
  fc.record({ every: fc.integer({ min: 1, max: 4 }), invert: fc.boolean() }).chain(({ every, invert }) => fc.integer({ min: 0, max: every - 1 }).map((packet) => createStatisticMatch({ mode: "nth", every, packet, invert }))),
);

function targetArbitrary(depth: number): fc.Arbitrary<Target | undefined> {
  const jumps = depth > 0 ? [fc.record({ kind: fc.constant("jump" as const), chain: fc.constantFrom(...USER_CHAINS.slice(0, depth)), goto: fc.boolean() })] : [];
  return fc.oneof(
    fc.constant(undefined),
    fc.constantFrom<Target>({ kind: "ACCEPT" }, { kind: "DROP" }, { kind: "RETURN" }, { kind: "MARK", value: 0x4000, mask: 0x4000 }),
    fc.constantFrom(...ADDRESSES).map<Target>((address) => ({ kind: "DNAT", range: { addresses: { first: address, last: address }, ports: { first: 8080, last: 8080 } } })),
    ...jumps,
  );
}

function ruleArbitrary(depth: number): fc.Arbitrary<Rule> {
  return fc
    .record({
      destination: fc.option(fc.record({ address: fc.constantFrom(...ADDRESSES), prefixLength: fc.constantFrom(32, 32, 32, 24), invert: fc.boolean() }), { nil: undefined }),
      source: fc.option(fc.record({ address: fc.constantFrom(0xc0a80707, 0xc0a80000, 0), prefixLength: fc.constantFrom(32, 16, 0), invert: fc.boolean() }), { nil: undefined }),
      inInterface: fc.option(fc.record({ name: fc.constantFrom("eth0", "eth+", "lo", "veth+"), invert: fc.boolean() }), { nil: undefined }),
      protocol: fc.option(fc.record({ number: fc.constantFrom(6, 6, 17, 1), invert: fc.boolean() }), { nil: undefined }),
      matches: fc.array(matchArbitrary, { maxLength: 2 }),
      target: targetArbitrary(depth),
    })
    .map(({ destination, source, inInterface, protocol, matches, target }) => ({
      ...(source ? { source: { ...source, address: (source.address & prefixMask(source.prefixLength)) >>> 0 } } : {}),
      ...(destination ? { destination: { ...destination, address: destination.prefixLength === 24 ? destination.address & 0xffffff00 : destination.address } } : {}),
      ...(inInterface ? { inInterface } : {}),
      ...(protocol ? { protocol } : {}),
      // Port matches only after a plain -p of their protocol, as iptables requires.
      matches: matches.filter((match) => (match.kind !== "tcp" && match.kind !== "udp") || (protocol?.number === (match.kind === "tcp" ? 6 : 17) && !protocol.invert)),
      ...(target ? { target } : {}),
      counters: { packets: 0, bytes: 0 },
      spec: "",
    }));
}

/** PREROUTING (long: indexed), and user chains U1 (long), U2 (short); U1 may jump to U2 only, so no loops. */
const tableArbitrary: fc.Arbitrary<Table> = fc
  .record({
    prerouting: fc.array(ruleArbitrary(2), { minLength: 32, maxLength: 80 }),
    u1: fc.array(ruleArbitrary(0).map((rule) => rule), { minLength: 32, maxLength: 60 }),
    u1Jumps: fc.array(fc.nat(59), { maxLength: 3 }),
    u2: fc.array(ruleArbitrary(0), { maxLength: 6 }),
    policy: fc.constantFrom<"ACCEPT" | "DROP">("ACCEPT", "DROP"),
  })
  .map(({ prerouting, u1, u1Jumps, u2, policy }) => {
    const u1Rules = u1.map((rule, index) => (u1Jumps.includes(index) ? { ...rule, target: { kind: "jump" as const, chain: "U2", goto: false } } : rule));
    const chains = new Map<string, Chain>([
      ["PREROUTING", { name: "PREROUTING", policy, rules: prerouting }],
      ["INPUT", { name: "INPUT", policy: "ACCEPT", rules: [] }],
      ["OUTPUT", { name: "OUTPUT", policy: "ACCEPT", rules: [] }],
      ["POSTROUTING", { name: "POSTROUTING", policy: "ACCEPT", rules: [] }],
      ["U1", { name: "U1", rules: u1Rules }],
      ["U2", { name: "U2", rules: u2 }],
    ]);
    return { name: "nat" as const, chains, generation: 0 };
  });

const packetArbitrary: fc.Arbitrary<Ipv4Packet> = fc
  .record({ source: fc.constantFrom(0xc0a80707, 0xc0a80101, 0x0a000001), destination: fc.constantFrom(...ADDRESSES, 0x0a600009), port: fc.constantFrom(80, 443, 22), sourcePort: fc.oneof(fc.constantFrom(80, 1000, 1001, 19999, 20000, 40000, 40001), fc.integer({ min: 1024, max: 65535 })), protocol: fc.constantFrom("tcp", "udp", "icmp") })
  .map(({ source, destination, port, sourcePort, protocol }) => ({
    source,
    destination,
    ttl: 64,
    transport:
      protocol === "icmp"
        ? { protocol: "icmp", type: 8, code: 0, id: sourcePort, sequence: 1 }
        : protocol === "udp"
          ? { protocol: "udp", sourcePort, destinationPort: port }
          : { protocol: "tcp", sourcePort, destinationPort: port, flags: { syn: true, ack: false, fin: false, rst: false } },
    payloadLength: 0,
  }) as Ipv4Packet);

describe("indexed chain walk against the naive walk", () => {
  it("gives the same verdict, rewrite, counters and statistic state for any ruleset and packets", () => {
    const world = createWorld();
    const namespace = rootNamespace(world);
    const device = [...namespace.devices.values()][0]!;
    fc.assert(
      fc.property(tableArbitrary, fc.array(packetArbitrary, { minLength: 1, maxLength: 12 }), (table, packets) => {
        const naiveTable = structuredClone(table);
        const indexedTable = structuredClone(table);
        const tracedTable = structuredClone(table);
        const tracedNaiveTable = structuredClone(table);
        for (const packet of packets) {
          const context = { namespace, hook: "PREROUTING" as const, packet, in: device, bridged: false, now: 0 };
          const naive = iptDoTable({ simulation: createSimulation(world, false), table: naiveTable, context }, "PREROUTING", "naive");
          const indexed = iptDoTable({ simulation: createSimulation(world, false), table: indexedTable, context }, "PREROUTING", "indexed");
          const tracedSimulation = createSimulation(world, true);
          const traced = iptDoTable({ simulation: tracedSimulation, table: tracedTable, context }, "PREROUTING", "indexed");
          const tracedNaiveSimulation = createSimulation(world, true);
          const tracedNaive = iptDoTable({ simulation: tracedNaiveSimulation, table: tracedNaiveTable, context }, "PREROUTING", "naive");
          expect(indexed).toEqual(naive);
          expect(traced).toEqual(naive);
          expect(tracedNaive).toEqual(naive);
          // The same steps, but for the index's flag on the rules it passed by.
          const unflagged = (steps: readonly TraceRecord[]) => steps.map((step) => (step.decision?.kind === "netfilter" ? { ...step, decision: { ...step.decision, skippedByIndex: undefined } } : step));
          expect(unflagged(tracedSimulation.steps!)).toEqual(unflagged(tracedNaiveSimulation.steps!));
        }
        // The rulesets alike: rules, counters, statistic state (what each walk derived from them is not part of a table's value).
        expect(indexedTable).toEqual(naiveTable);
        expect(tracedTable).toEqual(naiveTable);
        expect(tracedNaiveTable).toEqual(naiveTable);
      }),
      { numRuns: 150 },
    );
  });

  it("agrees on the kube-proxy ruleset of the bench (DNAT to the same endpoint, same counters)", async () => {
    const services = kubeServices(300, 11);
    const naiveSetup = await kubeProxyWorld(services);
    const indexedSetup = await kubeProxyWorld(services);
    const naive = natPreroutingWalk(naiveSetup, "naive");
    const indexed = natPreroutingWalk(indexedSetup, "indexed");
    fc.assert(
      fc.property(fc.array(fc.record({ service: fc.nat(299), port: fc.integer({ min: 1024, max: 65535 }) }), { minLength: 1, maxLength: 20 }), (flows) => {
        for (const flow of flows) {
          const packet = serviceSyn(services[flow.service]!, flow.port);
          const slow = naive(packet);
          expect(slow.binding?.manip).toBe("destination");
          expect(indexed(packet)).toEqual(slow);
        }
      }),
      { numRuns: 40 },
    );
    expect(indexedSetup.table).toEqual(naiveSetup.table);
  });
});
