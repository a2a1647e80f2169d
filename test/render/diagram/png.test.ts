// The diagram as it is seen where Helvetica is missing (Debian: rsvg-convert
// with DejaVu): the SVG's text, measured with the metrics of the font
// fontconfig picks for the SVG's font list (read from the TTF itself), stays
// inside its box, no two runs of text on a line overlap, no two device boxes
// overlap, the legend stays clear of the namespaces; and rsvg-convert
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

// DejaVu Sans Mono's advance is 0.602 em to Courier's 0.6: a line of 80 characters drifts by 0.3%, under a pixel and a half.
const overlap = (a: Box, b: Box, slack = 1.5) => a.left < b.right - slack && b.left < a.right - slack && a.top < b.bottom - slack && b.top < a.bottom - slack;
const within = (inner: Box, outer: Box, margin: number) => inner.left >= outer.left + margin - 1.5 && inner.right <= outer.right - margin + 1.5 && inner.top >= outer.top && inner.bottom <= outer.bottom;

describe.skipIf(!FONTCONFIG)("diagram SVGs in a Debian font", () => {
  const svgs: Array<{ name: string; svg: string }> = [];
  let advance = 0;
  beforeAll(async () => {
    await loadGraphviz();
    advance = monospaceAdvance(fontFile());
    const folder = "scenarios/walkthrough";
    for (const file of readdirSync(folder).filter((name) => name.endsWith(".sh"))) {
      const snapshots = await takeSnapshots(join(folder, file), { stages: true });
      for (const [index, stage] of snapshots.stages.entries()) svgs.push({ name: `${file}#${index + 1}`, svg: await renderSvg(diagramDot(stageInput(stage, snapshots.text, snapshots.run.file))) });
    }
  }, 120_000);

  it("the font the SVG names first is the one fontconfig gives, and it has Courier's 0.6 em advance that Graphviz laid the text out with", () => {
    expect(fontFile()).toMatch(/DejaVuSansMono\.ttf$/);
    expect(advance).toBeGreaterThan(0.59);
    expect(advance).toBeLessThan(0.61);
  });

  it("keeps every text run inside its box, clear of the next run on its line, and device boxes and the legend apart", () => {
    expect(svgs.length).toBeGreaterThan(10);
    for (const { name, svg } of svgs) {
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

  it.skipIf(!RSVG)("renders each stage to PNG with rsvg-convert (librsvg2-bin)", () => {
    const folder = mkdtempSync(join(tmpdir(), "netsim-png-"));
    for (const { name, svg } of svgs.slice(0, 12)) {
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
