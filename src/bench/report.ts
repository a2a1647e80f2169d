// The benchmark's table (Markdown, so the README can take it as printed)
// and its JSON file.
import { arch, cpus, platform, release, totalmem } from "node:os";
import { formatRatio, type BenchRow } from "./measure.js";

export interface MachineDescription {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly loadAverage: string;
}

export function describeMachine(load: readonly number[]): MachineDescription {
  const processors = cpus();
  return {
    cpu: processors[0]?.model.trim() ?? "unknown",
    cores: processors.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    loadAverage: load.map((value) => value.toFixed(2)).join(" "),
  };
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function formatTable(rows: readonly BenchRow[], machine: MachineDescription): string {
  const lines = [
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, load average ${machine.loadAverage}`,
    "",
    "| # | figure | simulator | compared with | ratio | target | met |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const row of rows) {
    const met = row.met === undefined ? "—" : row.met ? "yes" : "**no**";
    lines.push(`| ${row.item} | ${cell(row.name)} | ${cell(row.simulator)} | ${cell(row.baseline)} | ${row.ratio === undefined ? "—" : formatRatio(row.ratio)} | ${cell(row.target)} | ${met} |`);
  }
  const notes = rows.filter((row) => row.note);
  if (notes.length > 0) {
    lines.push("", "Notes:");
    for (const row of notes) lines.push(`- (${row.item}) ${row.name}: ${row.note}`);
  }
  return `${lines.join("\n")}\n`;
}
