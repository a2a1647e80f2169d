// A JUnit XML report (the schema Jenkins, GitLab and GitHub's test reporters
// read): a test suite per scenario, a test case per expectation, and one per
// command that failed where no expectation was written (an unexpected
// failure is a failure). `time` is virtual: from a probe's first traced step
// to its last (0 for other commands), so the report is the same every run.
import { diagnoseFailure } from "../explain/diagnose.js";
import type { CommandRecord, SourceLocation } from "../scenario/result.js";
import type { SimulatedRun } from "../scenario/runner.js";
import { formatTime, namespaceLabel, namespacePhrase } from "./trace.js";

function escapeXml(text: string): string {
  // Characters XML 1.0 cannot hold at all (terminal escapes in a tool's output) go as U+FFFD.
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

const at = (frames: readonly SourceLocation[], location: SourceLocation) => frames.some((frame) => frame.file === location.file && frame.line === location.line);
const framesOf = (record: CommandRecord) => [record.location, ...record.callers];

/** Seconds of virtual time a probe's trace spans (0 without one). */
function seconds(run: SimulatedRun, record: CommandRecord | undefined): number {
  const index = record?.probe?.traceIndex;
  const steps = index === undefined ? undefined : run.traces[index]?.steps;
  return steps && steps.length > 0 ? steps[steps.length - 1]!.time / 1_000_000 : 0;
}

// Microseconds, the virtual clock's resolution: a reply in 80 µs is not "0.000".
const time = (value: number) => value.toFixed(6);

/** The trace step that decided a failed probe, as `netsim explain` names it. */
function decisiveStep(run: SimulatedRun, record: CommandRecord | undefined): string | undefined {
  const index = record?.probe?.traceIndex;
  const trace = index === undefined ? undefined : run.traces[index];
  if (!trace || trace.steps.length === 0) return undefined;
  const cause = diagnoseFailure(trace, run.world);
  const stepIndex = cause.steps[cause.steps.length - 1];
  const step = stepIndex === undefined ? undefined : trace.steps[stepIndex];
  if (!step) return `why: ${cause.summary}`;
  const line = `decisive step ${stepIndex! + 1} at ${formatTime(step.time)}, ${namespaceLabel(step.namespace)}${step.device ? `/${step.device}` : ""} ${step.stage}: ${step.why}`;
  return cause.summary.includes(step.why) ? line : `${line}\nwhy: ${cause.summary}`;
}

export function junitReport(runs: readonly SimulatedRun[]): string {
  let allTests = 0;
  let allFailures = 0;
  let allErrors = 0;
  let allTime = 0;
  const suites = runs.map((run) => {
    const classname = escapeXml(run.file);
    let suiteTime = 0;
    const cases = run.expectations.map((expectation) => {
      const name = `${expectation.location.file}:${expectation.location.line} expect ${expectation.expected}`;
      const record = run.commands.find((candidate) => at(framesOf(candidate), expectation.location));
      const duration = seconds(run, record);
      suiteTime += duration;
      const open = `    <testcase classname="${classname}" name="${escapeXml(name)}" time="${time(duration)}"`;
      if (expectation.ok) return `${open}/>`;
      const diff = [`-   # expect: ${expectation.expected}`, `+   ${expectation.actual}${record ? `   (${record.argv.join(" ")}, exit ${record.exitCode})` : ""}`];
      const why = expectation.actual !== "ok" && expectation.actual !== "error" ? decisiveStep(run, record) : record && record.stderr !== "" ? `stderr: ${record.stderr.trimEnd()}` : undefined;
      const body = [...diff, ...(why ? [why] : [])].join("\n");
      return `${open}>\n      <failure message="${escapeXml(`expected ${expectation.expected}, got ${expectation.actual}`)}" type="expectation">${escapeXml(body)}</failure>\n    </testcase>`;
    });
    // A command that failed where the scenario expected nothing of it.
    const unexpected = run.commands.filter((record) => record.exitCode !== 0 && !run.expectations.some((expectation) => at(framesOf(record), expectation.location)));
    const failedCommands = unexpected.map((record) => {
      const duration = seconds(run, record);
      suiteTime += duration;
      const name = `${record.location.file}:${record.location.line} ${record.argv.join(" ")}`;
      const message = `exit ${record.exitCode} with no expectation on the line`;
      const why = record.probe ? decisiveStep(run, record) : undefined;
      const body = [`${record.argv.join(" ")} (in ${namespacePhrase(record.namespace)}) exited ${record.exitCode}`, ...(record.stderr !== "" ? [`stderr: ${record.stderr.trimEnd()}`] : []), ...(why ? [why] : [])].join("\n");
      return `    <testcase classname="${classname}" name="${escapeXml(name)}" time="${time(duration)}">\n      <failure message="${escapeXml(message)}" type="command">${escapeXml(body)}</failure>\n    </testcase>`;
    });
    const problems = run.problems.map((problem) => `    <testcase classname="${classname}" name="input" time="${time(0)}">\n      <error message="${escapeXml(problem.message)}" type="input"/>\n    </testcase>`);
    const failures = run.expectations.filter((expectation) => !expectation.ok).length + failedCommands.length;
    const tests = cases.length + failedCommands.length + problems.length;
    allTests += tests;
    allFailures += failures;
    allErrors += problems.length;
    allTime += suiteTime;
    return `  <testsuite name="${classname}" tests="${tests}" failures="${failures}" errors="${problems.length}" skipped="0" time="${time(suiteTime)}">\n${[...cases, ...failedCommands, ...problems].join("\n")}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="netsim" tests="${allTests}" failures="${allFailures}" errors="${allErrors}" time="${time(allTime)}">\n${suites.join("\n")}\n</testsuites>\n`;
}
