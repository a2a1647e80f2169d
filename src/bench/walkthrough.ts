// Item 1: the walkthrough (every stage, every probe) in the simulator,
// in-process, against the kernel backend on the same files; and `netsim run`
// cold start against a bare `node -e ''`.
//
// The ratio is taken with the simulator as `netsim run` runs by default:
// untraced (tracing is --trace's, --json's and --explain's). The traced time
// is measured and shown beside it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkKernelBackendAvailable, KernelBackend } from "../backends/kernel/kernel-backend.js";
import { ScenarioSimulator } from "../scenario/runner.js";
import { formatMs, formatRatio, median, now, timeOnce, type BenchRow } from "./measure.js";

export function walkthroughFiles(root: string): string[] {
  const folder = join(root, "scenarios", "walkthrough");
  return readdirSync(folder)
    .filter((name) => name.endsWith(".sh"))
    .sort()
    .map((name) => join(folder, name));
}

async function simulateAll(files: readonly string[], tracing: boolean): Promise<number> {
  let held = 0;
  for (const file of files) {
    const run = await new ScenarioSimulator({ tracing }).run(file);
    if (run.problems.length > 0 || run.expectations.some((expectation) => !expectation.ok)) throw new Error(`walkthrough bench: ${file} does not pass in the simulator`);
    held += run.expectations.length;
  }
  return held;
}

export async function walkthroughBench(root: string, options: { quick: boolean; kernel: boolean }): Promise<BenchRow> {
  const files = walkthroughFiles(root);
  const expectations = await simulateAll(files, false);
  // `netsim run`'s default (the figure's) and traced, as --trace runs it, taken in turns so both see the same load.
  const untraced: number[] = [];
  const traced: number[] = [];
  for (let round = 0; round < (options.quick ? 5 : 11) + 2; round++) {
    const untracedMs = await timeOnce(() => simulateAll(files, false));
    const tracedMs = await timeOnce(() => simulateAll(files, true));
    if (round < 2) continue; // warm-up
    untraced.push(untracedMs);
    traced.push(tracedMs);
  }
  const simulatorMs = median(untraced);
  const tracedMs = median(traced);
  const base = {
    item: 1,
    name: `walkthrough: ${files.length} stages, ${expectations} expectations (untraced, as \`netsim run\` runs them)`,
    simulator: `${formatMs(simulatorMs)} in-process untraced; traced (--trace) ${formatMs(tracedMs)}`,
    target: "≥ 1,000×",
  };
  const availability = checkKernelBackendAvailable();
  if (!options.kernel || !availability.ok) {
    const reason = options.kernel ? `kernel backend cannot run: ${availability.ok ? "" : availability.reason}` : "kernel columns skipped (--no-kernel)";
    return { ...base, baseline: "not measured", note: reason, figures: { simulatorMs, tracedMs, stages: files.length, expectations } };
  }
  const start = now();
  for (const file of files) {
    const run = await new KernelBackend().run(file);
    if (run.expectations.some((expectation) => !expectation.ok)) throw new Error(`walkthrough bench: ${file} does not pass on the kernel`);
  }
  const kernelMs = now() - start;
  const ratio = kernelMs / simulatorMs;
  const tracedRatio = kernelMs / tracedMs;
  return {
    ...base,
    baseline: `kernel backend ${formatMs(kernelMs)}`,
    ratio,
    met: ratio >= 1000,
    note: `traced: ${formatRatio(tracedRatio)}. The kernel side is dominated by probes that wait for their -W timeout (no-reply stages) and by process start-up of ip/ping; the simulator's by the embedded shell (just-bash) interpreting each command, then the commands themselves`,
    figures: { simulatorMs, tracedMs, kernelMs, tracedRatio, stages: files.length, expectations },
  };
}

function spawnMs(command: string, args: readonly string[], cwd: string, environment: NodeJS.ProcessEnv = process.env): number {
  const start = now();
  const result = spawnSync(command, args, { cwd, stdio: ["ignore", "ignore", "pipe"], env: environment });
  const elapsed = now() - start;
  if (result.status !== 0) throw new Error(`cold-start bench: ${command} ${args.join(" ")} exited ${result.status}: ${result.stderr.toString()}`);
  return elapsed;
}

/**
 * Process start to exit, interleaved with bare node so both see the same
 * machine load; medians. The bundle loads `netsim run` through V8's code
 * cache (src/cli/code-cache.ts), kept here in a cache folder of the bench's
 * own: measured with the cache in place (every run after a user's first)
 * and with an empty folder each time (a first run, which also writes it).
 */
export function coldStartBench(root: string, options: { quick: boolean }): BenchRow {
  const scenario = join(root, "scenarios", "walkthrough", "01-netns-veth.sh");
  const bundled = join(root, "dist", "netsim.mjs");
  const cacheHome = mkdtempSync(join(tmpdir(), "netsim-bench-code-cache-"));
  const warm = { ...process.env, XDG_CACHE_HOME: cacheHome };
  const entries: Array<[string, string, () => NodeJS.ProcessEnv]> = [["dist/cli/main.js", join(root, "dist", "cli", "main.js"), () => warm]];
  if (existsSync(bundled)) {
    entries.push(["dist/netsim.mjs (bundle)", bundled, () => warm]);
    entries.push(["bundle, first run (no code cache yet)", bundled, () => ({ ...process.env, XDG_CACHE_HOME: mkdtempSync(join(cacheHome, "first-")) })]);
  }
  const repeats = options.quick ? 5 : 11;
  const bare: number[] = [];
  const runs = new Map<string, number[]>(entries.map(([label]) => [label, []]));
  try {
    for (let index = 0; index < repeats + 1; index++) {
      const bareMs = spawnMs(process.execPath, ["-e", ""], root);
      const these = entries.map(([label, entry, environment]) => [label, spawnMs(process.execPath, [entry, "run", scenario], root, environment())] as const);
      if (index === 0) continue; // the first round warms the file cache (and writes the code cache)
      bare.push(bareMs);
      for (const [label, ms] of these) runs.get(label)!.push(ms);
    }
  } finally {
    rmSync(cacheHome, { recursive: true, force: true });
  }
  const bareMs = median(bare);
  const measured = entries.map(([label]) => [label, median(runs.get(label)!)] as const);
  const typical = measured.filter(([label]) => !label.includes("first run"));
  const [bestLabel, bestMs] = typical.reduce((best, entry) => (entry[1] < best[1] ? entry : best));
  const firstRun = measured.find(([label]) => label.includes("first run"));
  const ratio = bestMs / bareMs;
  return {
    item: 1,
    name: "`netsim run` cold start (stage 1), process start to exit",
    simulator: measured.map(([label, ms]) => `${label} ${formatMs(ms)}`).join("; "),
    baseline: `node -e '' ${formatMs(bareMs)}`,
    target: "≤ 3× bare node",
    met: ratio <= 3,
    note: `best entry ${bestLabel}: ${formatRatio(ratio)} bare node's time${firstRun ? `; a first run, before the code cache exists, ${formatRatio(firstRun[1] / bareMs)}` : ""}`,
    figures: { bareNodeMs: bareMs, ...Object.fromEntries(measured.map(([label, ms]) => [label.includes("first run") ? "bundleFirstRunMs" : `${label.split(" ")[0]}Ms`, ms])), ratioToBareNode: ratio },
  };
}
