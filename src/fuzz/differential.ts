// One generated scenario on both backends, compared as `netsim verify`
// compares: the property the fuzzer checks is "no divergence".
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import type { Backend } from "../backends/backend.js";
import { optionalToolMissing } from "../backends/kernel/availability.js";
import { wrappedTools, type SandboxExecutables } from "../backends/kernel/sandbox-scripts.js";
import { SimBackend } from "../backends/sim/sim-backend.js";
import { NETWORK_COMMANDS } from "../commands/registry.js";
import type { ScenarioRun } from "../scenario/result.js";
import type { Comparison } from "../verify/compare.js";
import { formatComparison } from "../verify/report.js";
import { verifyScenario } from "../verify/verify.js";
import { fuzzScenarioArbitrary, renderScenario, type FuzzFeatures, type FuzzScenario } from "./scenario-generator.js";

/** The tool names the kernel backend's sandbox puts a wrapper in PATH for (the paths do not matter here). */
const KERNEL_WRAPPED_TOOLS = new Set(wrappedTools(new Proxy({}, { get: () => "" }) as SandboxExecutables).keys());

/** What the simulator models now: iptables rules and nc probes are generated only once it takes them. */
export function simulatorFeatures(): FuzzFeatures {
  // `bridge` only once the kernel backend wraps it too (a tool it does not wrap runs in one backend only);
  // nft, an optional tool of the kernel backend's, only where it is installed.
  return {
    iptables: NETWORK_COMMANDS.has("iptables"),
    nc: NETWORK_COMMANDS.has("nc"),
    bridge: NETWORK_COMMANDS.has("bridge") && KERNEL_WRAPPED_TOOLS.has("bridge"),
    nft: NETWORK_COMMANDS.has("nft") && optionalToolMissing("nft") === undefined,
  };
}

export type DifferentialResult =
  | { readonly kind: "compared"; readonly comparison: Comparison; readonly kernel: ScenarioRun }
  | { readonly kind: "bad-input"; readonly messages: readonly string[] };

/** Writes the scenario to a fresh directory, runs it on both backends, compares, and removes the directory. */
export async function runDifferential(text: string, kernel: Backend, temporaryDirectory = tmpdir()): Promise<DifferentialResult> {
  const directory = mkdtempSync(join(temporaryDirectory, "netsim-fuzz-"));
  try {
    const file = join(directory, "scenario.sh");
    writeFileSync(file, text);
    const result = await verifyScenario(file, { sim: new SimBackend(), kernel });
    return result.kind === "compared" ? { kind: "compared", comparison: result.comparison, kernel: result.kernel } : { kind: "bad-input", messages: result.messages };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Thrown by the property: carries the report fast-check prints with the counterexample. */
export class DivergenceFound extends Error {}

/** The scenario with each probe's kernel outcome as its `# expect:`, ready for scenarios/regressions/. */
export function annotateWithKernelOutcomes(text: string, kernel: ScenarioRun): string {
  const outcomes = new Map<number, string>();
  for (const record of kernel.commands) {
    if (record.location.file !== kernel.file) continue;
    const outcome = record.probe?.outcome ?? (record.exitCode === 0 ? undefined : "error");
    if (outcome) outcomes.set(record.location.line, outcome);
  }
  return text
    .split("\n")
    .map((line, index) => {
      const outcome = outcomes.get(index + 1);
      return outcome && !line.includes("# expect:") ? `${line}   # expect: ${outcome}` : line;
    })
    .join("\n");
}

/** Runs one scenario text on both backends (runDifferential, or a cache in front of it). */
export type DifferentialRunner = (text: string) => Promise<DifferentialResult>;

/** The property: both backends agree on every command, probe and state of the scenario. */
export function agreementProperty(kernel: Backend, features: FuzzFeatures = simulatorFeatures(), runner: DifferentialRunner = (text) => runDifferential(text, kernel)) {
  return fc.asyncProperty(fuzzScenarioArbitrary(features), async (scenario: FuzzScenario) => {
    const text = renderScenario(scenario);
    const result = await runner(text);
    if (result.kind === "bad-input") throw new DivergenceFound(`the simulator cannot take a generated scenario:\n${result.messages.join("\n")}\n${text}`);
    if (result.comparison.divergences.length > 0) {
      const report = formatComparison(result.comparison).replaceAll(/\S*netsim-fuzz-[^/\s]*\//g, "");
      throw new DivergenceFound(`${report}\nscenario (probes annotated with the kernel's outcomes):\n${annotateWithKernelOutcomes(text, result.kernel)}`);
    }
  });
}
