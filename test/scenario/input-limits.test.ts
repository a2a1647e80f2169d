// Bad input and limits a real script never meets (src/scenario/runner.ts):
// each is a clear problem naming the file (and line), never a crash, a
// misleading "No such file" or an hour-long loop.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ScenarioSimulator } from "../../src/scenario/runner.js";

const scratch = mkdtempSync(join(tmpdir(), "netsim-limits-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const run = (files: Record<string, string>, main: string) => new ScenarioSimulator({ files }).run(main);

describe("scenario input limits", () => {
  it("says a file with Windows line endings is one, at its first such line", async () => {
    const result = await run({ "/s/crlf.sh": "# made on Windows\nip netns list\r\nip link\r\n" }, "/s/crlf.sh");
    expect(result.exitCode).toBe(2);
    expect(result.problems.map((problem) => problem.message)).toEqual([expect.stringContaining("crlf.sh:2: line 2 ends in \\r (a Windows line ending), as does 1 more line")]);
    expect(result.commands).toEqual([]);
  });

  it("says a directory is a directory and a file past the parser's limit is larger than 1 MB", async () => {
    const folder = join(scratch, "folder.sh");
    mkdirSync(folder);
    expect((await new ScenarioSimulator().run(folder)).problems[0]!.message).toMatch(/: is a directory$/);
    const big = join(scratch, "big.sh");
    writeFileSync(big, "# padding\n".repeat(120_000));
    expect((await new ScenarioSimulator().run(big)).problems[0]!.message).toMatch(/larger than 1 MB \(1200000 bytes\)/);
  });

  it("runs a 9,000-line scenario, and says past 10,000 commands in one list that the parser takes no more", async () => {
    const lines = Array.from({ length: 9_000 }, (_, index) => `NAME=d${index}`);
    const result = await run({ "/s/long.sh": `${lines.join("\n")}\nip link add "$NAME" type dummy\nip -br link show d8999   # expect: ok\n` }, "/s/long.sh");
    expect(result.problems).toEqual([]);
    expect(result.expectations.map((expectation) => expectation.ok)).toEqual([true]);
    const longer = Array.from({ length: 10_001 }, (_, index) => `NAME=d${index}`);
    const tooLong = await run({ "/s/longer.sh": `${longer.join("\n")}\n` }, "/s/longer.sh");
    expect(tooLong.problems.map((problem) => problem.message)).toEqual(["/s/longer.sh: more than 10,000 commands in one list: the most the embedded shell's parser takes in one file; split it into files it sources"]);
  });

  it("ends an endless loop of sleep at its line once virtual time passes 24 hours", async () => {
    const result = await run({ "/s/loop.sh": "while true; do\n  sleep 600\ndone\necho never\n" }, "/s/loop.sh");
    expect(result.output).not.toContain("never");
    expect(result.problems.map((problem) => problem.message)).toEqual([expect.stringMatching(/loop\.sh:2: netsim: the scenario ran past 24 hours of virtual time/)]);
  });

  it("ends an endless loop of builtins alone at the command budget, naming the loop's line, status 2", async () => {
    const result = await run({ "/s/spin.sh": "echo start\nx=0\nwhile true; do\n  x=1\ndone\necho never\n" }, "/s/spin.sh");
    expect(result.exitCode).toBe(2);
    expect(result.output).toBe("start\n/s/spin.sh:3: netsim: the scenario ran 500,000 commands without ending, the most it may run (an endless loop?); stopped here\n");
    expect(result.problems.map((problem) => problem.message)).toEqual(["/s/spin.sh:3: netsim: the scenario ran 500,000 commands without ending, the most it may run (an endless loop?); stopped here"]);
  }, 120_000);

  it("names the endless loop, not a finite loop inside it, nor the function it runs in", async () => {
    const result = await run({ "/s/nested.sh": "spin() {\n  until false; do\n    for i in 1 2 3; do :; done\n  done\n}\nfor n in 1; do :; done\nspin\n" }, "/s/nested.sh");
    expect(result.exitCode).toBe(2);
    expect(result.problems.map((problem) => problem.location)).toEqual([{ file: "/s/nested.sh", line: 2 }]);
  }, 120_000);

  it("lists every unmodelled command and missing builtin up front, and a typo as bash says it", async () => {
    const result = await run({ "/s/many.sh": "ebtables -L\nulimit -n 1024\nipp link\nhelper() { :; }\nhelper\nip netns exec n0 tc qdisc show\n" }, "/s/many.sh");
    expect(result.problems.map((problem) => [problem.location?.line, problem.word])).toEqual([
      [1, "ebtables"],
      [2, "ulimit"],
      [3, "ipp"],
      [6, "tc"],
    ]);
  });

  it("runs a typo as bash does: 127 and its message, the run going on", async () => {
    const result = await run({ "/s/typo.sh": "ipp link\necho \"status $?\"\n" }, "/s/typo.sh");
    expect(result.output).toBe("bash: ipp: command not found\nstatus 127\n");
    expect(result.problems.map((problem) => problem.message)).toEqual([expect.stringContaining("typo.sh:1: ipp: command not found")]);
  });
});
