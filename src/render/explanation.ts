// An explanation as text (what `netsim explain` and `netsim run --explain` print).
import type { Trace } from "../model/trace.js";
import type { Explanation } from "../explain/types.js";
import { formatTime, namespaceLabel } from "./trace.js";

/** `sourceLine(location)` gives the text of a scenario line, to quote the configuration. */
export function formatExplanation(explanation: Explanation, trace: Trace | undefined, sourceLine: (file: string, line: number) => string | undefined): string {
  const called = explanation.probe.callers.length > 0 ? ` (from ${explanation.probe.callers.map((caller) => `${caller.file}:${caller.line}`).join(", ")})` : "";
  const lines: string[] = [`${explanation.probe.location.file}:${explanation.probe.location.line}${called}: ${explanation.verdict}`];
  for (const cause of explanation.causes) {
    if (trace && cause.steps.length > 0) {
      lines.push("  decisive steps:");
      for (const index of cause.steps) {
        const step = trace.steps[index];
        if (!step) continue;
        lines.push(`    ${String(index + 1).padStart(3)}  ${formatTime(step.time).padStart(8)}  ${namespaceLabel(step.namespace)}${step.device ? `/${step.device}` : ""}  ${step.stage}: ${step.why}`);
      }
    }
    if (cause.origin) {
      const text = sourceLine(cause.origin.file, cause.origin.line);
      lines.push(`  configuration: ${cause.origin.file}:${cause.origin.line}${text ? `  ${text.trim()}` : ""}`);
    }
  }
  if (explanation.fix) {
    lines.push("  fix:");
    for (const command of explanation.fix.commands) lines.push(`    ${command}`);
    lines.push(`  fix checked: ${explanation.fix.check.outcome}`);
    if (explanation.alternative) {
      lines.push(`  or, second choice (${explanation.alternative.caveat ?? "blunter"}):`);
      for (const command of explanation.alternative.commands) lines.push(`    ${command}`);
      lines.push(`  checked: ${explanation.alternative.check.outcome}`);
    }
  } else if (explanation.triedFixes.length > 0) {
    const last = explanation.triedFixes[explanation.triedFixes.length - 1]!;
    const result = last.check.outcome === "missing" ? `could not be checked (${last.check.problem?.replace(/^.*?netsim: /, "") ?? "the probe did not run"})` : `still gives ${last.check.outcome}`;
    lines.push(`  no fix offered: the best candidate (${last.commands.join("; ")}) ${result}`);
  } else if (explanation.probe.outcome !== "reply" && explanation.probe.outcome !== "connected") {
    lines.push("  no fix offered: none that netsim can check");
  }
  return `${lines.join("\n")}\n`;
}
