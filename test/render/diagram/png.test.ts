// The diagram as it is seen where Helvetica is missing (Debian: rsvg-convert
// with DejaVu): the SVG's text, measured with the metrics of the font
// fontconfig picks for the SVG's font list (read from the TTF itself), stays
// inside its box, no two runs of text on a line overlap, no two device boxes
// overlap, the legend stays clear of the namespaces, no cable or probe arrow
// (its Bezier path, sampled) crosses a namespace's name and notes, a hop number
// or any other text (issue #18), in busy pictures too; and rsvg-convert
// renders every stage to PNG.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { stageInput } from "../../../src/render/diagram/picture-book.js";
import { takeSnapshots } from "../../../src/render/diagram/scenario-stages.js";
import { diagramDot } from "../../../src/render/diagram/dot.js";
import { loadGraphviz, renderSvg, SVG_FONT_FAMILY } from "../../../src/render/diagram/svg.js";
import type { Box } from "./svg-structure.js";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const RSVG = has("rsvg-convert");
const FONTCONFIG = has("fc-match");

/** The font file fontconfig gives for the SVG's first family it has, as rsvg-convert will use it. */
function fontFile(): string {
  for (const family of SVG_FONT_FAMILY.split(",").map((name) => name.replace(/'/g, ""))) {
    const file = execFileSync("fc-match", ["-f", "%{file}", family], { encoding: "utf8" });
    const name = execFileSync("fc-match", ["-f", "%{family}", family], { encoding: "utf8" });
    if (name.split(",").includes(family) || family === "monospace") return file;
  }
  throw new Error("no font");
}

/** A monospaced TrueType font's advance in em: hhea.advanceWidthMax / head.unitsPerEm (every glyph has it). */
function monospaceAdvance(path: string): number {
  const font = readFileSync(path);
  const tables = new Map<string, number>();
  const count = font.readUInt16BE(4);
  for (let index = 0; index < count; index++) {
    const record = 12 + index * 16;
    tables.set(font.toString("latin1", record, record + 4), font.readUInt32BE(record + 8));
  }
  const unitsPerEm = font.readUInt16BE(tables.get("head")! + 18);
  const advanceWidthMax = font.readUInt16BE(tables.get("hhea")! + 10);
  const post = tables.get("post")!;
  expect(font.readUInt32BE(post + 12), `${path} is monospaced (post.isFixedPitch)`).not.toBe(0);
  return advanceWidthMax / unitsPerEm;
}

interface Run {
  readonly text: string;
  readonly box: Box;
  /** The group (node, cluster, edge or the graph's own legend) it is drawn in. */
  readonly group: string;
  readonly groupBox?: Box;
}

function decode(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code))).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

function boxOfShapes(body: string): Box | undefined {
  const numbers: number[] = [];
  for (const match of body.matchAll(/<(?:polygon|path)[^>]*?\s(?:points|d)="([^"]*)"/g)) numbers.push(...(match[1]!.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number));
  if (numbers.length < 4) return undefined;
  const xs = numbers.filter((_, index) => index % 2 === 0);
  const ys = numbers.filter((_, index) => index % 2 === 1);
  return { left: Math.min(...xs), top: Math.min(...ys), right: Math.max(...xs), bottom: Math.max(...ys) };
}

/** Each text run with its extent in the given font; ascent 0.76 em, descent 0.24 em (DejaVu's). */
function textRuns(svg: string, advance: number): Run[] {
  const runs: Run[] = [];
  const starts = [...svg.matchAll(/<g id="([^"]*)" class="([^"]*)"[^>]*>/g)];
  starts.forEach((match, index) => {
    const body = svg.slice(match.index + match[0].length, starts[index + 1]?.index ?? svg.length);
    const groupBox = match[2]!.split(" ").includes("node") ? boxOfShapes(body.replace(/<text[\s\S]*?<\/text>/g, "")) : undefined;
    for (const text of body.matchAll(/<text([^>]*)>([\s\S]*?)<\/text>/g)) {
      const attributes = text[1]!;
      const content = decode(text[2]!);
      const x = Number(/ x="([-\d.]+)"/.exec(attributes)![1]);
      const y = Number(/ y="([-\d.]+)"/.exec(attributes)![1]);
      const size = Number(/font-size="([\d.]+)"/.exec(attributes)![1]);
      const anchor = /text-anchor="(\w+)"/.exec(attributes)?.[1] ?? "start";
      const width = [...content].length * advance * size;
      const left = anchor === "middle" ? x - width / 2 : anchor === "end" ? x - width : x;
      runs.push({ text: content, box: { left, right: left + width, top: y - 0.76 * size, bottom: y + 0.24 * size }, group: match[1]!, ...(groupBox ? { groupBox } : {}) });
    }
  });
  return runs;
}

