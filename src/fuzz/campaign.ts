// A differential fuzzing campaign: N random scenarios, seeded, each on the
// simulator and the kernel. fast-check shrinks a divergence to a minimal
// scenario, printed as a scenario file with the kernel's outcomes as its
// `# expect:` comments.
//
// The kernel spends most of a scenario waiting (a lost ping's -W, nc's -w),
// so the campaign's scenarios are run a few at a time ahead of fast-check,
// which then finds each result waiting for it; shrinking runs one at a time.
import fc from "fast-check";
import type { Backend } from "../backends/backend.js";
import { agreementProperty, runDifferential, simulatorFeatures, type DifferentialResult } from "./differential.js";
import { fuzzScenarioArbitrary, renderScenario, type FuzzFeatures } from "./scenario-generator.js";

export interface CampaignOptions {
  readonly runs: number;
  readonly seed: number;
  readonly kernel: Backend;
  readonly features?: FuzzFeatures;
  /** Scenarios run at once ahead of fast-check (default 3). */
  readonly concurrency?: number;
  /** Stop starting new scenarios (or shrink steps) after this long; a divergence found so far is still reported. */
  readonly timeLimitMilliseconds?: number;
  /** Progress: called as each scenario is checked. */
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

/** Starts every text's run, at most `concurrency` at a time; each promise settles when its own run ends. */
function prefetch(texts: readonly string[], concurrency: number, run: (text: string) => Promise<DifferentialResult>): Map<string, Promise<DifferentialResult>> {
  const results = new Map<string, Promise<DifferentialResult>>();
  const queue = [...new Set(texts)];
  let running = 0;
  const waiting = new Map<string, { resolve: (result: DifferentialResult) => void; reject: (error: unknown) => void }>();
  for (const text of queue) {
    results.set(
      text,
      new Promise((resolve, reject) => {
        waiting.set(text, { resolve, reject });
      }),
    );
    // A rejection is observed by whoever awaits it; never unhandled here.
    results.get(text)!.catch(() => undefined);
  }
  const startNext = () => {
    while (running < concurrency && queue.length > 0) {
      const text = queue.shift()!;
      const settle = waiting.get(text)!;
      running++;
      run(text)
        .then(settle.resolve, settle.reject)
        .finally(() => {
          running--;
          startNext();
        });
    }
  };
  startNext();
  return results;
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const features = options.features ?? simulatorFeatures();
  const run = (text: string) => runDifferential(text, options.kernel);
  // The same seed gives fast-check the same scenarios as fc.sample: run them ahead.
  const texts = fc.sample(fuzzScenarioArbitrary(features), { seed: options.seed, numRuns: options.runs }).map(renderScenario);
  const ahead = prefetch(texts, options.concurrency ?? 3, run);
  let scenarios = 0;
  const property = agreementProperty(options.kernel, features, (text) => ahead.get(text) ?? run(text)).beforeEach(() => {
    scenarios++;
    options.onProgress?.(scenarios);
  });
  const details = await fc.check(property, {
    numRuns: options.runs,
    seed: options.seed,
    maxSkipsPerRun: 100,
    ...(options.timeLimitMilliseconds !== undefined ? { interruptAfterTimeLimit: options.timeLimitMilliseconds } : {}),
  });
  // Runs still going ahead (after an early failure) are left to finish: each cleans up after itself.
  await Promise.allSettled(ahead.values());
  if (!details.failed) return { ok: true, scenarios, seed: options.seed, features };
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const report = [
    `divergence after ${details.numRuns} scenario(s), shrunk ${details.numShrinks} time(s); replay with --seed ${details.seed} --path ${details.counterexamplePath ?? ""}`,
    error,
  ].join("\n");
  return { ok: false, scenarios, seed: options.seed, features, report };
}
