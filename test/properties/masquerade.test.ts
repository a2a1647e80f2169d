// MASQUERADE invariants on generated container hosts (src/testing/worlds.ts):
// what leaves by the uplink carries the uplink's address, replies come back
// to the sender on its own tuple, concurrent connections never share a
// translated tuple (until the port range runs out, where the kernel drops
// the new connection: measured, 4 senders on one source port with
// `--to-ports 1024-1025` gave 2 entries and conntrack -S insert_failed=2),
// and traffic that stays on the bridge is never translated.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  containerHost,
  containerHostArbitrary,
  flow,
  flowScenario,
  flowTuplesEqual,
  formatFlowTuple,
  invertFlowTuple,
  runFlow,
  tuplesAt,
  type ContainerHost,
  type FlowResult,
} from "../../src/testing/index.js";
import { parameters } from "./parameters.js";

const SERVICES = [
  { protocol: "tcp" as const, port: 80 },
  { protocol: "udp" as const, port: 53 },
];

const hosts = containerHostArbitrary({ minContainers: 1, maxContainers: 4, wanListeners: SERVICES });

/** The container flows out to the internet: any protocol, to a served or an unserved port. */
const outbound = hosts.chain((host) =>
  fc
    .array(flow({ from: host.containers.map((container) => container.name), to: host.internet, ports: [80, 53, 81], sourcePorts: fc.constantFrom(80, 700, 5000, 5001, 40000) }), { minLength: 1, maxLength: 5 })
    .map((flows) => flowScenario(host, flows)),
);

/** The translated tuple of each connection, as the internet sees it: the conntrack entry in the host, turned round. */
function translated(result: FlowResult): string | undefined {
  const entry = result.conntrack.find((candidate) => candidate.namespace === "" && flowTuplesEqual(candidate.original, result.sent));
  return entry && formatFlowTuple(invertFlowTuple(entry.reply));
}

function portClass(port: number): [number, number] {
  if (port < 512) return [1, 511];
  if (port < 1024) return [600, 1023];
  return [1024, 65535];
}

