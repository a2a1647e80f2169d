// Golden replay of test/fixtures/bridge-utils/cases (brctl, `bridge link
// set`, the /sys/class/net brport attributes; measured on the kernel, see the
// README there): each case becomes one scenario, each line wrapped between
// markers, and what each line printed (stdout, stderr, exit status) must
// equal the kernel's. The `bash: line N:` prefix is masked: the kernel ran
// every line as its own `bash -c` (line 1), the replay one script.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ScenarioSimulator } from "../../src/scenario/runner.js";

const CASES = join(import.meta.dirname, "../fixtures/bridge-utils/cases");
const SYSFS_MOUNT = "the sandbox mounts its own sysfs for brctl and the brport files; netsim's /sys/class/net is the model's already";

interface Golden {
  readonly line: number;
  readonly command: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

const normalise = (text: string) => text.replace(/^bash: line \d+:/gm, "bash: line N:");

async function replay(name: string, goldens: readonly Golden[]): Promise<string[]> {
  const lines = readFileSync(join(CASES, `${name}.sh`), "utf8").split("\n");
  const script = lines
    .map((line) => {
      const command = line.trim();
      if (command === "" || command.startsWith("#")) return "";
      if (command.startsWith("mount ")) return ":";
      return `echo "@@BEGIN"; ${command}; echo "@@RC $?"`;
    })
    .join("\n");
  const path = `/virtual/${name}.sh`;
  const run = await new ScenarioSimulator({ files: { [path]: script } }).run(path);
  const pattern = /@@BEGIN\n([\s\S]*?)@@RC (\d+)\n/g;
  const segments: Array<{ text: string; exitCode: number }> = [];
  for (let match = pattern.exec(run.output); match; match = pattern.exec(run.output)) segments.push({ text: match[1]!, exitCode: Number(match[2]) });
  const mismatches: string[] = [];
  let index = 0;
  for (const golden of goldens) {
    if (golden.command.startsWith("mount ")) continue;
    const segment = segments[index++];
    if (!segment) {
      mismatches.push(`line ${golden.line} \`${golden.command}\`: no output (the run stopped: ${run.problems.map((problem) => problem.message).join("; ")})`);
      break;
    }
    // A networking command's own record has stdout and stderr apart; other lines (cat, echo into /sys, pipes) are compared by what the shell printed.
    const records = run.commands.filter((record) => record.location.line === golden.line);
    const plain = !/[|>]/.test(golden.command) && records.length === 1;
    const seen = plain ? { exitCode: segment.exitCode, stdout: records[0]!.stdout, stderr: records[0]!.stderr } : { exitCode: segment.exitCode, stdout: segment.text, stderr: "" };
    const expected = plain ? golden : { exitCode: golden.exitCode, stdout: golden.stdout + golden.stderr, stderr: "" };
    if (seen.exitCode !== expected.exitCode || normalise(seen.stdout) !== normalise(expected.stdout) || normalise(seen.stderr) !== normalise(expected.stderr)) {
      mismatches.push(`line ${golden.line} \`${golden.command}\`\n  sim:    ${JSON.stringify(seen)}\n  kernel: ${JSON.stringify({ exitCode: expected.exitCode, stdout: expected.stdout, stderr: expected.stderr })}`);
    }
  }
  if (run.problems.length > 0) mismatches.push(`problems: ${run.problems.map((problem) => problem.message).join("; ")}`);
  return mismatches;
}

const names = readdirSync(CASES)
  .filter((file) => file.endsWith(".json"))
  .map((file) => file.slice(0, -".json".length))
  .sort();

describe("bridge-utils and bridge link set goldens replayed through the simulator", () => {
  it("has both cases", () => {
    expect(names).toEqual(["brctl", "bridge-link-set"]);
  });
  for (const name of names) {
    const goldens = JSON.parse(readFileSync(join(CASES, `${name}.json`), "utf8")) as Golden[];
    it(`${name}: every command prints what the kernel printed`, async () => {
      expect((await replay(name, goldens)).join("\n")).toBe("");
    });
  }
  it.skip(`the \`mount -t sysfs\` line of each case: ${SYSFS_MOUNT}`, () => {});
});
