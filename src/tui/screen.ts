// The whole screen as lines, for a given walk, view state and terminal size:
// which panes show and how many lines each gets. Pure, so the layout at
// 80×24 (and larger) is tested as data; the components only draw it.
import { basename, dirname, relative } from "node:path";
import { explainProbe } from "./explanation.js";
import { hopDetail, hopSummary } from "./hop.js";
import { lineText, padLine, plain, scrollWindow, styled, truncateLine, wrapLine, wrapText, type Line, type Segment } from "./line.js";
import type { ViewState } from "./navigation.js";
import { topologyLines, topologyOf, type PacketPlace } from "./topology.js";
import type { Walk, WalkStep } from "./walk.js";

export const KEYS: ReadonlyArray<readonly [string, string]> = [
  ["→ / ←", "step forward / back (through a probe's hops, then the next command)"],
  ["↓ / ↑", "next / previous command"],
  ["Enter", "expand the current hop's detail (again: collapse)"],
  ["PgDn / PgUp", "page through a command's long output (space / b too)"],
  ["t", "show / hide the topology"],
  ["?", "show / hide these keys"],
  ["q", "quit"],
];

/** Side by side from this width on: commands and topology left, the probe right. */
export const WIDE_LAYOUT = 150;

export function packetPlace(step: WalkStep | undefined, hop: number): PacketPlace | undefined {
  const hopStep = step?.trace?.steps[hop];
  if (!hopStep) return undefined;
  return { namespace: hopStep.namespace, ...(hopStep.device ? { device: hopStep.device } : {}), onLink: hopStep.stage === "veth_xmit" };
}

export function expectationMark(step: WalkStep): Segment | undefined {
  const expectation = step.expectation;
  if (!expectation) return undefined;
  if (expectation.ok) return styled(`✓ ${expectation.expected}`, "good");
  return styled(`✗ expected ${expectation.expected}, got ${expectation.actual}`, "bad");
}

export function headerLine(walk: Walk, state: ViewState, width: number): Line {
  const step = walk.steps[state.command];
  const hops = step?.trace?.steps.length ?? 0;
  const position = walk.steps.length === 0 ? "no commands" : `command ${state.command + 1}/${walk.steps.length}${hops > 0 ? ` · hop ${state.hop + 1}/${hops}` : ""}`;
  const title = `netsim step ${basename(walk.file)}`;
  // Where the current command stands (as --text shows it), relative to the scenario's folder: lib/uplink.sh:6.
  const located = step ? `  ${relative(dirname(walk.file), step.record.location.file) || basename(step.record.location.file)}:${step.record.location.line}` : "";
  const where = title.length + located.length + position.length < width ? located : "";
  const gap = Math.max(1, width - title.length - where.length - position.length);
  return truncateLine([styled(title, "title"), styled(where, "dim"), { text: " ".repeat(gap) }, { text: position }], width);
}

export function commandLines(walk: Walk, state: ViewState, size: number, width: number): Line[] {
  const { start, end } = scrollWindow(walk.steps.length, state.command, size);
  const lines: Line[] = [];
  for (let index = start; index < end; index++) {
    const step = walk.steps[index]!;
    const current = index === state.command;
    const style = current ? "current" : index > state.command ? "dim" : undefined;
    const mark = expectationMark(step);
    const failed = step.record.exitCode !== 0 && !step.record.probe;
    const segments: Segment[] = [styled(`${current ? "▶" : " "}${String(index + 1).padStart(3)} ${step.text}`, style)];
    if (failed) segments.push({ text: " " }, styled(`exit ${step.record.exitCode}`, "bad"));
    if (mark && index <= state.command) segments.push({ text: "  " }, mark);
    lines.push(truncateLine(segments, width));
  }
  return lines;
}

export function outputLines(step: WalkStep, width: number): Line[] {
  const lines: Line[] = [];
  for (const text of step.record.stdout.split("\n").slice(0, -1)) lines.push(truncateLine(plain(`  ${text}`), width));
  if (step.record.stdout !== "" && !step.record.stdout.endsWith("\n")) lines.push(truncateLine(plain(`  ${step.record.stdout.split("\n").pop()}`), width));
  for (const text of step.record.stderr.split("\n").filter((part) => part !== "")) lines.push(truncateLine([styled(`  ${text}`, "bad")], width));
  if (lines.length === 0) lines.push([styled("  (no output)", "dim")]);
  return lines;
}

/** The rule above a probe's hops, carrying its outcome and the expectation's verdict. */
export function probeRule(step: WalkStep, width: number): Line {
  const probe = step.record.probe;
  const good = probe?.outcome === "reply" || probe?.outcome === "connected";
  const mark = expectationMark(step);
  const segments: Segment[] = [styled("── ", "dim"), { text: `${step.record.argv[0] ?? "probe"}: ` }, styled(probe?.outcome ?? "no outcome", good ? "good" : "bad")];
  if (mark) segments.push({ text: "  " }, mark);
  segments.push(styled(` ${"─".repeat(width)}`, "dim"));
  return truncateLine(segments, width).slice(0, -1).concat(styled("─", "dim"));
}

