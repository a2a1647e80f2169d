// Every scenario shipped under scenarios/ runs in the simulator with every
// expectation met and nothing refused.
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ScenarioSimulator } from "../src/scenario/runner.js";

const ROOT = join(import.meta.dirname, "..", "scenarios");

/** Scenario files: the .sh files of scenarios/, not the preludes under lib/ folders. */
export function scenarioFiles(folder = ROOT): string[] {
  return readdirSync(folder)
    .sort()
    .flatMap((entry) => {
      const path = join(folder, entry);
      if (statSync(path).isDirectory()) return entry === "lib" ? [] : scenarioFiles(path);
      return entry.endsWith(".sh") ? [path] : [];
    });
}

describe("shipped scenarios", () => {
  for (const file of scenarioFiles()) {
    it(relative(ROOT, file), async () => {
      const run = await new ScenarioSimulator().run(file);
      expect(run.problems).toEqual([]);
      expect(run.expectations.length).toBeGreaterThan(0);
      expect(run.expectations.filter((expectation) => !expectation.ok)).toEqual([]);
    });
  }
});
