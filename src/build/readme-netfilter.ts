// Rewrites the README's netfilter row (its "matches ...; targets ..." part)
// from the iptables extension registry (src/commands/iptables/extensions.ts),
// so the row names what the modules model and nothing else. `npm run
// readme:netfilter` runs it; test/commands/iptables/extensions.test.ts fails
// while the README and the registry disagree.
//
//   node dist/build/readme-netfilter.js [README]
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { readmeExtensionList } from "../commands/iptables/extensions.js";

const ROW = "| netfilter |";
const START = "; matches ";
const TARGETS = "; targets ";
/** What ends the list: the row's next clause (descriptions never contain it). */
const END = "; ";

/** Where the list sits in the README: [start, end) of "matches ...; targets ...". */
function listSpan(readme: string): { start: number; end: number } {
  const row = /^\| netfilter \|.*$/m.exec(readme);
  if (!row) throw new Error(`README has no "${ROW}" row`);
  const line = row[0];
  const start = line.indexOf(START);
  const targets = start < 0 ? -1 : line.indexOf(TARGETS, start + START.length);
  if (targets < 0) throw new Error(`README's netfilter row has no "${START.trim()} ...${TARGETS.trim()} ..." part`);
  // The list ends at the row's next clause, else at the cell's end.
  const clause = line.indexOf(END, targets + TARGETS.length);
  const end = clause >= 0 ? clause : line.lastIndexOf(" |");
  // It starts at "matches", after the clause separator START begins with.
  return { start: row.index + start + END.length, end: row.index + end };
}

/** The row's "matches ...; targets ..." as the README has it now. */
export function readmeNetfilterList(readme: string): string {
  const { start, end } = listSpan(readme);
  return readme.slice(start, end);
}

/** The README with the row's list replaced by `list`. */
export function withNetfilterList(readme: string, list: string): string {
  const { start, end } = listSpan(readme);
  return readme.slice(0, start) + list + readme.slice(end);
}

function main(): void {
  const path = resolve(process.argv[2] ?? "README.md");
  const readme = readFileSync(path, "utf8");
  const rewritten = withNetfilterList(readme, readmeExtensionList());
  if (rewritten === readme) {
    process.stdout.write(`${path}: the netfilter row is up to date\n`);
    return;
  }
  writeFileSync(path, rewritten);
  process.stdout.write(`${path}: the netfilter row rewritten from the extension modules\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
