// Determinism: the same scenario (and seed) gives byte-identical traces,
// whether its flows run through the toolkit or its printed bash runs
// through the scenario runner.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatTrace } from "../../src/render/trace.js";
import { ScenarioSimulator } from "../../src/scenario/runner.js";
import { containerHostArbitrary, flow, flowScenario, runFlows } from "../../src/testing/index.js";
import { parameters } from "./parameters.js";

const generated = containerHostArbitrary({ maxContainers: 3, maxPortForwards: 1, wanListeners: [{ protocol: "tcp", port: 80 }, { protocol: "udp", port: 53 }] }).chain((host) =>
  fc
    .array(flow({ from: [...host.containers.map((container) => container.name), "wan", ""], to: [...host.internet, host.uplink.address, ...host.containers.map((container) => container.address)], ports: [80, 53, ...host.portForwards.map((forward) => forward.hostPort)], sourcePorts: fc.constantFrom(5000, 40000) }), { minLength: 1, maxLength: 4 })
    .map((flows) => flowScenario(host, flows)),
);

describe("determinism (properties)", () => {
  it("the same flows through the same world give byte-identical traces", () => {
    fc.assert(
      fc.property(generated, (scenario) => {
        const first = runFlows(scenario.world(), scenario.flows);
        const second = runFlows(scenario.world(), scenario.flows);
        expect(JSON.stringify(second.map((result) => result.trace))).toBe(JSON.stringify(first.map((result) => result.trace)));
        expect(second.map((result) => formatTrace(result.trace)).join("\n")).toBe(first.map((result) => formatTrace(result.trace)).join("\n"));
      }),
      parameters(25),
    );
  });

  it("the printed scenario runs to byte-identical output and traces", async () => {
    await fc.assert(
      fc.asyncProperty(generated, async (scenario) => {
        const run = () => new ScenarioSimulator({ tracing: true, files: { "/determinism/scenario.sh": String(scenario) } }).run("/determinism/scenario.sh");
        const [first, second] = [await run(), await run()];
        expect(first.problems).toEqual([]);
        expect(first.commands.filter((record) => record.exitCode !== 0 && !record.probe)).toEqual([]);
        expect(second.output).toBe(first.output);
        expect(JSON.stringify(second.traces)).toBe(JSON.stringify(first.traces));
      }),
      parameters(10),
    );
  });
});
