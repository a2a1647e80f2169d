// The untraced fast path must do exactly what the traced path does: for any
// generated flow from the bench's container, the same socket events, the
// same translations (the addresses the reply comes from) and the same
// world afterwards (conntrack, neighbours, counters), traced or not.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { containerPathScript, natAvailable } from "../../src/bench/packet-path.js";
import { cloneWorld, type World } from "../../src/model/world.js";
import { ICMP_ECHO } from "../../src/model/packet.js";
import { runEvents } from "../../src/net/events.js";
import { ipLocalOut } from "../../src/net/ipv4/ip-output.js";
import { ipRouteOutput } from "../../src/net/ipv4/route.js";
import { createSimulation, type PingSocket, type PingSocketEvent } from "../../src/net/simulation.js";
import { ScenarioSimulator } from "../../src/scenario/runner.js";

const DESTINATIONS = [0x08080808, 0xc0a80001, 0xac120001, 0xc0a80064, 0x0a090909, 0xac120063];

function send(world: World, destination: number, sequence: number, tracing: boolean): { events: PingSocketEvent[]; steps: number } {
  const namespace = [...world.namespaces.values()].find((candidate) => candidate.name === "c1")!;
  const simulation = createSimulation(world, tracing);
  const socket: PingSocket = { namespaceId: namespace.id, echoId: 0x4242, events: [] };
  simulation.pingSockets.push(socket);
  const route = ipRouteOutput(namespace, destination);
  if (route.ok) {
    ipLocalOut(simulation, namespace, route.route, { source: route.route.source, destination, ttl: 64, transport: { protocol: "icmp", type: ICMP_ECHO, code: 0, id: 0x4242, sequence }, payloadLength: 64 });
  }
  runEvents(simulation, world.clock + 5_000_000, () => socket.events.length > 0);
  return { events: socket.events, steps: simulation.steps?.length ?? 0 };
}

describe("packet path: untraced fast path against the traced path", () => {
  it("gives the same outcome and leaves the same world for any flow", async () => {
    const file = "/bench/container-path.sh";
    const run = await new ScenarioSimulator({ files: { [file]: containerPathScript(natAvailable()) } }).run(file);
    expect(run.expectations.every((expectation) => expectation.ok)).toBe(true);
    fc.assert(
      fc.property(fc.array(fc.record({ destination: fc.constantFrom(...DESTINATIONS), gapMicroseconds: fc.integer({ min: 0, max: 40_000_000 }) }), { minLength: 1, maxLength: 8 }), (flows) => {
        const untraced = cloneWorld(run.world);
        const traced = cloneWorld(run.world);
        flows.forEach((flow, sequence) => {
          for (const world of [untraced, traced]) runEvents(createSimulation(world, false), world.clock + flow.gapMicroseconds);
          const fast = send(untraced, flow.destination, sequence + 1, false);
          const slow = send(traced, flow.destination, sequence + 1, true);
          expect(fast.events).toEqual(slow.events);
          expect(slow.steps).toBeGreaterThan(0);
        });
        expect(untraced).toEqual(traced);
      }),
      { numRuns: 60 },
    );
  });
});
