// Golden replay of test/fixtures/net-tools/cases (route, ifconfig, arp and
// sudo measured on kernel 6.18 with net-tools 2.10 and sudo 1.9.13p3, see the
// README there): each case runs through the simulator line by line, and each
// command's stdout, stderr and exit status must equal the kernel's. The
// replay is the one of iproute2-goldens.test.ts (markers around each line);
// masks: ping timings, and `arp`/`ip neigh` tables of two or more entries
// (the kernel's hash order, seeded per namespace) compared as sets of lines.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ScenarioSimulator } from "../../src/scenario/runner.js";

const CASES = join(import.meta.dirname, "../fixtures/net-tools/cases");

interface Golden {
  readonly line: number;
  readonly command: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** Lines netsim does not replay, by case and line, each with its reason (a skipped line becomes `:`). */
const SKIPPED: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  ifconfig: {
    54: "a bridge that never had a port: this kernel turns its carrier off when it goes up (NO-CARRIER, state DOWN, no RUNNING); the bridge model keeps the carrier on until a first port (src/net/core/link-state.ts, the bridge room's)",
  },
  sudo: {
    16: "sudo hands the command to the embedded shell, which answers an unknown one with bash's own `command not found` (127) instead of sudo's (1)",
  },
};

interface Observed {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

function maskPing(text: string): string {
  const multiple = /(\d+) packets transmitted/.exec(text);
  let masked = text.replace(/time=[0-9.]+ ms/g, "time=<T> ms").replace(/^rtt min\/avg\/max\/mdev = .*$/gm, "rtt <masked>");
  if (multiple && Number(multiple[1]) > 1) masked = masked.replace(/, time \d+ms/, ", time <T>ms");
  return masked;
}

function sortedLines(text: string): string {
  if (text.startsWith("[")) {
    try {
      const parsed = JSON.parse(text) as unknown[];
      return `${JSON.stringify(parsed.map((entry) => JSON.stringify(entry)).sort())}\n`;
    } catch {
      return text;
    }
  }
  return text.split("\n").filter((line) => line.length > 0).sort().join("\n");
}

function normalise(command: string, text: string): string {
  let result = text.replace(/ tentative/g, "").replace(/^bash: line \d+:/gm, "bash: line N:");
  if (/\bping\b/.test(command)) result = maskPing(result);
  if ((/\bip\b.*\bneigh/.test(command) && !/\b(add|del|replace|change|flush)\b/.test(command)) || (/^arp\b/.test(command) && !/ -[sd]\b/.test(command))) {
    result = sortedLines(result);
  }
  return result;
}

function wrap(line: string): string {
  const command = line.trim();
  if (command === "" || command.startsWith("#")) return "";
  return command.endsWith("&") ? `echo "@@BEGIN"; ${command} echo "@@RC $?"` : `echo "@@BEGIN"; ${command}; echo "@@RC $?"`;
}

/** Splits the run's combined output into what each wrapped line printed, in order. */
function segments(output: string): Array<{ text: string; exitCode: number }> {
  const result: Array<{ text: string; exitCode: number }> = [];
  const pattern = /@@BEGIN\n([\s\S]*?)@@RC (\d+)\n/g;
  for (let match = pattern.exec(output); match; match = pattern.exec(output)) result.push({ text: match[1]!, exitCode: Number(match[2]) });
  return result;
}

async function replay(name: string, goldens: readonly Golden[]): Promise<string[]> {
  const skipped = SKIPPED[name] ?? {};
  const lines = readFileSync(join(CASES, `${name}.sh`), "utf8").split("\n");
  const script = lines.map((line, index) => (skipped[index + 1] !== undefined ? ":" : wrap(line))).join("\n");
  const path = `/virtual/${name}.sh`;
  const run = await new ScenarioSimulator({ files: { [path]: script } }).run(path);
  const shellSegments = segments(run.output);
  const mismatches: string[] = [];
  let segmentIndex = 0;
  for (const golden of goldens) {
    if (skipped[golden.line] !== undefined) continue;
    const segment = shellSegments[segmentIndex++];
    const records = run.commands.filter((record) => record.location.line === golden.line);
    const plain = !/[|>&]/.test(golden.command);
    let observed: Observed;
    let expected: Observed;
    if (plain && records.length === 1) {
      const record = records[0]!;
      observed = { stdout: normalise(golden.command, record.stdout), stderr: normalise(golden.command, record.stderr), exitCode: segment?.exitCode ?? -1 };
      expected = { stdout: normalise(golden.command, golden.stdout), stderr: normalise(golden.command, golden.stderr), exitCode: golden.exitCode };
      if (segment && record.exitCode !== segment.exitCode) mismatches.push(`line ${golden.line} \`${golden.command}\`: record exit ${record.exitCode} but shell saw ${segment.exitCode}`);
    } else {
      // No single record: compare the shell's combined output (stdout then stderr, as the kernel case printed them).
      observed = { stdout: normalise(golden.command, segment?.text ?? "<no output segment>"), stderr: "", exitCode: segment?.exitCode ?? -1 };
      expected = { stdout: normalise(golden.command, golden.stdout + golden.stderr), stderr: "", exitCode: golden.exitCode };
    }
    if (observed.stdout !== expected.stdout || observed.stderr !== expected.stderr || observed.exitCode !== expected.exitCode) {
      mismatches.push(
        `line ${golden.line} \`${golden.command}\`\n` +
          (observed.exitCode !== expected.exitCode ? `  exit: sim ${observed.exitCode}, kernel ${expected.exitCode}\n` : "") +
          (observed.stdout !== expected.stdout ? `  stdout sim:\n${indent(observed.stdout)}  stdout kernel:\n${indent(expected.stdout)}` : "") +
          (observed.stderr !== expected.stderr ? `  stderr sim:\n${indent(observed.stderr)}  stderr kernel:\n${indent(expected.stderr)}` : ""),
      );
    }
  }
  if (run.problems.length > 0) mismatches.push(`problems: ${run.problems.map((problem) => problem.message).join("; ")}`);
  return mismatches;
}

function indent(text: string): string {
  return text.split("\n").map((line) => `    |${line}\n`).join("");
}

const names = readdirSync(CASES)
  .filter((file) => file.endsWith(".json"))
  .map((file) => file.slice(0, -".json".length))
  .sort();

describe("net-tools and sudo goldens replayed through the simulator", () => {
  it("has the 4 cases", () => {
    expect(names).toEqual(["arp", "ifconfig", "route", "sudo"]);
  });
  for (const name of names) {
    const goldens = JSON.parse(readFileSync(join(CASES, `${name}.json`), "utf8")) as Golden[];
    it(`${name}: every command prints what the kernel printed`, async () => {
      const mismatches = await replay(name, goldens);
      expect(mismatches.join("\n")).toBe("");
    });
    for (const [line, reason] of Object.entries(SKIPPED[name] ?? {})) {
      const golden = goldens.find((entry) => entry.line === Number(line));
      it.skip(`${name} line ${line} \`${golden?.command ?? "?"}\`: ${reason}`, () => {});
    }
  }
});
