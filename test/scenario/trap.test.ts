// bash's trap in the scenario runner (src/scenario/trap.ts): the EXIT trap
// runs networking commands at the end, after `exit N` and after a set -e
// failure (then ERR first); traps netsim cannot run where bash would are
// refused by name. The shell semantics themselves are checked against real
// bash by the trap-*.sh snippets of test/fixtures/bash-conformance.
import { describe, expect, it } from "vitest";
import { ScenarioSimulator } from "../../src/scenario/runner.js";
import { signalName, TrapTable } from "../../src/scenario/trap.js";

async function run(script: string) {
  return new ScenarioSimulator({ files: { "/s/main.sh": script } }).run("/s/main.sh");
}

const CLEANUP = ["ip netns add a", 'cleanup() { echo "cleanup rc=$?"; ip netns del a; }', "trap cleanup EXIT"];

describe("trap in a scenario", () => {
  it("runs the EXIT trap's networking commands at the end of the script", async () => {
    const result = await run([...CLEANUP, "ip netns list", ""].join("\n"));
    expect(result.problems).toEqual([]);
    expect(result.output).toBe("a\ncleanup rc=0\n");
    expect(result.commands.map((record) => record.argv.join(" "))).toEqual(["ip netns add a", "ip netns list", "ip netns del a"]);
    expect(result.commands[2]!.location.line).toBe(2);
    expect(result.world.namespaces.size).toBe(1);
  });

  it("keeps a handler's own lines in order with the functions it calls, each on its stream", async () => {
    const result = await run(['f() { echo "f out"; ip link show nosuchf; }', "trap 'echo trap-out; f; echo trap-end' EXIT", "echo end", ""].join("\n"));
    expect(result.streams).toEqual([
      { stream: "stdout", text: "end\ntrap-out\nf out\n" },
      { stream: "stderr", text: 'Device "nosuchf" does not exist.\n' },
      { stream: "stdout", text: "trap-end\n" },
    ]);
  });

  it("runs it at exit N, keeping the status, and not at a subshell's exit", async () => {
    const result = await run([...CLEANUP, "( exit 2 )", "exit 3", "ip netns list", ""].join("\n"));
    expect(result.output).toBe("cleanup rc=3\n");
    expect(result.exitCode).toBe(3);
    expect(result.commands.map((record) => record.argv.join(" "))).toEqual(["ip netns add a", "ip netns del a"]);
  });

  it("runs ERR then EXIT when set -e ends the script, with the functions and variables it left", async () => {
    const result = await run(["set -e", "name=a", ...CLEANUP, "trap 'echo \"ERR rc=$?\"' ERR", "ip link show nosuch0", "echo never", ""].join("\n"));
    expect(result.problems).toEqual([]);
    expect(result.output).toBe('Device "nosuch0" does not exist.\nERR rc=1\ncleanup rc=1\n');
    expect(result.exitCode).toBe(1);
    expect(result.world.namespaces.size).toBe(1);
  });

  it("refuses RETURN and DEBUG traps, and ERR without set -e, naming the line", async () => {
    for (const [line, word] of [["trap 'echo r' RETURN", "RETURN"], ["trap 'echo d' DEBUG", "DEBUG"], ["trap 'echo e' ERR", "ERR"]] as const) {
      const result = await run(`echo start\n${line}\necho after\n`);
      expect(result.problems).toEqual([expect.objectContaining({ location: { file: expect.stringMatching(/main\.sh$/), line: 2 }, word })]);
      expect(result.output).not.toContain("after");
    }
  });

  it("lists every refused trap and job form of the file up front, the run stopping at the first", async () => {
    const result = await run("echo start\ntrap 'echo r' RETURN\necho between\nsleep 1 | cat &\ntrap 'echo d' debug\n");
    expect(result.problems.map((problem) => [problem.location?.line, problem.word])).toEqual([
      [2, "RETURN"],
      [4, "&"],
      [5, "debug"],
    ]);
    expect(result.output).not.toContain("between");
  });

  it("takes signals as bash does: names with or without SIG, any case, numbers", () => {
    expect(["EXIT", "0", "int", "SIGTERM", "15", "err", "return"].map(signalName)).toEqual(["EXIT", "EXIT", "SIGINT", "SIGTERM", "SIGTERM", "ERR", "RETURN"]);
    expect(signalName("FOO")).toBeUndefined();
    const table = new TrapTable();
    expect(table.run(["echo x", "FOO"], new Map())).toEqual({ stdout: "", stderr: "bash: trap: FOO: invalid signal specification\n", exitCode: 1 });
  });
});
