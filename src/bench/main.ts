// `npm run bench`: every figure of the performance issue, each a ratio of
// two things measured side by side in this run, printed as a table and
// written as JSON. Never a timed test: the numbers are reported, not asserted.
//
//   node dist/bench/main.js [--quick] [--no-kernel] [--only 1,3,4] [--out FILE] [--kernel-containers N]
//
// Each item runs in a node process of its own, as benchmark harnesses fork
// per benchmark: a figure measured after another item in the same process
// reports that item's leftovers (its heap, and V8's inline caches made
// polymorphic by other code: the packet path ran 2-3.5x slower after the
// walkthrough) rather than its own code. Both sides of a ratio are measured
// in the same process.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
  /** Internal: run the items in this process and write their rows here as JSON. */
  readonly itemRows?: string;
}

function parseArguments(argv: readonly string[], root: string): BenchArguments | string {
  let quick = false;
  let kernel = true;
  let only: Set<number> | undefined;
  let out = join(root, "bench-results", "bench.json");
  let kernelContainers = 1000;
  let itemRows: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    if (word === "--quick") quick = true;
    else if (word === "--no-kernel") kernel = false;
    else if (word === "--only") only = new Set((argv[++index] ?? "").split(",").map(Number));
    else if (word === "--out") out = resolve(argv[++index] ?? out);
    else if (word === "--kernel-containers") kernelContainers = Number(argv[++index]);
    else if (word === ITEM_ROWS) itemRows = argv[++index];
    else return `bench: unknown argument "${word}"`;
  }
  if (!Number.isInteger(kernelContainers) || kernelContainers < 1) return "bench: --kernel-containers takes a positive count";
  return { quick, kernel, out, kernelContainers, ...(only ? { only } : {}), ...(itemRows ? { itemRows } : {}) };
}

const ITEM_ROWS = "--item-rows";
const ITEMS = [1, 2, 3, 4, 5, 6] as const;

/** Runs one item in a fresh node process (heap figures need a collector the bench can call: --expose-gc). */
function runItemInChild(item: number, argv: readonly string[], folder: string): BenchRow[] {
  const rowsFile = join(folder, `item-${item}.json`);
  const passed: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    if (argv[index] === "--only") index++;
    else passed.push(argv[index]!);
  }
  const child = spawnSync(process.execPath, ["--expose-gc", "--max-old-space-size=4096", fileURLToPath(import.meta.url), ...passed, "--only", String(item), ITEM_ROWS, rowsFile], { stdio: "inherit" });
  if (child.status !== 0) throw new Error(`item ${item} failed (its process exited ${child.status ?? child.signal})`);
  return JSON.parse(readFileSync(rowsFile, "utf8")) as BenchRow[];
}

async function main(): Promise<number> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const argv = process.argv.slice(2);
  const parsed = parseArguments(argv, root);
  if (typeof parsed === "string") {
    process.stderr.write(`${parsed}\n`);
    return 2;
  }
  const wanted = (item: number) => !parsed.only || parsed.only.has(item);
  const folder = mkdtempSync(join(tmpdir(), "netsim-bench-"));
  const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);
  if (parsed.itemRows === undefined) {
    // The coordinator: one process per item, then the table.
    const load = loadavg();
    const rows: BenchRow[] = [];
    try {
      for (const item of ITEMS) if (wanted(item)) rows.push(...runItemInChild(item, argv, folder));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    const machine = describeMachine(load);
    process.stdout.write(formatTable(rows, machine));
    mkdirSync(dirname(parsed.out), { recursive: true });
    writeFileSync(parsed.out, `${JSON.stringify({ date: new Date().toISOString(), machine, quick: parsed.quick, isolation: "each item in a node process of its own", rows }, null, 2)}\n`);
    process.stderr.write(`bench: results written to ${parsed.out}\n`);
    return 0;
  }
  if (!(globalThis as { gc?: unknown }).gc) {
    process.stderr.write("bench: an item process needs --expose-gc\n");
    return 2;
  }
  const rows: BenchRow[] = [];
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
  writeFileSync(parsed.itemRows, JSON.stringify(rows));
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
