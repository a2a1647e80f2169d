// Item 1: the walkthrough (every stage, every probe) in the simulator,
// in-process, against the kernel backend on the same files; and `netsim run`
// cold start against a bare `node -e ''`.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { checkKernelBackendAvailable, KernelBackend } from "../backends/kernel/kernel-backend.js";
import { ScenarioSimulator } from "../scenario/runner.js";
import { formatMs, formatRatio, median, medianTime, now, type BenchRow } from "./measure.js";

export function walkthroughFiles(root: string): string[] {
  const folder = join(root, "scenarios", "walkthrough");
  return readdirSync(folder)
    .filter((name) => name.endsWith(".sh"))
    .sort()
    .map((name) => join(folder, name));
}

async function simulateAll(files: readonly string[]): Promise<number> {
  let held = 0;
  for (const file of files) {
    const run = await new ScenarioSimulator({ tracing: true }).run(file);
    if (run.problems.length > 0 || run.expectations.some((expectation) => !expectation.ok)) throw new Error(`walkthrough bench: ${file} does not pass in the simulator`);
    held += run.expectations.length;
  }
  return held;
}

export async function walkthroughBench(root: string, options: { quick: boolean; kernel: boolean }): Promise<BenchRow> {
  const files = walkthroughFiles(root);
  const expectations = await simulateAll(files);
  const simulatorMs = await medianTime(() => simulateAll(files), options.quick ? 3 : 7, 2);
  const base = {
    item: 1,
    name: `walkthrough: ${files.length} stages, ${expectations} expectations (traced)`,
    simulator: `${formatMs(simulatorMs)} in-process`,
    target: "≥ 1,000×",
  };
  const availability = checkKernelBackendAvailable();
  if (!options.kernel || !availability.ok) {
    const reason = options.kernel ? `kernel backend cannot run: ${availability.ok ? "" : availability.reason}` : "kernel columns skipped (--no-kernel)";
    return { ...base, baseline: "not measured", note: reason, figures: { simulatorMs, stages: files.length, expectations } };
  }
  const start = now();
  for (const file of files) {
    const run = await new KernelBackend().run(file);
    if (run.expectations.some((expectation) => !expectation.ok)) throw new Error(`walkthrough bench: ${file} does not pass on the kernel`);
  }
  const kernelMs = now() - start;
  const ratio = kernelMs / simulatorMs;
  return {
    ...base,
    baseline: `kernel backend ${formatMs(kernelMs)}`,
    ratio,
    met: ratio >= 1000,
    note: "the kernel side is dominated by probes that wait for their -W timeout (no-reply stages) and by process start-up of ip/ping",
    figures: { simulatorMs, kernelMs, stages: files.length, expectations },
  };
}

function spawnMs(command: string, args: readonly string[], cwd: string): number {
  const start = now();
  const result = spawnSync(command, args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
  const elapsed = now() - start;
  if (result.status !== 0) throw new Error(`cold-start bench: ${command} ${args.join(" ")} exited ${result.status}: ${result.stderr.toString()}`);
  return elapsed;
}

/** Process start to exit, interleaved with bare node so both see the same machine load; medians. */
export function coldStartBench(root: string, options: { quick: boolean }): BenchRow {
  const scenario = join(root, "scenarios", "walkthrough", "01-netns-veth.sh");
  const entries: Array<[string, string]> = [["dist/cli/main.js", join(root, "dist", "cli", "main.js")]];
  const bundled = join(root, "dist", "netsim.mjs");
  if (existsSync(bundled)) entries.push(["dist/netsim.mjs (bundle)", bundled]);
  const repeats = options.quick ? 5 : 11;
  const bare: number[] = [];
  const runs = new Map<string, number[]>(entries.map(([label]) => [label, []]));
  for (let index = 0; index < repeats + 1; index++) {
    const bareMs = spawnMs(process.execPath, ["-e", ""], root);
    const these = entries.map(([label, entry]) => [label, spawnMs(process.execPath, [entry, "run", scenario], root)] as const);
    if (index === 0) continue; // the first round warms the file cache
    bare.push(bareMs);
    for (const [label, ms] of these) runs.get(label)!.push(ms);
  }
  const bareMs = median(bare);
  const measured = entries.map(([label]) => [label, median(runs.get(label)!)] as const);
  const [bestLabel, bestMs] = measured.reduce((best, entry) => (entry[1] < best[1] ? entry : best));
  const ratio = bestMs / bareMs;
  return {
    item: 1,
    name: "`netsim run` cold start (stage 1), process start to exit",
    simulator: measured.map(([label, ms]) => `${label} ${formatMs(ms)}`).join("; "),
    baseline: `node -e '' ${formatMs(bareMs)}`,
    target: "≤ 3× bare node",
    met: ratio <= 3,
    note: `best entry ${bestLabel}: ${formatRatio(ratio)} bare node's time`,
    figures: { bareNodeMs: bareMs, ...Object.fromEntries(measured.map(([label, ms]) => [`${label.split(" ")[0]}Ms`, ms])), ratioToBareNode: ratio },
  };
}
