// Every scenario shipped under scenarios/ runs in the simulator with every
// expectation met and nothing refused.
import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ScenarioSimulator } from "../src/scenario/runner.js";
import { SCENARIOS, scenarioFiles } from "./support/scenario-files.js";

describe("shipped scenarios", () => {
  for (const file of scenarioFiles()) {
    it(relative(SCENARIOS, file), async () => {
      const run = await new ScenarioSimulator().run(file);
      expect(run.problems).toEqual([]);
      expect(run.expectations.length).toBeGreaterThan(0);
      expect(run.expectations.filter((expectation) => !expectation.ok)).toEqual([]);
    });
  }
});
