// The two ways to run a scenario: in the simulator, or on the real kernel in
// a throwaway sandbox. Both return the same ScenarioRun so they can be diffed.
import type { ScenarioRun } from "../scenario/result.js";

export interface RunOptions {
  /** Capture the state (links, addresses, routes, rules, conntrack) after each probe and at the end. */
  readonly snapshots?: boolean;
}

export interface Backend {
  readonly name: "sim" | "kernel";
  run(file: string, options?: RunOptions): Promise<ScenarioRun>;
}