/** Each edge's drawn line, as points every few pixels along its path (Graphviz writes M then cubic Bezier segments). */
function edgeLines(svg: string): Array<{ group: string; points: Array<readonly [number, number]> }> {
  const lines: Array<{ group: string; points: Array<readonly [number, number]> }> = [];
  const starts = [...svg.matchAll(/<g id="([^"]*)" class="([^"]*)"[^>]*>/g)];
  starts.forEach((match, index) => {
    if (!match[2]!.split(" ").includes("edge")) return;
    const body = svg.slice(match.index + match[0].length, starts[index + 1]?.index ?? svg.length);
    for (const path of body.matchAll(/<path[^>]*?\sd="([^"]*)"/g)) {
      const numbers = (path[1]!.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);
      const controls: Array<readonly [number, number]> = [];
      for (let at = 0; at + 1 < numbers.length; at += 2) controls.push([numbers[at]!, numbers[at + 1]!]);
      const points: Array<readonly [number, number]> = controls.slice(0, 1);
      for (let at = 0; at + 3 < controls.length; at += 3) {
        const [p0, p1, p2, p3] = [controls[at]!, controls[at + 1]!, controls[at + 2]!, controls[at + 3]!];
        for (let step = 1; step <= 32; step++) {
          const t = step / 32;
          const [a, b, c, d] = [(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3];
          points.push([a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]]);
        }
      }
      lines.push({ group: match[1]!, points });
    }
  });
  return lines;
}

/** Whether the straight piece from a to b enters the box (shrunk by slack on every side): Liang-Barsky clipping. */
function crosses(a: readonly [number, number], b: readonly [number, number], box: Box, slack = 1): boolean {
  let enter = 0;
  let leave = 1;
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  for (const [p, q] of [[-dx, a[0] - (box.left + slack)], [dx, box.right - slack - a[0]], [-dy, a[1] - (box.top + slack)], [dy, box.bottom - slack - a[1]]] as const) {
    if (p === 0) {
      if (q < 0) return false;
    } else if (p < 0) enter = Math.max(enter, q / p);
    else leave = Math.min(leave, q / p);
  }
  return enter < leave;
}

// DejaVu Sans Mono's advance is 0.602 em to Courier's 0.6: a line of 80 characters drifts by 0.3%, under a pixel and a half.
const overlap = (a: Box, b: Box, slack = 1.5) => a.left < b.right - slack && b.left < a.right - slack && a.top < b.bottom - slack && b.top < a.bottom - slack;
const within = (inner: Box, outer: Box, margin: number) => inner.left >= outer.left + margin - 1.5 && inner.right <= outer.right - margin + 1.5 && inner.top >= outer.top && inner.bottom <= outer.bottom;

// Pictures with many namespaces, bridges and cables, and long notes (routes added by hand).
const BUSY = ["scenarios/docker/docker-29-host.sh", "scenarios/kube-proxy/iptables-node.sh", "scenarios/cni/bridge-portmap.sh"];

