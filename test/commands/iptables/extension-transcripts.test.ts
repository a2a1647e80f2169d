// Extension modules (src/commands/iptables/libxt-NAT.ts: libxt_NAT.c's
// parse_ports and parse_to, their fchecks, save and print; libxt-physdev.ts,
// libipt-REJECT.ts and others through the guided parser) against iptables
// 1.8.9 (nf_tables): each test/fixtures/iptables-extensions/NAME.sh ran in
// the kernel sandbox, its transcript is NAME.out. Each `### iptables ...`
// command's output and exit status must be the transcript's.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { simulate } from "../../support/simulate.js";

const FIXTURES = join(import.meta.dirname, "../../fixtures/iptables-extensions");
/** How many commands each transcript holds (a truncated recording fails here). */
const COUNTS: Readonly<Record<string, number>> = { "libxt_NAT.out": 38, "guided.out": 16 };

interface Case {
  readonly command: string;
  readonly output: string;
  readonly exitCode: number;
}

/** The transcript's commands: `### CMD`, what it printed, `rc=N`. */
function transcript(text: string): Case[] {
  const cases: Case[] = [];
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const header = /^### (.*)$/.exec(lines[index]!);
    if (!header) continue;
    const output: string[] = [];
    let rc: RegExpExecArray | null = null;
    while (++index < lines.length && !(rc = /^rc=(\d+)$/.exec(lines[index]!))) output.push(lines[index]!);
    cases.push({ command: header[1]!, output: output.map((line) => `${line}\n`).join(""), exitCode: Number(rc?.[1]) });
  }
  return cases;
}

describe.each(readdirSync(FIXTURES).filter((name) => name.endsWith(".out")))("%s as iptables 1.8.9 answers it", async (file) => {
  const cases = transcript(readFileSync(join(FIXTURES, file), "utf8"));
  const script = cases.map((item) => item.command).join("\n");
  const run = await simulate(`${script}\n`);
  it("replays the whole transcript", () => {
    expect(cases.length).toBe(COUNTS[file]);
    expect(run.commands.length).toBe(cases.length);
  });
  cases.forEach((item, index) => {
    it(`${index + 1}: ${item.command}`, () => {
      const record = run.commands[index]!;
      expect(record.argv.join(" ")).toBe(item.command);
      expect(record.stdout + record.stderr).toBe(item.output);
      expect(record.exitCode).toBe(item.exitCode);
    });
  });
});
