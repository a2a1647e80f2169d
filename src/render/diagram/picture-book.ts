// A scenario as a picture book: one SVG per stage and an index.html that
// shows them in order, each after the lines of the scenario that led to it.
import type { World } from "../../model/world.js";
import type { Trace } from "../../model/trace.js";
import type { DiagramInput } from "./dot.js";
import { probePath } from "./probe-path.js";
import type { DiagramStage } from "./scenario-stages.js";
import { buildTopology, type TopologyOptions } from "./topology.js";

/** What one picture shows: the world, and the probe's path over it when there is one. */
export function diagramInput(world: World, options: { readonly trace?: Trace; readonly title?: string; readonly subtitle?: string; readonly topology?: TopologyOptions } = {}): DiagramInput {
  const path = options.trace ? probePath(options.trace) : undefined;
  const keep = new Set(path ? [path.namespace, ...path.hops.map((hop) => hop.namespace)] : []);
  return {
    topology: buildTopology(world, { ...options.topology, keep: new Set([...keep, ...(options.topology?.keep ?? [])]) }),
    ...(path ? { path } : {}),
    ...(options.title !== undefined ? { title: options.title } : {}),
    ...(options.subtitle !== undefined ? { subtitle: options.subtitle } : {}),
  };
}

/** The `# expect:` comment's text on a line, for a subtitle. */
export function expectationText(text: string, line: number): string | undefined {
  const source = text.split("\n")[line - 1] ?? "";
  const match = /#\s*expect:\s*(.*?)\s*$/.exec(source);
  return match ? `expected: ${match[1]}` : undefined;
}

export function stageFileName(stage: Pick<DiagramStage, "number">): string {
  return `stage-${String(stage.number).padStart(2, "0")}.svg`;
}

export function stageInput(stage: DiagramStage, text: string, file: string): DiagramInput {
  const title = `${file} — stage ${stage.number}, after line ${stage.line}: ${stage.title}`;
  const outcome = stage.probe?.record.probe ? `outcome: ${stage.probe.record.probe.outcome}` : undefined;
  const subtitle = [outcome, stage.kind === "probe" ? expectationText(text, stage.line) : undefined].filter((part) => part !== undefined).join("; ");
  return diagramInput(stage.world, { ...(stage.probe?.trace ? { trace: stage.probe.trace } : {}), title, ...(subtitle ? { subtitle } : {}) });
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The lines of the main file between two stages, with what each sourced file or function ran beneath it. */
function stageSource(stage: DiagramStage, previousLine: number, lines: readonly string[]): string {
  const parts: string[] = [];
  if (stage.line <= previousLine && stage.kind !== "end") parts.push(`<p class="again">(line ${stage.line} again)</p>`);
  for (let line = previousLine + 1; line <= stage.line && line <= lines.length; line++) {
    const source = lines[line - 1] ?? "";
    const nested = stage.commands.filter((record) => record.callers.length > 0 && record.callers[record.callers.length - 1]!.line === line);
    const number = `<span class="n">${line}</span>`;
    const comment = /^\s*#/.test(source) ? ' class="comment"' : "";
    if (nested.length > 0) {
      const ran = nested.map((record) => `${escapeHtml(record.location.file)}:${record.location.line}  ${record.namespace ? `[${escapeHtml(record.namespace)}] ` : ""}${escapeHtml(record.argv.join(" "))}`).join("\n");
      parts.push(`<details><summary><code>${number}${escapeHtml(source)}</code> <small>(${nested.length} command${nested.length === 1 ? "" : "s"})</small></summary><pre class="ran">${ran}</pre></details>`);
    } else parts.push(`<code${comment}>${number}${escapeHtml(source)}</code>`);
  }
  return parts.join("\n");
}

export function pictureBookHtml(file: string, text: string, stages: readonly DiagramStage[]): string {
  const lines = text.split("\n");
  let previousLine = 0;
  const sections: string[] = [];
  for (const stage of stages) {
    const source = stageSource(stage, previousLine, lines);
    previousLine = Math.max(previousLine, stage.line);
    const outcome = stage.probe?.record.probe ? ` <span class="outcome ${stage.probe.record.probe.outcome}">${stage.probe.record.probe.outcome}</span>` : "";
    const expected = stage.kind === "probe" ? expectationText(text, stage.line) : undefined;
    sections.push(`<section id="stage-${stage.number}">
<h2>Stage ${stage.number}: ${escapeHtml(stage.title)}${outcome}</h2>
<div class="source">${source}</div>
${expected ? `<p class="expected">${escapeHtml(expected)}</p>` : ""}
<figure><img src="${stageFileName(stage)}" alt="topology after line ${stage.line}: ${escapeHtml(stage.title)}"></figure>
</section>`);
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(file)} — netsim picture book</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; border-top: 1px solid #ddd; padding-top: 1em; }
.source { background: #f6f8fa; border-radius: 6px; padding: 0.6em 0.8em; font-size: 0.9em; }
.source code, .source summary code { display: block; white-space: pre; font-family: Menlo, Consolas, monospace; }
.source details summary { cursor: pointer; list-style-position: outside; }
.source summary code { display: inline; }
.source .comment { color: #6a737d; }
.source .n { display: inline-block; width: 3em; color: #aaa; user-select: none; }
pre.ran { margin: 0.3em 0 0.3em 3em; color: #555; font-size: 0.9em; }
.outcome { font-size: 0.8em; padding: 0.1em 0.5em; border-radius: 1em; background: #eee; }
.outcome.reply, .outcome.connected { background: #e3f4e4; color: #2e7d32; }
.outcome.no-reply, .outcome.unreachable, .outcome.refused, .outcome.timeout { background: #fdecea; color: #c62828; }
.expected { color: #555; font-size: 0.9em; }
figure { margin: 1em 0; } figure img { max-width: 100%; }
</style>
</head>
<body>
<h1>${escapeHtml(file)}</h1>
<p>${stages.length} stage${stages.length === 1 ? "" : "s"}, drawn by <code>netsim diagram --stages</code> from the simulated state.</p>
${sections.join("\n")}
</body>
</html>
`;
}
