// The verdict on a scenario's expectations, as `netsim run` prints it.
import type { SimulatedRun } from "../scenario/runner.js";

/** An input problem as netsim prints it on stderr: prefixed "netsim:" once (a message placed at FILE:LINE carries it after the place). */
export function problemLine(problem: { readonly message: string }): string {
  return problem.message.includes("netsim: ") ? problem.message : `netsim: ${problem.message}`;
}

/**
 * Each failed command placed at its file and line, for stderr: netsim's own
 * summary of the failures (the tools' error text stays as they printed it,
 * on the scenario's stderr).
 */
export function formatFailedCommands(run: SimulatedRun): string {
  const lines: string[] = [];
  for (const record of run.commands) {
    if (record.exitCode === 0 || record.probe || record.stderr === "") continue;
    const expected = run.expectations.some((expectation) => expectation.expected === "error" && [record.location, ...record.callers].some((frame) => frame.file === expectation.location.file && frame.line === expectation.location.line));
    lines.push(`${record.location.file}:${record.location.line}: ${record.stderr.trimEnd().split("\n")[0]}${expected ? "   (expected)" : ""}`);
  }
  return lines.map((line) => `${line}\n`).join("");
}

/** The verdict, for stdout; the input problems and the failed commands are netsim's own diagnostics and go to stderr (problemLine, formatFailedCommands). */
export function formatExpectationReport(run: SimulatedRun): string {
  const lines: string[] = [];
  const failed = run.expectations.filter((expectation) => !expectation.ok);
  for (const expectation of failed) {
    const { file, line } = expectation.location;
    const command = run.commands.find((record) => [record.location, ...record.callers].some((location) => location.file === file && location.line === line));
    lines.push(`${file}:${line}: expected ${expectation.expected}, got ${expectation.actual}`);
    lines.push(`-   # expect: ${expectation.expected}`);
    lines.push(`+   ${expectation.actual}${command ? `   (${command.argv.join(" ")}, exit ${command.exitCode})` : ""}`);
  }
  const passed = run.expectations.length - failed.length;
  lines.push(`${run.file}: ${run.expectations.length} expectations, ${passed} held, ${failed.length} failed${run.problems.length ? `, ${run.problems.length} input problem${run.problems.length === 1 ? "" : "s"}` : ""}`);
  return `${lines.join("\n")}\n`;
}

/** The closing line CI reads: "N passed, M failed". */
export function summaryLine(runs: readonly SimulatedRun[]): string {
  const all = runs.flatMap((run) => run.expectations);
  const failed = all.filter((expectation) => !expectation.ok).length + runs.reduce((sum, run) => sum + run.problems.length, 0);
  return `${all.length - all.filter((expectation) => !expectation.ok).length} passed, ${failed} failed`;
}