/** A failed probe's explanation, wrapped, at most `max` lines (the last cut with "…"). */
export function explanationLines(step: WalkStep, width: number, max: number): Line[] {
  const explanation = explainProbe(step.record, step.trace, step.world);
  if (!explanation) return [];
  const wrapped = wrapText(`why: ${explanation.text}`, width, 5);
  const shown = wrapped.slice(0, max);
  if (wrapped.length > max) shown[max - 1] = `${shown[max - 1]!.slice(0, Math.max(0, width - 2))}…`;
  return shown.map((text) => truncateLine([styled(text, "bad")], width));
}

export function hopListLines(step: WalkStep, hop: number, size: number, width: number): Line[] {
  const hops = step.trace?.steps ?? [];
  const { start, end } = scrollWindow(hops.length, hop, size);
  const lines: Line[] = [];
  for (let index = start; index < end; index++) lines.push(truncateLine(hopSummary(hops[index]!, index + 1, index === hop), width));
  return lines;
}

export function detailLines(step: WalkStep, hop: number, width: number): Line[] {
  const hops = step.trace?.steps ?? [];
  const current = hops[hop];
  if (!current) return [];
  return hopDetail(current, hop + 1, hops.length, step.world, width).flatMap((line) => wrapLine(line, width, 4));
}

export function footerLine(width: number, note?: string): Line {
  const keys = "←/→ step  ↑/↓ command  ⏎ hop  t topology  ? keys  q quit";
  return truncateLine([styled(keys, "key"), ...(note ? [{ text: `  ${note}` }] : [])], width);
}

export function helpLines(width: number): Line[] {
  return [[styled("keys", "title")], ...KEYS.map(([key, what]) => truncateLine([styled(`  ${key.padEnd(Math.max(...KEYS.map(([name]) => name.length)))}`, "key"), { text: ` ${what}` }], width)), [], plain("  Stepping back shows the state the scenario had then: every"), plain("  step keeps its own snapshot of the namespaces."), [], [styled("  press ? to close", "dim")]];
}

function rule(title: string, width: number): Line {
  const text = `── ${title} `;
  return [styled(`${text}${"─".repeat(Math.max(0, width - [...text].length))}`, "dim")];
}

function sideBySide(left: Line[], right: Line[], leftWidth: number, rightWidth: number): Line[] {
  const height = Math.max(left.length, right.length);
  const lines: Line[] = [];
  for (let row = 0; row < height; row++) lines.push([...padLine(left[row] ?? [], leftWidth), { text: " │ " }, ...truncateLine(right[row] ?? [], rightWidth)]);
  return lines;
}

const PAGE_NOTE = "PgDn/PgUp output";

/**
 * A page of a command's output that has more lines than `size`: all but the
 * last row hold output, the last says which lines show (the output is paged
 * through, never cut). `page` past the end shows the last page.
 */
export function outputWindow(output: Line[], size: number, page: number): { lines: Line[]; pages: number } {
  if (output.length <= size) return { lines: output, pages: 1 };
  const perPage = Math.max(1, size - 1);
  const pages = Math.ceil(output.length / perPage);
  const shownPage = Math.min(page, pages - 1);
  // The last page is a full one: it ends on the last line.
  const start = Math.min(shownPage * perPage, output.length - perPage);
  const end = Math.min(output.length, start + perPage);
  const where = `  lines ${start + 1}–${end} of ${output.length}${shownPage < pages - 1 ? " · PgDn more" : ""}${shownPage > 0 ? " · PgUp back" : ""}`;
  return { lines: [...output.slice(start, end), [styled(where, "dim")]], pages };
}

/** The state with its output page brought within the pages the current command's output has on this screen (PgDn at the end stays there). */
export function clampView(walk: Walk, state: ViewState, width: number, height: number): ViewState {
  if (state.outputPage === 0) return state;
  for (let page = state.outputPage; page > 0; page--) {
    const shown = screenLines(walk, { ...state, outputPage: page }, width, height);
    const previous = screenLines(walk, { ...state, outputPage: page - 1 }, width, height);
    if (shown.map(lineText).join("\n") !== previous.map(lineText).join("\n")) return page === state.outputPage ? state : { ...state, outputPage: page };
  }
  return { ...state, outputPage: 0 };
}

