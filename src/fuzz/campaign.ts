// A differential fuzzing campaign: N random scenarios, seeded, each on the
// simulator and the kernel. fast-check shrinks a divergence to a minimal
// scenario, printed as a scenario file with the kernel's outcomes as its
// `# expect:` comments.
import fc from "fast-check";
import type { Backend } from "../backends/backend.js";
import { agreementProperty, simulatorFeatures } from "./differential.js";
import type { FuzzFeatures } from "./scenario-generator.js";

export interface CampaignOptions {
  readonly runs: number;
  readonly seed: number;
  readonly kernel: Backend;
  readonly features?: FuzzFeatures;
  /** Stop starting new scenarios (or shrink steps) after this long; a divergence found so far is still reported. */
  readonly timeLimitMilliseconds?: number;
  /** Progress, one line per scenario checked. */
  readonly onProgress?: (done: number) => void;
}

export interface CampaignResult {
  readonly ok: boolean;
  /** Scenarios checked (shrinking runs included). */
  readonly scenarios: number;
  readonly seed: number;
  readonly features: FuzzFeatures;
  /** fast-check's report: the seed and path to replay, the shrunk scenario with the divergence. */
  readonly report?: string;
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const features = options.features ?? simulatorFeatures();
  let scenarios = 0;
  const property = agreementProperty(options.kernel, features).beforeEach(() => {
    scenarios++;
    options.onProgress?.(scenarios);
  });
  // Shrinking runs the kernel each time: bounded, so a campaign always ends.
  const details = await fc.check(property, {
    numRuns: options.runs,
    seed: options.seed,
    maxSkipsPerRun: 100,
    ...(options.timeLimitMilliseconds !== undefined ? { interruptAfterTimeLimit: options.timeLimitMilliseconds } : {}),
  });
  if (!details.failed) return { ok: true, scenarios, seed: options.seed, features };
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const report = [
    `divergence after ${details.numRuns} scenario(s), shrunk ${details.numShrinks} time(s); replay with --seed ${details.seed} --path ${details.counterexamplePath ?? ""}`,
    error,
  ].join("\n");
  return { ok: false, scenarios, seed: options.seed, features, report };
}
