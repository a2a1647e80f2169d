import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { containerHost, flowScenario, reportAsScenario, runFlow } from "../../src/testing/index.js";

describe("testing/report", () => {
  it("a failing property prints its shrunk counterexample as a runnable scenario", () => {
    const host = containerHost({ containers: 1, masquerade: false, listeners: [{ namespace: "wan", protocol: "tcp", port: 80 }] });
    const flows = fc.integer({ min: 1, max: 3 }).map((count) => flowScenario(host, Array.from({ length: count }, () => ({ protocol: "tcp" as const, from: "c0", to: "8.8.8.8", port: 80 }))));
    let message = "";
    try {
      fc.assert(
        fc.property(flows, (scenario) => {
          const world = scenario.world();
          for (const flow of scenario.flows) expect(runFlow(world, flow).outcome).toBe("connected");
        }),
        { seed: 7, numRuns: 10, reporter: reportAsScenario },
      );
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Property failed after \d+ run\(s\), shrunk \d+ time\(s\)\. Replay with \{ seed: 7, path: "[\d:]+" \}\./);
    expect(message).toContain("Shrunk counterexample, as a scenario:\n\n# The uplink eth0 192.168.0.100/16");
    // Shrunk to one flow: without MASQUERADE the wan cannot answer.
    expect(message).toContain("# flow 1: tcp from c0 to 8.8.8.8:80\nip netns exec c0 nc -z -w 1 8.8.8.8 80\n");
    expect(message).not.toContain("# flow 2");
    expect(message).toContain('Failure: expected \'timeout\' to be \'connected\'');
  });

  it("stays quiet when the property holds", () => {
    expect(() => reportAsScenario({ failed: false, interrupted: false, numRuns: 1, numSkips: 0, numShrinks: 0, seed: 1, counterexample: null, counterexamplePath: null, errorInstance: null, failures: [], executionSummary: [], verbose: 0, runConfiguration: {} } as unknown as fc.RunDetails<unknown>)).not.toThrow();
  });
});
