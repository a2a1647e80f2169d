// Run settings shared by the invariants: a fixed seed, so `npm test` checks
// the same cases every time; the run count from NETSIM_PROPERTY_RUNS (set by
// `npm run test:props -- --runs N`) or each property's own small default; a
// failure reported as the shrunk counterexample printed as a scenario.
import type fc from "fast-check";
import { reportAsScenario } from "../../src/testing/index.js";

export const SEED = Number(process.env.NETSIM_PROPERTY_SEED ?? 20_260_707);

const RUNS = process.env.NETSIM_PROPERTY_RUNS === undefined ? undefined : Number(process.env.NETSIM_PROPERTY_RUNS);

export function parameters<T>(defaultRuns: number): fc.Parameters<T> {
  return { seed: SEED, numRuns: RUNS !== undefined && RUNS > 0 ? RUNS : defaultRuns, reporter: reportAsScenario };
}
