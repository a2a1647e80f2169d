// How `netsim verify` prints a comparison: each divergence with its line,
// what the simulator said and what the kernel said; then the totals.
import { relative } from "node:path";
import type { ScenarioRun, SourceLocation } from "../scenario/result.js";
import type { Comparison, Divergence } from "./compare.js";

const shown = (file: string) => relative(process.cwd(), file) || file;
const where = (location: SourceLocation) => `${shown(location.file)}:${location.line}`;

function indent(label: string, text: string): string {
  const [first = "", ...rest] = text.split("\n");
  return [`    ${label}${first}`, ...rest.map((line) => `    ${" ".repeat(label.length)}${line}`)].join("\n");
}

export function formatDivergence(divergence: Divergence, file: string): string {
  const at = divergence.location ? where(divergence.location) : `${shown(file)}: end`;
  const command = divergence.command ? `: ${divergence.command}` : "";
  const repeated = divergence.repeated ? ` (the same at ${divergence.repeated} later state check${divergence.repeated === 1 ? "" : "s"})` : "";
  return [`${at}${command}: ${divergence.what}${repeated}`, indent("sim:    ", divergence.sim), indent("kernel: ", divergence.kernel)].join("\n");
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

export function formatComparison(comparison: Comparison): string {
  const lines = comparison.divergences.map((divergence) => formatDivergence(divergence, comparison.file));
  lines.push(
    `${shown(comparison.file)}: ${plural(comparison.probes, "probe")}, ${plural(comparison.stateChecks, "state check")}, ${plural(comparison.divergences.length, "divergence")}`,
  );
  return `${lines.join("\n")}\n`;
}

/** The state parts left out of any comparison, each once, with the reason. */
export function skippedLines(comparisons: readonly Comparison[]): string {
  const reasons = [...new Set(comparisons.flatMap((comparison) => comparison.skipped))].sort();
  return reasons.map((reason) => `not compared: ${reason}\n`).join("");
}

/** Expectations the kernel itself does not meet: the scenario's claim is wrong, whatever the simulator says. */
export function kernelExpectationLines(run: ScenarioRun): string {
  return run.expectations
    .filter((expectation) => !expectation.ok)
    .map((expectation) => `${where(expectation.location)}: on the kernel: expected ${expectation.expected}, got ${expectation.actual}\n`)
    .join("");
}

export function totalsLine(comparisons: readonly Comparison[]): string {
  const sum = (pick: (comparison: Comparison) => number) => comparisons.reduce((total, comparison) => total + pick(comparison), 0);
  return `verified: ${plural(sum((c) => c.probes), "probe")}, ${plural(sum((c) => c.stateChecks), "state check")}, ${plural(sum((c) => c.divergences.length), "divergence")}`;
}
