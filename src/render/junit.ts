// A JUnit XML report: a test suite per scenario, a test case per expectation.
import type { SimulatedRun } from "../scenario/runner.js";

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function junitReport(runs: readonly SimulatedRun[]): string {
  const suites = runs.map((run) => {
    const cases = run.expectations.map((expectation) => {
      const name = `${expectation.location.file}:${expectation.location.line} expect ${expectation.expected}`;
      const body = expectation.ok ? "" : `<failure message="${escapeXml(`expected ${expectation.expected}, got ${expectation.actual}`)}"/>`;
      return `    <testcase classname="${escapeXml(run.file)}" name="${escapeXml(name)}">${body}</testcase>`;
    });
    const problems = run.problems.map((problem) => `    <testcase classname="${escapeXml(run.file)}" name="input"><error message="${escapeXml(problem.message)}"/></testcase>`);
    const failures = run.expectations.filter((expectation) => !expectation.ok).length;
    return `  <testsuite name="${escapeXml(run.file)}" tests="${cases.length + problems.length}" failures="${failures}" errors="${problems.length}">\n${[...cases, ...problems].join("\n")}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join("\n")}\n</testsuites>\n`;
}
