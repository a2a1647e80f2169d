// The walk as plain text, for when stdout is not a terminal (a pipe, a CI
// log): every command with its output, the topology whenever it changed, and
// each probe's hops with their detail, outcome and explanation.
import { explainProbe } from "./explanation.js";
import { hopDetail } from "./hop.js";
import { lineText, type Line } from "./line.js";
import { topologyLines, topologyOf } from "./topology.js";
import type { Walk } from "./walk.js";

const TEXT_WIDTH = 100;

export function textWalk(walk: Walk): string {
  const out: string[] = [`netsim step ${walk.file}: ${walk.steps.length} commands`, ""];
  let shownTopology = "";
  for (const step of walk.steps) {
    const where = `${step.record.location.file}:${step.record.location.line}`;
    out.push(`[${step.index + 1}/${walk.steps.length}] ${step.text}    (${where})`);
    for (const text of `${step.record.stdout}${step.record.stderr}`.split("\n").filter((part, index, all) => part !== "" || index < all.length - 1)) out.push(`    ${text}`);
    if (step.record.exitCode !== 0 && !step.record.probe) out.push(`    exit status ${step.record.exitCode}`);
    const topology = topologyLines(topologyOf(step.world), undefined, TEXT_WIDTH).map((line: Line) => `    ${lineText(line)}`.trimEnd()).join("\n");
    if (topology !== shownTopology) {
      out.push("  topology:", topology);
      shownTopology = topology;
    }
    const hops = step.trace?.steps ?? [];
    if (hops.length > 0) {
      out.push("  hops:");
      hops.forEach((hop, index) => {
        for (const line of hopDetail(hop, index + 1, hops.length, step.world, TEXT_WIDTH - 6)) out.push(`    ${lineText(line)}`.trimEnd());
      });
    }
    if (step.record.probe) {
      out.push(`  outcome: ${step.record.probe.outcome}`);
      const explanation = explainProbe(step.record, step.trace, step.world);
      if (explanation) out.push(`  why: ${explanation.text}`);
    }
    if (step.expectation) out.push(`  expect: ${step.expectation.expected} ${step.expectation.ok ? "✓ held" : `✗ got ${step.expectation.actual}`}`);
    out.push("");
  }
  for (const problem of walk.problems) out.push(problem.message);
  const failed = walk.expectations.filter((expectation) => !expectation.ok).length;
  out.push(`${walk.expectations.length} expectations, ${walk.expectations.length - failed} held, ${failed} failed`);
  return `${out.join("\n")}\n`;
}
