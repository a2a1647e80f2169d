// `npm run bench`: every figure of the performance issue, each a ratio of
// two things measured side by side in this run, printed as a table and
// written as JSON. Never a timed test: the numbers are reported, not asserted.
//
//   node dist/bench/main.js [--quick] [--no-kernel] [--only 1,3,4] [--out FILE] [--kernel-containers N]
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "./measure.js";
import { packetPathBench } from "./packet-path.js";
import { conntrackBench, rulesBench } from "./netfilter.js";
import { describeMachine, formatTable } from "./report.js";
import { routingBench } from "./routing.js";
import { scaleBench } from "./scale.js";
import { coldStartBench, walkthroughBench } from "./walkthrough.js";

interface BenchArguments {
  readonly quick: boolean;
  readonly kernel: boolean;
  readonly only?: ReadonlySet<number>;
  readonly out: string;
  readonly kernelContainers: number;
}

function parseArguments(argv: readonly string[], root: string): BenchArguments | string {
  let quick = false;
  let kernel = true;
  let only: Set<number> | undefined;
  let out = join(root, "bench-results", "bench.json");
  let kernelContainers = 1000;
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    if (word === "--quick") quick = true;
    else if (word === "--no-kernel") kernel = false;
    else if (word === "--only") only = new Set((argv[++index] ?? "").split(",").map(Number));
    else if (word === "--out") out = resolve(argv[++index] ?? out);
    else if (word === "--kernel-containers") kernelContainers = Number(argv[++index]);
    else return `bench: unknown argument "${word}"`;
  }
  if (!Number.isInteger(kernelContainers) || kernelContainers < 1) return "bench: --kernel-containers takes a positive count";
  return { quick, kernel, out, kernelContainers, ...(only ? { only } : {}) };
}

async function main(): Promise<number> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
  // Heap figures need a collector the bench can call: run again with it exposed.
  if (!(globalThis as { gc?: unknown }).gc) {
    const child = spawnSync(process.execPath, ["--expose-gc", "--max-old-space-size=4096", fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
    return child.status ?? 1;
  }
  const parsed = parseArguments(process.argv.slice(2), root);
  if (typeof parsed === "string") {
    process.stderr.write(`${parsed}\n`);
    return 2;
  }
  const wanted = (item: number) => !parsed.only || parsed.only.has(item);
  const folder = mkdtempSync(join(tmpdir(), "netsim-bench-"));
  const load = loadavg();
  const rows: BenchRow[] = [];
  const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);
  try {
    if (wanted(1)) {
      progress("1 walkthrough (simulator, then kernel backend)");
      rows.push(await walkthroughBench(root, parsed));
      progress("1 cold start");
      rows.push(coldStartBench(root, parsed));
    }
    if (wanted(2)) {
      progress("2 packet path");
      rows.push(...(await packetPathBench({ ...parsed, folder: join(folder, "packet-path") })));
    }
    if (wanted(3)) {
      progress(`3 scale (kernel: ${parsed.kernelContainers} containers)`);
      rows.push(...(await scaleBench({ ...parsed, folder: join(folder, "scale") })));
    }
    if (wanted(4)) {
      progress("4 routing");
      rows.push(...routingBench(parsed.quick));
    }
    if (wanted(5)) {
      progress("5 kube-proxy ruleset (simulator naive and indexed, then the kernel)");
      rows.push(...(await rulesBench({ ...parsed, folder: join(folder, "rules") })));
    }
    if (wanted(6)) {
      progress("6 conntrack, 1,000,000 entries");
      rows.push(...conntrackBench(parsed));
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const machine = describeMachine(load);
  process.stdout.write(formatTable(rows, machine));
  mkdirSync(dirname(parsed.out), { recursive: true });
  writeFileSync(parsed.out, `${JSON.stringify({ date: new Date().toISOString(), machine, quick: parsed.quick, rows }, null, 2)}\n`);
  process.stderr.write(`bench: results written to ${parsed.out}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
