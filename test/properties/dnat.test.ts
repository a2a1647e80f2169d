// DNAT (port forward) invariants on generated container hosts: every new
// connection to host:port lands on the target address:port, its replies
// leave with host:port as their source, and traffic the host makes itself is
// translated only by nat OUTPUT rules (it never passes nat PREROUTING).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { containerHostArbitrary, flowScenario, invertFlowTuple, runFlow, tuplesAt, type FlowResult } from "../../src/testing/index.js";
import { parameters } from "./parameters.js";

function natPreroutingSteps(result: FlowResult, namespace: string) {
  return result.trace.steps.filter((step) => step.namespace === namespace && step.decision?.kind === "netfilter" && step.decision.table === "nat" && step.decision.chain === "PREROUTING");
}

const forwarded = (output: boolean) =>
  containerHostArbitrary({ minContainers: 1, maxContainers: 3, maxPortForwards: 3, outputPortForwards: output })
    .filter((host) => host.portForwards.length > 0)
    .chain((host) =>
      fc
        .array(fc.record({ forward: fc.nat(), sourcePort: fc.constantFrom(5000, 40000, 40001) }), { minLength: 1, maxLength: 4 })
        .map((picks) =>
          flowScenario(
            host,
            picks.map(({ forward, sourcePort }) => {
              const published = host.portForwards[forward % host.portForwards.length]!;
              return { protocol: published.protocol, from: "wan", to: host.uplink.address, port: published.hostPort, sourcePort };
            }),
          ),
        ),
    );

describe("DNAT (properties)", () => {
  it("every new connection to host:port lands on the target, and its replies leave with host:port as source", () => {
    fc.assert(
      fc.property(forwarded(false), (generated) => {
        const world = generated.world();
        const host = generated.host;
        for (const flow of generated.flows) {
          const result = runFlow(world, flow);
          const published = host.portForwards.find((candidate) => candidate.protocol === flow.protocol && candidate.hostPort === flow.port)!;
          const target = host.containers[published.container]!;
          expect(result.outcome).toBe("connected");
          expect(result.landed?.namespace).toBe(target.name);
          expect(result.landed?.tuple.destination).toBe(target.address);
          expect(result.landed?.tuple.destinationPort).toBe(published.containerPort);
          // The client never learns of the container: the answer comes from host:port.
          expect(result.answered).toEqual(invertFlowTuple(result.sent));
          for (const tuple of tuplesAt(result, "wan", undefined, "reply")) {
            expect(tuple.source).toBe(host.uplink.address);
            expect(tuple.sourcePort).toBe(flow.port);
          }
        }
      }),
      parameters(30),
    );
  });

  it("locally generated traffic is translated only by OUTPUT rules", () => {
    const local = fc.tuple(fc.boolean(), fc.nat()).chain(([output, seed]) =>
      forwarded(output).map((generated) => ({
        output,
        generated: flowScenario(
          generated.host,
          generated.flows.map((flow, index) => ({ ...flow, from: "", sourcePort: 41000 + ((seed + index) % 3) })),
        ),
      })),
    );
    fc.assert(
      fc.property(local, ({ output, generated }) => {
        const world = generated.world();
        const host = generated.host;
        for (const flow of generated.flows) {
          const result = runFlow(world, flow);
          const published = host.portForwards.find((candidate) => candidate.protocol === flow.protocol && candidate.hostPort === flow.port)!;
          const target = host.containers[published.container]!;
          expect(natPreroutingSteps(result, "")).toEqual([]);
          if (output) {
            expect(result.outcome).toBe("connected");
            expect(result.landed?.namespace).toBe(target.name);
            expect(result.landed?.tuple.destinationPort).toBe(published.containerPort);
            expect(result.answered).toEqual(invertFlowTuple(result.sent));
          } else {
            // PREROUTING rules do not apply: the host answers for its own address, and nothing listens there.
            expect(result.outcome).toBe("refused");
            expect(result.landed?.namespace).toBe("");
          }
        }
      }),
      parameters(30),
    );
  });
});