/** The body below the header: commands, topology, and the current command's output or probe. */
function bodyLines(walk: Walk, state: ViewState, width: number, height: number): { lines: Line[]; note?: string } {
  const step = walk.steps[state.command];
  if (!step) return { lines: walk.problems.map((problem) => [styled(problem.message, "bad")]) };
  const place = packetPlace(step, state.hop);
  const topology = state.topology ? topologyLines(topologyOf(step.world), place, width) : [];
  const probe = (step.trace?.steps.length ?? 0) > 0;

  if (width >= WIDE_LAYOUT) {
    const leftWidth = Math.floor((width - 3) / 2);
    const rightWidth = width - 3 - leftWidth;
    const leftTopology = state.topology ? topologyLines(topologyOf(step.world), place, leftWidth) : [];
    const commandsSize = Math.max(3, height - (leftTopology.length > 0 ? leftTopology.length + 1 : 0));
    const left = [...commandLines(walk, state, commandsSize, leftWidth), ...(leftTopology.length > 0 ? [rule("topology", leftWidth), ...leftTopology] : [])].slice(0, height);
    let right: Line[];
    if (probe) {
      const explanation = explanationLines(step, rightWidth, 3);
      const detail = detailLines(step, state.hop, rightWidth);
      const hopsSize = Math.max(3, Math.min(step.trace!.steps.length, height - explanation.length - 2 - detail.length));
      right = [probeRule(step, rightWidth), ...explanation, ...hopListLines(step, state.hop, hopsSize, rightWidth), rule("hop detail", rightWidth), ...detail];
      return { lines: sideBySide(left, right.slice(0, height), leftWidth, rightWidth) };
    }
    const shown = outputWindow(outputLines(step, rightWidth), height - 1, state.outputPage);
    right = [rule("output", rightWidth), ...shown.lines];
    return { lines: sideBySide(left, right, leftWidth, rightWidth), ...(shown.pages > 1 ? { note: PAGE_NOTE } : {}) };
  }

  if (probe) {
    const hopCount = step.trace!.steps.length;
    const explanation = explanationLines(step, width, 2);
    const detailAll = detailLines(step, state.hop, width);
    // Minimums first (one command, three hops, five lines of detail, one of explanation), then the rest by priority.
    const size = { commands: 1, explanation: Math.min(1, explanation.length), hops: Math.min(3, hopCount), detail: Math.min(5, detailAll.length) };
    const fixed = 2; // the probe rule and the detail rule
    const used = () => size.commands + size.explanation + size.hops + size.detail + fixed;
    const wantsTopology = topology.length > 0 && !state.expanded;
    const showTopology = wantsTopology && used() + topology.length + 1 <= height;
    const available = height - (showTopology ? topology.length + 1 : 0);
    const grow = (key: keyof typeof size, limit: number) => {
      while (size[key] < limit && used() < available) size[key]++;
    };
    grow("explanation", explanation.length);
    grow("commands", 3);
    grow("hops", Math.min(hopCount, 5));
    grow("detail", detailAll.length);
    grow("commands", Math.min(walk.steps.length, 5));
    grow("hops", hopCount);
    const detail = detailAll.slice(0, size.detail);
    if (detailAll.length > detail.length && detail.length > 0) detail[detail.length - 1] = [...truncateLine(detail[detail.length - 1]!, width - 7), styled(" ⏎ more", "dim")];
    const shownExplanation = explanation.slice(0, size.explanation);
    if (explanation.length > shownExplanation.length && shownExplanation.length > 0) shownExplanation[shownExplanation.length - 1] = truncateLine([...shownExplanation[shownExplanation.length - 1]!, { text: " ".repeat(width) }], width);
    const lines = [
      ...commandLines(walk, state, size.commands, width),
      ...(showTopology ? [rule("topology", width), ...topology] : []),
      probeRule(step, width),
      ...shownExplanation,
      ...hopListLines(step, state.hop, size.hops, width),
      rule(state.expanded ? "hop detail (Enter: collapse)" : "hop detail (Enter: expand)", width),
      ...detail,
    ];
    const note = wantsTopology && !showTopology ? "topology: no room" : undefined;
    return { lines: lines.slice(0, height), ...(note ? { note } : {}) };
  }

  const output = outputLines(step, width);
  // The topology only where it leaves the output a few lines: a tall one (thirty dummies) would push the output off the screen.
  const showTopology = topology.length > 0 && 3 + topology.length + 1 + 1 + Math.min(output.length, 6) <= height;
  const topologyHeight = showTopology ? topology.length + 1 : 0;
  const commandsSize = Math.max(3, Math.min(walk.steps.length, height - topologyHeight - 1 - Math.min(output.length, 6), 9));
  const outputSize = Math.max(1, height - commandsSize - 1 - topologyHeight);
  const shown = outputWindow(output, outputSize, state.outputPage);
  const lines = [...commandLines(walk, state, commandsSize, width), ...(topologyHeight > 0 ? [rule("topology", width), ...topology] : []), rule("output", width), ...shown.lines];
  const notes = [...(topology.length > 0 && !showTopology ? ["topology: no room"] : []), ...(shown.pages > 1 ? [PAGE_NOTE] : [])];
  return { lines: lines.slice(0, height), ...(notes.length > 0 ? { note: notes.join("  ") } : {}) };
}

/** Every line of the screen, at most `height - 1` of them (a full last row would scroll the terminal). */
export function screenLines(walk: Walk, state: ViewState, width: number, height: number): Line[] {
  const bodyHeight = Math.max(3, height - 3);
  const body = state.help ? { lines: helpLines(width).slice(0, bodyHeight) } : bodyLines(walk, state, width, bodyHeight);
  // The footer stays on the last row whatever the body holds.
  const padding: Line[] = Array.from({ length: Math.max(0, bodyHeight - body.lines.length) }, () => []);
  return [headerLine(walk, state, width), ...body.lines, ...padding, footerLine(width, "note" in body ? body.note : undefined)];
}
