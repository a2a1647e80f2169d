// Item 3: many containers on one bridge, set up by a bash loop as users
// write it, then pings between random pairs and out through the uplink.
// Setup time in the simulator against the kernel backend; the simulator's
// heap at 1,000 and 10,000 containers.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkKernelBackendAvailable, KernelBackend } from "../backends/kernel/kernel-backend.js";
import { ScenarioSimulator } from "../scenario/runner.js";
import { formatBytes, formatMs, formatRatio, heapAfterCollection, now, seededRandom, type BenchRow } from "./measure.js";
import { walkthroughUplink } from "./uplink.js";

/** The address of container `index` (1-based) on 10.0.0.0/16: 10.0.0.1 is the bridge. */
export function containerAddress(index: number): string {
  const host = index + 1;
  return `10.0.${host >> 8}.${host & 255}`;
}

// The walkthrough's uplink; here wan also routes the containers' network back to the host.
const UPLINK = () => `${walkthroughUplink()}ip -n wan route add 10.0.0.0/16 via 192.168.0.100
sysctl -q -w net.ipv4.ip_forward=1
`;

/** The setup: a bridge and `count` containers, each a namespace with a veth into the bridge. */
export function scaleSetupScript(count: number): string {
  return `${UPLINK()}
ip link add br0 type bridge
ip link set br0 up
ip addr add 10.0.0.1/16 dev br0
for i in $(seq 1 ${count}); do
  host=$((i + 1))
  ip netns add c$i
  ip link add v$i type veth peer name e$i
  ip link set e$i netns c$i
  ip link set v$i master br0
  ip link set v$i up
  ip -n c$i link set lo up
  ip -n c$i addr add 10.0.$((host / 256)).$((host % 256))/16 dev e$i
  ip -n c$i link set e$i up
  ip -n c$i route add default via 10.0.0.1
done
`;
}

/** Pings between seeded random pairs of containers, and from some out to 8.8.8.8. */
export function scaleProbeLines(count: number, pairs: number, outbound: number, seed: number): string {
  const random = seededRandom(seed);
  const pick = () => 1 + Math.floor(random() * count);
  const lines: string[] = [];
  for (let index = 0; index < pairs; index++) {
    const from = pick();
    let to = pick();
    if (to === from) to = (to % count) + 1;
    lines.push(`ip netns exec c${from} ping -c 1 -W 1 ${containerAddress(to)}   # expect: reply`);
  }
  for (let index = 0; index < outbound; index++) lines.push(`ip netns exec c${pick()} ping -c 1 -W 1 8.8.8.8   # expect: reply`);
  return `${lines.join("\n")}\n`;
}

