// Conntrack invariants: the reply of the reply is the original; an entry
// lives on the virtual clock (a packet within its timeout finds it, one after
// starts a new connection); the nat table is asked once per connection.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { invertTuple, packetTuple, tuplesEqual, CONNTRACK_TIMEOUTS } from "../../src/net/netfilter/nf-conntrack.js";
import { advanceClock } from "../../src/net/events.js";
import { containerHostArbitrary, flowScenario, ipv4Inside, ipv4Outside, packet, type FlowResult } from "../../src/testing/index.js";
import { runFlow } from "../../src/testing/index.js";
import { parameters } from "./parameters.js";

const SECOND = 1_000_000;

function natSteps(result: FlowResult) {
  return result.trace.steps.filter((step) => step.decision?.kind === "netfilter" && step.decision.table === "nat");
}

const SERVICES = [
  { protocol: "tcp" as const, port: 80 },
  { protocol: "udp" as const, port: 53 },
];

describe("conntrack (properties)", () => {
  it("the reply of the reply is the original", () => {
    fc.assert(
      fc.property(packet({ source: ipv4Inside("172.18.0.0/16"), destination: ipv4Outside("172.18.0.0/16"), protocols: ["tcp", "udp", "icmp"] }), (sent) => {
        const original = packetTuple(sent);
        const reply = invertTuple(original);
        expect(tuplesEqual(invertTuple(reply), original)).toBe(true);
        expect(reply.source).toBe(original.destination);
        expect(reply.sourcePort).toBe(original.destinationPort);
        // An echo request's reply is an echo reply, and back.
        if (original.icmpType === 8) expect(reply.icmpType).toBe(0);
      }),
      parameters(200),
    );
  });

  it("an entry's lifetime follows the virtual clock", () => {
    const generated = fc.record({
      scenario: containerHostArbitrary({ minContainers: 1, maxContainers: 2, wanListeners: SERVICES, maxInternet: 1 }).map((host) => flowScenario(host, [])),
      protocol: fc.constantFrom<"udp" | "icmp">("udp", "icmp"),
      // Around the 30 s timeout, in whole and odd microseconds.
      waitMicroseconds: fc.oneof(fc.integer({ min: 0, max: 60 * SECOND }), fc.integer({ min: 28 * SECOND, max: 31 * SECOND })),
    });
    fc.assert(
      fc.property(generated, ({ scenario, protocol, waitMicroseconds }) => {
        const world = scenario.world();
        const host = scenario.host as ReturnType<typeof containerHostArbitrary> extends fc.Arbitrary<infer H> ? H : never;
        const flow = { protocol, from: host.containers[0]!.name, to: host.internet[0]!, ...(protocol === "udp" ? { port: 53 } : {}), sourcePort: 5000 };
        const first = runFlow(world, flow);
        expect(first.outcome).toBe("connected");
        const entry = first.conntrack.find((candidate) => candidate.namespace === "")!;
        expect(entry.expires).toBeGreaterThan(first.ended);
        expect(entry.expires).toBeLessThanOrEqual(first.ended + CONNTRACK_TIMEOUTS.udp);
        advanceClock(world, waitMicroseconds);
        const second = runFlow(world, flow);
        expect(second.outcome).toBe("connected");
        const again = second.conntrack.find((candidate) => candidate.namespace === "")!;
        // The second packet leaves at second.started: within the lifetime it finds the entry, after it a new one.
        if (second.started <= entry.expires) expect(again.id).toBe(entry.id);
        else expect(again.id).toBeGreaterThan(entry.id);
        expect(natSteps(second).length === 0).toBe(second.started <= entry.expires);
      }),
      parameters(40),
    );
  });

  it("the nat table is consulted once per connection", () => {
    const generated = containerHostArbitrary({ minContainers: 1, maxContainers: 3, wanListeners: SERVICES, maxPortForwards: 2 }).chain((host) =>
      fc
        .array(
          fc.oneof(
            fc.record({ protocol: fc.constantFrom<"tcp" | "udp" | "icmp">("tcp", "udp", "icmp"), from: fc.constantFrom(...host.containers.map((container) => container.name)), to: fc.constant(host.internet[0]!), port: fc.constantFrom(80, 53), sourcePort: fc.constantFrom(5000, 5001) }),
            ...(host.portForwards.length > 0 ? [fc.constantFrom(...host.portForwards).map((forward) => ({ protocol: forward.protocol, from: "wan", to: host.uplink.address, port: forward.hostPort, sourcePort: 5000 }))] : []),
          ),
          { minLength: 1, maxLength: 5 },
        )
        .map((flows) => flowScenario(host, flows)),
    );
    fc.assert(
      fc.property(generated, (scenario) => {
        const world = scenario.world();
        const seen = new Set<string>();
        for (const flow of scenario.flows) {
          const result = runFlow(world, flow);
          const key = JSON.stringify(result.sent);
          const steps = natSteps(result);
          // Only a connection's first packet walks the nat table, in the original direction.
          for (const step of steps) expect(step.packet?.conntrack?.state).toBe("NEW");
          const hopDirections = new Map(result.hops.map((hop) => [hop.step, hop.direction]));
          for (const step of steps) expect(hopDirections.get(result.trace.steps.indexOf(step))).toBe("original");
          if (seen.has(key)) expect(steps).toEqual([]);
          else if (result.outcome === "connected") expect(steps.length).toBeGreaterThan(0);
          // A repeated tuple is the same connection (a TCP SYN on it too: conntrack keeps the entry).
          if (result.outcome === "connected") seen.add(key);
        }
      }),
      parameters(30),
    );
  });
});
