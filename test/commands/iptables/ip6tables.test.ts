// ip6tables (src/commands/iptables/iptables.ts with the ip6 family: the
// same parser and extension modules over IPv6 addresses, icmp6 and
// ip6t_REJECT) and nft 1.0.6's listing of the ip6 tables, against
// test/fixtures/ip6tables/ip6tables.out: the transcript of ip6tables.sh run
// in the kernel sandbox (iptables 1.8.9 nf_tables). `###` compares what a
// command printed on stdout and stderr, `###stdout` stdout alone,
// `###stderr` stderr alone; each with its exit status.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { simulate } from "../../support/simulate.js";

const FIXTURES = join(import.meta.dirname, "../../fixtures/ip6tables");
/** How many commands the transcript holds (a truncated recording fails here). */
const COUNT = 102;

interface Case {
  readonly command: string;
  readonly stream: "both" | "stdout" | "stderr";
  readonly output: string;
  readonly exitCode: number;
}

function transcript(text: string): Case[] {
  const cases: Case[] = [];
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const header = /^###(stdout|stderr)? (.*)$/.exec(lines[index]!);
    if (!header) continue;
    const output: string[] = [];
    let rc: RegExpExecArray | null = null;
    while (++index < lines.length && !(rc = /^rc=(\d+)$/.exec(lines[index]!))) output.push(lines[index]!);
    cases.push({ command: header[2]!, stream: (header[1] as "stdout" | "stderr" | undefined) ?? "both", output: output.map((line) => `${line}\n`).join(""), exitCode: Number(rc?.[1]) });
  }
  return cases;
}

describe("ip6tables as ip6tables 1.8.9 answers it", async () => {
  const cases = transcript(readFileSync(join(FIXTURES, "ip6tables.out"), "utf8"));
  const run = await simulate(`${cases.map((item) => item.command).join("\n")}\n`);
  it("replays the whole transcript", () => {
    expect(run.problems).toEqual([]);
    expect(cases.length).toBe(COUNT);
    expect(run.commands.length).toBe(cases.length);
  });
  cases.forEach((item, index) => {
    it(`${index + 1}: ${item.command}${item.stream === "both" ? "" : ` (${item.stream})`}`, () => {
      const record = run.commands[index]!;
      expect(record.argv.join(" ")).toBe(item.command);
      const printed = item.stream === "stdout" ? record.stdout : item.stream === "stderr" ? record.stderr : record.stdout + record.stderr;
      expect(printed).toBe(item.output);
      expect(record.exitCode).toBe(item.exitCode);
    });
  });
});
