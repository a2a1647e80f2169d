// Measuring for `npm run bench`: wall-clock timing, repeated runs, heap
// figures. This is the harness, not the model: it is the one place outside
// backends/ and cli/ that reads the machine's clock.
import { performance } from "node:perf_hooks";

/** One figure of the benchmark: a ratio of two things measured in this run, with its absolute numbers. */
export interface BenchRow {
  /** The item number (1-6). */
  readonly item: number;
  readonly name: string;
  /** What was measured on the simulator's side, as text (with its unit). */
  readonly simulator: string;
  /** What it is compared with (the kernel, a naive baseline), as text; "—" when nothing. */
  readonly baseline: string;
  /** simulator / baseline as a speed ratio (×), or undefined when not measured. */
  readonly ratio?: number;
  /** The target, as the issue states it. */
  readonly target: string;
  /** Whether the target is met; undefined when it could not be judged. */
  readonly met?: boolean;
  /** Why a column is missing, or what bounds the figure. */
  readonly note?: string;
  /** The raw numbers, for the JSON file. */
  readonly figures: Readonly<Record<string, number | string | boolean>>;
}

export function now(): number {
  return performance.now();
}

/** Milliseconds `work` takes, once. */
export async function timeOnce(work: () => unknown): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Runs `work` `repeats` times after `warmups` unmeasured runs and returns
 * the median wall time in ms (the median resists a noisy, shared machine).
 */
export async function medianTime(work: () => unknown, repeats: number, warmups = 1): Promise<number> {
  for (let index = 0; index < warmups; index++) await work();
  const times: number[] = [];
  for (let index = 0; index < repeats; index++) times.push(await timeOnce(work));
  return median(times);
}

/**
 * How many times `operation` runs per second: it is called in batches of
 * `batch` until `minimumMs` has passed; the best of `rounds` rounds counts.
 */
export function ratePerSecond(operation: (index: number) => void, batch: number, minimumMs = 300, rounds = 3): number {
  let best = 0;
  let index = 0;
  for (let round = 0; round < rounds; round++) {
    let done = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      for (let inBatch = 0; inBatch < batch; inBatch++) operation(index++);
      done += batch;
      elapsed = performance.now() - start;
    } while (elapsed < minimumMs);
    best = Math.max(best, (done * 1000) / elapsed);
  }
  return best;
}

/** Heap in use after a full collection, in bytes (needs --expose-gc to be exact). */
export function heapAfterCollection(): number {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect) {
    collect();
    collect();
  }
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** A seeded generator (mulberry32): the benchmark's random picks replay exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

export function formatCount(value: number): string {
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)} G`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(1)} k`;
  return value >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

export function formatMs(milliseconds: number): string {
  if (milliseconds >= 10_000) return `${(milliseconds / 1000).toFixed(1)} s`;
  if (milliseconds >= 1000) return `${(milliseconds / 1000).toFixed(2)} s`;
  if (milliseconds >= 10) return `${milliseconds.toFixed(0)} ms`;
  return `${milliseconds.toFixed(2)} ms`;
}

export function formatBytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function formatRatio(ratio: number): string {
  if (ratio >= 100) return `${ratio.toFixed(0)}×`;
  if (ratio >= 10) return `${ratio.toFixed(1)}×`;
  return `${ratio.toFixed(2)}×`;
}
