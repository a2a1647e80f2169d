// The scenario's clock and randomness (src/scenario/variables.ts): date,
// printf %(...)T, $SECONDS, $EPOCHSECONDS and $EPOCHREALTIME read the virtual
// clock from the Unix epoch; $RANDOM is bash's own generator seeded with
// RANDOM_SEED (real bash, run here, is the oracle for its sequence); so two
// runs of a scenario print the same bytes.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ScenarioSimulator } from "../../src/scenario/runner.js";
import { RANDOM_SEED } from "../../src/scenario/variables.js";

const BASH = "/bin/bash";
const recordedDate = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "date", "date.expected.json"), "utf8")) as {
  results: Array<{ args: string[]; stdout: string }>;
};
/** What coreutils date printed for `date -u -d @0` (the epoch, in the default format). */
const EPOCH_TEXT = recordedDate.results.find((result) => result.args.join(" ") === "-u -d @0")!.stdout;

async function run(script: string) {
  return new ScenarioSimulator({ files: { "/s/t.sh": script } }).run("/s/t.sh");
}

function bash(script: string): string {
  return spawnSync(BASH, ["--norc", "--noprofile", "-c", script], { encoding: "utf8", env: { PATH: "/usr/bin:/bin", LC_ALL: "C" } }).stdout;
}

describe("the scenario's clock", () => {
  it("starts at the epoch and moves with sleep", async () => {
    const result = await run("date\ndate +%s\nsleep 2\ndate +%s\ndate -u +%F-%T\nsleep 0.25\ndate +%s.%N\n");
    expect(result.problems).toEqual([]);
    expect(result.output).toBe(`${EPOCH_TEXT}0\n2\n1970-01-01-00:00:02\n2.250000000\n`);
  });

  it("gives $SECONDS, $EPOCHSECONDS and $EPOCHREALTIME from it", async () => {
    const result = await run('echo "$SECONDS $EPOCHSECONDS $EPOCHREALTIME"\nsleep 2.5\necho "$SECONDS $EPOCHSECONDS $EPOCHREALTIME"\nSECONDS=10\nsleep 3\necho $SECONDS $((SECONDS + 1))\n');
    expect(result.problems).toEqual([]);
    expect(result.output).toBe("0 0 0.000000\n2 2 2.500000\n13 14\n");
  });

  it("gives printf's %(...)T its now (-1 or no argument) and its start (-2)", async () => {
    const result = await run("sleep 5\nprintf '%(%s)T %(%s)T %(%s)T|' -1 -2 86400; printf '%(%F %T)T\\n'\nprintf -v when '%(%s)T' -1; echo \"$when\"\n");
    expect(result.problems).toEqual([]);
    expect(result.output).toBe("5 0 86400|1970-01-01 00:00:05\n5\n");
  });
});

describe("the scenario's $RANDOM", () => {
  it.skipIf(!existsSync(BASH))("is bash's generator, seeded with RANDOM_SEED until the script seeds it", async () => {
    const reads = "echo $RANDOM $RANDOM $((RANDOM % 100)) \"${RANDOM}\"";
    const result = await run(`${reads}\nRANDOM=5; ${reads}\n`);
    expect(result.problems).toEqual([]);
    expect(result.output).toBe(bash(`RANDOM=${RANDOM_SEED}; ${reads}; RANDOM=5; ${reads}`));
    expect(bash("RANDOM=5; echo $RANDOM $RANDOM")).toBe("18498 29338\n");
  });

  it.skipIf(!existsSync(BASH))("is read so in a sourced file too (printed back after the rewrite)", async () => {
    const lib = 'RANDOM=7\npick() { echo $((RANDOM % 6)) $RANDOM "$(( 1 + RANDOM ))"; }\n';
    const result = await new ScenarioSimulator({ files: { "/s/t.sh": ". ./lib.sh\npick\nsleep 1\necho $SECONDS\n", "/s/lib.sh": lib } }).run("/s/t.sh");
    expect(result.problems).toEqual([]);
    expect(result.output).toBe(`${bash(`${lib}pick`)}1\n`);
  });

  it("and $SRANDOM are the same every run", async () => {
    const result = await run("echo $RANDOM $SRANDOM $SRANDOM\n");
    expect(result.output).toMatch(/^\d+ \d+ \d+\n$/);
    expect((await run("echo $RANDOM $SRANDOM $SRANDOM\n")).output).toBe(result.output);
  });
});

describe("a scenario's run", () => {
  it("replays byte for byte", async () => {
    const script = [
      "ip netns add a",
      "ip -n a link set lo up",
      'start=$(date +%s.%N); echo "$start $RANDOM $SRANDOM $EPOCHREALTIME"',
      "ip netns exec a ping -c 2 127.0.0.1 > /dev/null",
      'echo "$(date +%s.%N) $RANDOM $SECONDS $EPOCHREALTIME"',
      "for i in 1 2 3; do echo $((RANDOM % 6)); done",
      "printf '%(%T)T\\n'",
      "date",
    ].join("\n");
    const first = await run(`${script}\n`);
    const second = await run(`${script}\n`);
    expect(first.problems).toEqual([]);
    expect(first.exitCode).toBe(0);
    expect(second.output).toBe(first.output);
    // The ping moved the clock on a second.
    expect(first.output.split("\n")[1]).toMatch(/^1\.\d{9} \d+ 1 1\.\d{6}$/);
  });
});

describe("what the scenario's clock and generator do not model", () => {
  const refusals: Array<[string, string]> = [
    ["date -d yesterday", "yesterday"],
    ["TZ=Europe/Paris date", "TZ=Europe/Paris"],
    ["echo ${RANDOM:-1}", "${RANDOM}"],
    ["echo ${#SECONDS}", "${SECONDS}"],
    ["a=(x y); echo ${a[RANDOM % 2]}", "${a[RANDOM % 2]}"],
    ["unset RANDOM", "unset RANDOM"],
    ["let x=RANDOM", "let x=RANDOM"],
    ["declare -i n=RANDOM", "declare n=RANDOM"],
    ["((SECONDS = 0))", "SECONDS"],
    ["RANDOM=5 true", "RANDOM="],
    ["RANDOM='$(x)'", "RANDOM=$(x)"],
  ];
  for (const [line, word] of refusals) {
    it(`refuses ${line} by name`, async () => {
      const result = await run(`${line}\necho after\n`);
      expect(result.problems).toEqual([expect.objectContaining({ location: { file: "/s/t.sh", line: 1 }, word })]);
      expect(result.output).not.toContain("after");
    });
  }
});