function writeScenario(folder: string, name: string, text: string): string {
  mkdirSync(folder, { recursive: true });
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

async function simulate(file: string): Promise<{ ms: number; commands: number }> {
  const start = now();
  const run = await new ScenarioSimulator().run(file);
  const ms = now() - start;
  if (run.problems.length > 0 || run.exitCode !== 0 || run.expectations.some((expectation) => !expectation.ok)) {
    throw new Error(`scale bench: ${file} failed in the simulator: ${run.problems.map((problem) => problem.message).join("; ")}${run.output.slice(-400)}`);
  }
  return { ms, commands: run.commands.length };
}

/** Heap the world of `count` containers holds, measured in this process after a full collection. */
async function worldHeap(folder: string, count: number): Promise<number> {
  const file = writeScenario(folder, `memory-${count}.sh`, scaleSetupScript(count));
  const before = heapAfterCollection();
  const run = await new ScenarioSimulator().run(file);
  if (run.exitCode !== 0) throw new Error(`scale bench: the ${count}-container setup failed: ${run.output.slice(-400)}`);
  const world = run.world;
  const after = heapAfterCollection();
  if (world.namespaces.size < count) throw new Error("scale bench: containers missing");
  return after - before;
}

export interface ScaleOptions {
  readonly quick: boolean;
  readonly kernel: boolean;
  /** Containers the kernel backend sets up (fewer than the simulator's when time is short). */
  readonly kernelContainers: number;
  readonly folder: string;
}

export async function scaleBench(options: ScaleOptions): Promise<BenchRow[]> {
  const count = 1000;
  const setupFile = writeScenario(options.folder, "scale-setup.sh", scaleSetupScript(count));
  const probeFile = writeScenario(options.folder, "scale-probes.sh", `${scaleSetupScript(count)}${scaleProbeLines(count, 20, 5, 0xc0ffee)}`);
  const setup = await simulate(setupFile);
  const withProbes = await simulate(probeFile);
  const rows: BenchRow[] = [];
  const setupRow = {
    item: 3,
    name: `scale: ${count} containers on one bridge (bash loop, ${setup.commands} commands)`,
    simulator: `setup ${formatMs(setup.ms)}; setup + 25 pings ${formatMs(withProbes.ms)}`,
    target: "setup ≥ 100× the kernel",
  };
  const availability = checkKernelBackendAvailable();
  if (!options.kernel || !availability.ok) {
    rows.push({ ...setupRow, baseline: "not measured", note: options.kernel ? `kernel backend cannot run: ${availability.ok ? "" : availability.reason}` : "kernel columns skipped (--no-kernel)", figures: { containers: count, simulatorSetupMs: setup.ms, simulatorWithProbesMs: withProbes.ms } });
  } else {
    const kernelCount = Math.min(count, options.kernelContainers);
    const kernelFile = writeScenario(options.folder, `scale-kernel-${kernelCount}.sh`, scaleSetupScript(kernelCount));
    const start = now();
    const run = await new KernelBackend({ scriptTimeoutSeconds: 1800 }).run(kernelFile);
    const kernelMs = now() - start;
    if (run.exitCode !== 0) throw new Error(`scale bench: the kernel setup failed: ${run.output.slice(-400)}`);
    // The simulator at the same size, for a like-for-like ratio when the kernel ran fewer.
    const simulatorSame = kernelCount === count ? setup : await simulate(writeScenario(options.folder, `scale-setup-${kernelCount}.sh`, scaleSetupScript(kernelCount)));
    const ratio = kernelMs / simulatorSame.ms;
    const perContainerMs = kernelMs / kernelCount;
    rows.push({
      ...setupRow,
      baseline: `kernel backend ${formatMs(kernelMs)} for ${kernelCount} (${formatMs(perContainerMs)}/container)`,
      ratio,
      met: ratio >= 100,
      note: kernelCount === count ? `simulator ${formatRatio(ratio)} faster` : `the kernel ran ${kernelCount} containers, not ${count}, to keep the bench within minutes; ratio is at ${kernelCount} (simulator ${formatMs(simulatorSame.ms)}); at ${count} the kernel would take about ${formatMs(perContainerMs * count)}`,
      figures: { containers: count, simulatorSetupMs: setup.ms, simulatorWithProbesMs: withProbes.ms, kernelContainers: kernelCount, kernelSetupMs: kernelMs, simulatorSetupMsAtKernelSize: simulatorSame.ms },
    });
  }
  const heap1k = await worldHeap(options.folder, 1000);
  const heap10k = options.quick ? undefined : await worldHeap(options.folder, 10_000);
  rows.push({
    item: 3,
    name: "scale: simulator heap per world",
    simulator: `1,000 containers ${formatBytes(heap1k)}${heap10k === undefined ? "" : `; 10,000 containers ${formatBytes(heap10k)}`}`,
    baseline: "—",
    target: "10,000 containers ≤ 500 MB",
    ...(heap10k === undefined ? { note: "10,000 skipped (--quick)" } : { met: heap10k <= 500 * 1024 * 1024 }),
    figures: { heapBytes1000: heap1k, ...(heap10k === undefined ? {} : { heapBytes10000: heap10k }) },
  });
  return rows;
}
