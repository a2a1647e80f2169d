// The NAT targets (src/commands/iptables/libxt-NAT.ts: libxt_NAT.c's
// parse_ports and parse_to, their fchecks, save and print) against
// iptables 1.8.9 (nf_tables): test/fixtures/iptables-nat/ports.sh ran in the
// kernel sandbox, its transcript is ports.out. Each `### iptables ...`
// command's output and exit status must be the transcript's.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { simulate } from "../../support/simulate.js";

const FIXTURES = join(import.meta.dirname, "../../fixtures/iptables-nat");

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

describe("libxt_NAT (SNAT, DNAT, MASQUERADE, REDIRECT) as iptables 1.8.9 parses and prints them", async () => {
  const cases = transcript(readFileSync(join(FIXTURES, "ports.out"), "utf8"));
  const script = cases.map((item) => item.command).join("\n");
  const run = await simulate(`${script}\n`);
  it("replays the whole transcript", () => {
    expect(cases.length).toBe(38);
    expect(run.commands.length).toBe(cases.length);
  });
  cases.forEach((item, index) => {
    it(item.command, () => {
      const record = run.commands[index]!;
      expect(record.argv.join(" ")).toBe(item.command);
      expect(record.stdout + record.stderr).toBe(item.output);
      expect(record.exitCode).toBe(item.exitCode);
    });
  });
});