describe("MASQUERADE (properties)", () => {
  it("an outbound flow leaves by the uplink with the uplink's address, and its answer reaches the sender on the original tuple", () => {
    fc.assert(
      fc.property(outbound, (generated) => {
        const world = generated.world();
        const host = generated.host;
        for (const flow of generated.flows) {
          const result = runFlow(world, flow);
          // Every flow is answered: served ports connect, others are refused (RST or port unreachable).
          expect(["connected", "refused"]).toContain(result.outcome);
          const seenByWan = tuplesAt(result, "wan", undefined, "original");
          expect(seenByWan.length).toBeGreaterThan(0);
          for (const tuple of seenByWan) expect(tuple.source).toBe(host.uplink.address);
          if (result.outcome === "connected") expect(result.answered).toEqual(invertFlowTuple(result.sent));
          // What the container's own device saw coming back is its own tuple, turned round.
          const container = host.containers.find((candidate) => candidate.name === flow.from)!;
          for (const tuple of tuplesAt(result, container.name, container.device, "reply")) {
            if (result.outcome === "connected") expect(tuple).toEqual(invertFlowTuple(result.sent));
            else expect(tuple.destination).toBe(container.address);
          }
        }
      }),
      parameters(40),
    );
  });

  it("concurrent connections never share a translated tuple; a clash moves the port within its class", () => {
    const clashing = fc
      .record({
        host: containerHostArbitrary({ minContainers: 2, maxContainers: 4, wanListeners: SERVICES, maxInternet: 1 }),
        service: fc.constantFrom(...SERVICES, { protocol: "icmp" as const, port: 0 }),
        sourcePort: fc.constantFrom(80, 700, 5000),
        order: fc.array(fc.nat(), { minLength: 2, maxLength: 8 }),
      })
      .map(({ host, service, sourcePort, order }) =>
        flowScenario(
          host,
          order.map((pick) => ({ protocol: service.protocol, from: host.containers[pick % host.containers.length]!.name, to: host.internet[0]!, ...(service.protocol === "icmp" ? {} : { port: service.port }), sourcePort })),
        ),
      );
    fc.assert(
      fc.property(clashing, (generated) => {
        const world = generated.world();
        const byOriginal = new Map<string, string>();
        for (const flow of generated.flows) {
          const result = runFlow(world, flow);
          expect(result.outcome).toBe("connected");
          const key = formatFlowTuple(result.sent);
          const outside = translated(result);
          expect(outside).toBeDefined();
          // The same connection again keeps its translation; another never takes it.
          if (byOriginal.has(key)) expect(outside).toBe(byOriginal.get(key));
          else {
            expect([...byOriginal.values()]).not.toContain(outside);
            byOriginal.set(key, outside!);
          }
          const wan = tuplesAt(result, "wan", undefined, "original")[0]!;
          if (flow.protocol !== "icmp") {
            const [low, high] = portClass(flow.sourcePort!);
            expect(wan.sourcePort).toBeGreaterThanOrEqual(low);
            expect(wan.sourcePort).toBeLessThanOrEqual(high);
          }
        }
      }),
      parameters(30),
    );
  });

  it("when the port range is exhausted, further connections are dropped (the kernel's insert_failed)", () => {
    const exhausted = fc
      .record({ containers: fc.integer({ min: 2, max: 5 }), rangeSize: fc.integer({ min: 1, max: 3 }), protocol: fc.constantFrom<"tcp" | "udp">("tcp", "udp") })
      .map(({ containers, rangeSize, protocol }) => {
        const host = containerHost({
          containers,
          masquerade: false,
          listeners: [{ namespace: "wan", protocol, port: 53 }],
          extra: [`iptables -t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br0 -p ${protocol} -j MASQUERADE --to-ports 1024-${1023 + rangeSize}`],
        });
        return { rangeSize, scenario: flowScenario(host, host.containers.map((container) => ({ protocol, from: container.name, to: "8.8.8.8", port: 53, sourcePort: 5000 }))) };
      });
    fc.assert(
      fc.property(exhausted, ({ rangeSize, scenario }) => {
        const world = scenario.world();
        const outside = new Set<string>();
        scenario.flows.forEach((flow, index) => {
          const result = runFlow(world, flow);
          if (index < rangeSize) {
            expect(result.outcome).toBe("connected");
            const wan = tuplesAt(result, "wan", undefined, "original")[0]!;
            expect(wan.sourcePort).toBeGreaterThanOrEqual(1024);
            expect(wan.sourcePort).toBeLessThan(1024 + rangeSize);
            outside.add(formatFlowTuple(wan));
          } else {
            expect(result.outcome).toBe("timeout");
            expect(tuplesAt(result, "wan", undefined, "original")).toEqual([]);
          }
        });
        expect(outside.size).toBe(Math.min(rangeSize, scenario.flows.length));
      }),
      parameters(20),
    );
  });

  it("traffic that stays on the bridge is never translated", () => {
    const local = containerHostArbitrary({ minContainers: 2, maxContainers: 4 })
      .map((host): ContainerHost => host)
      .chain((host) => {
        const withServers = containerHost({
          containers: host.containers.length,
          subnet: host.subnet,
          uplink: { address: `${host.uplink.address}/24`, gateway: host.uplink.gateway },
          internet: host.internet,
          listeners: host.containers.flatMap((container) => SERVICES.map((service) => ({ namespace: container.name, ...service }))),
        });
        return fc
          .array(
            fc.record({ from: fc.nat(), to: fc.nat(), service: fc.constantFrom(...SERVICES, { protocol: "icmp" as const, port: 0 }), sourcePort: fc.constantFrom(5000, 40000) }),
            { minLength: 1, maxLength: 4 },
          )
          .map((picks) => {
            const count = withServers.containers.length;
            return flowScenario(
              withServers,
              picks.map(({ from, to, service, sourcePort }) => {
                const source = withServers.containers[from % count]!;
                const target = withServers.containers[(from + 1 + (to % (count - 1))) % count]!;
                return { protocol: service.protocol, from: source.name, to: target.address, ...(service.protocol === "icmp" ? {} : { port: service.port }), sourcePort };
              }),
            );
          });
      });
    fc.assert(
      fc.property(local, (generated) => {
        const world = generated.world();
        for (const flow of generated.flows) {
          const result = runFlow(world, flow);
          expect(result.outcome).toBe("connected");
          for (const hop of result.hops) {
            expect(hop.tupleAfter).toBeUndefined();
            expect(hop.tuple).toEqual(hop.direction === "original" ? result.sent : invertFlowTuple(result.sent));
            expect(hop.namespace).not.toBe("wan");
          }
        }
      }),
      parameters(25),
    );
  });
});
