// `netsim verify`'s work for one scenario: run it in the simulator and on the
// kernel, both with state snapshots, and compare the two runs.
import type { Backend } from "../backends/backend.js";
import { SimBackend, type SimBackendRun } from "../backends/sim/sim-backend.js";
import type { ScenarioRun } from "../scenario/result.js";
import { compareRuns, type Comparison } from "./compare.js";

export type VerifyResult =
  | { readonly kind: "compared"; readonly comparison: Comparison; readonly sim: SimBackendRun; readonly kernel: ScenarioRun }
  /** The simulator could not take the scenario (syntax, an unmodelled command or option): nothing to compare. */
  | { readonly kind: "bad-input"; readonly file: string; readonly messages: readonly string[] };

export interface VerifyBackends {
  readonly sim: SimBackend;
  readonly kernel: Backend;
}

export async function verifyScenario(file: string, backends: VerifyBackends): Promise<VerifyResult> {
  const sim = await backends.sim.run(file, { snapshots: true });
  if (sim.problems.length > 0) return { kind: "bad-input", file: sim.file, messages: sim.problems.map((problem) => problem.message) };
  const kernel = await backends.kernel.run(file, { snapshots: true });
  return { kind: "compared", comparison: compareRuns(sim, kernel), sim, kernel };
}