describe.skipIf(!FONTCONFIG)("diagram SVGs in a Debian font", () => {
  const svgs: Array<{ name: string; svg: string }> = [];
  const busy: Array<{ name: string; svg: string }> = [];
  let advance = 0;
  beforeAll(async () => {
    await loadGraphviz();
    advance = monospaceAdvance(fontFile());
    const folder = "scenarios/walkthrough";
    for (const file of readdirSync(folder).filter((name) => name.endsWith(".sh"))) {
      const snapshots = await takeSnapshots(join(folder, file), { stages: true });
      for (const [index, stage] of snapshots.stages.entries()) svgs.push({ name: `${file}#${index + 1}`, svg: await renderSvg(diagramDot(stageInput(stage, snapshots.text, snapshots.run.file))) });
    }
    for (const file of BUSY) {
      const snapshots = await takeSnapshots(file, { stages: true });
      for (const [index, stage] of snapshots.stages.entries()) busy.push({ name: `${file}#${index + 1}`, svg: await renderSvg(diagramDot(stageInput(stage, snapshots.text, snapshots.run.file))) });
    }
  }, 120_000);

  it("the font the SVG names first is the one fontconfig gives, and it has Courier's 0.6 em advance that Graphviz laid the text out with", () => {
    expect(fontFile()).toMatch(/DejaVuSansMono\.ttf$/);
    expect(advance).toBeGreaterThan(0.59);
    expect(advance).toBeLessThan(0.61);
  });

  it("keeps every text run inside its box, clear of the next run on its line, and device boxes and the legend apart, busy pictures too", () => {
    expect(svgs.length).toBeGreaterThan(10);
    expect(busy.length).toBeGreaterThan(20);
    for (const { name, svg } of [...svgs, ...busy]) {
      const runs = textRuns(svg, advance);
      const width = Number(/<svg width="([\d.]+)pt"/.exec(svg)![1]);
      const translate = /translate\(([-\d.]+) ([-\d.]+)\)/.exec(svg)!;
      for (const run of runs) {
        // Inside the picture (the graph is drawn translated by Graphviz's pad).
        expect(run.box.left + Number(translate[1]), `${name}: "${run.text}" off the left edge`).toBeGreaterThanOrEqual(0);
        expect(run.box.right + Number(translate[1]), `${name}: "${run.text}" off the right edge`).toBeLessThanOrEqual(width);
        if (run.groupBox) expect(within(run.box, run.groupBox, 2), `${name}: "${run.text}" inside its box in ${run.group}`).toBe(true);
      }
      for (const [index, a] of runs.entries()) {
        for (const b of runs.slice(index + 1)) {
          if (a.group === b.group || (!a.groupBox && !b.groupBox)) expect(overlap(a.box, b.box), `${name}: "${a.text}" and "${b.text}" overlap`).toBe(false);
        }
      }
      const nodes = [...new Map(runs.filter((run) => run.groupBox).map((run) => [run.group, run.groupBox!])).entries()];
      for (const [index, [a, boxA]] of nodes.entries()) for (const [b, boxB] of nodes.slice(index + 1)) expect(overlap(boxA, boxB), `${name}: ${a} and ${b} overlap`).toBe(false);
    }
  });

  // Every text is held off every line but its own: the namespaces' names and notes, the devices', the probe's hop numbers
  // (on the nodes the hops reach), the legend, the label of an edge (a folded group's).
  it("keeps labels off edges: no cable or probe arrow crosses a namespace's name or notes, a hop number or any other text, and no two texts overlap, busy pictures too", () => {
    const all = [...svgs, ...busy];
    expect(busy.length).toBeGreaterThan(20);
    let notes = 0;
    let hopNumbers = 0;
    const problems: string[] = [];
    for (const { name, svg } of all) {
      const runs = textRuns(svg, advance);
      const edgeGroups = new Set(edgeLines(svg).map((line) => line.group));
      const fixed = runs.filter((run) => !edgeGroups.has(run.group));
      // A node's row of hop numbers ("3 · 5 · 9"), in the probe's colour.
      hopNumbers += runs.filter((run) => run.groupBox && /^\d+( · \d+)*$/.test(run.text)).length;
      const lines = edgeLines(svg);
      expect(lines.length, name).toBeGreaterThan(0);
      // The namespaces' names and notes are among the texts checked, each inside its namespace's box.
      const clusters = new Map([...svg.matchAll(/<g id="([^"]*)" class="cluster[^"]*"[^>]*>([\s\S]*?)<\/g>/g)].map((match) => [match[1]!, boxOfShapes(match[2]!)]));
      for (const run of fixed) {
        const namespace = /^(ns&#45;\d+)&#45;label$/.exec(run.group)?.[1];
        if (namespace === undefined) continue;
        notes++;
        const box = clusters.get(namespace);
        if (!box || !within(run.box, box, 0)) problems.push(`${name}: "${run.text}" outside its namespace ${namespace}`);
      }
      expect(fixed.some((run) => /^ip_forward=[01]$/.test(run.text)), name).toBe(true);
      for (const line of lines) {
        for (const run of runs) {
          if (run.group === line.group) continue;
          const crossing = line.points.findIndex((point, index) => index > 0 && crosses(line.points[index - 1]!, point, run.box));
          if (crossing >= 0) problems.push(`${name}: edge ${line.group} crosses "${run.text}" (${run.group}) at ${line.points[crossing]!.map(Math.round).join(",")}`);
        }
      }
      for (const [index, a] of runs.entries()) {
        for (const b of runs.slice(index + 1)) if (overlap(a.box, b.box)) problems.push(`${name}: "${a.text}" (${a.group}) and "${b.text}" (${b.group}) overlap`);
      }
    }
    expect(problems).toEqual([]);
    expect(notes).toBeGreaterThan(all.length * 4);
    expect(hopNumbers).toBeGreaterThan(100);
  });

  it.skipIf(!RSVG)("renders each stage to PNG with rsvg-convert (librsvg2-bin), and the busy pictures' last", () => {
    const folder = mkdtempSync(join(tmpdir(), "netsim-png-"));
    const ends = BUSY.map((file) => busy.filter((entry) => entry.name.startsWith(`${file}#`)).at(-1)!);
    for (const { name, svg } of [...svgs.slice(0, 12), ...ends]) {
      const png = join(folder, `${name.replace(/[^\w.-]/g, "_")}.png`);
      const result = spawnSync("rsvg-convert", ["-o", png], { input: svg });
      expect(result.status, `${name}: ${result.stderr}`).toBe(0);
      const header = readFileSync(png).subarray(0, 24);
      expect(header.subarray(1, 4).toString("latin1")).toBe("PNG");
      const pixelWidth = header.readUInt32BE(16);
      expect(pixelWidth).toBe(Math.ceil((Number(/<svg width="([\d.]+)pt"/.exec(svg)![1]) * 4) / 3));
      expect(statSync(png).size).toBeGreaterThan(10_000);
    }
  });
});
