// Replays a folder of kernel-recorded command goldens (CASE.sh, CASE.json from capture.sh) through the simulator, line by line.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ScenarioSimulator } from "../../src/scenario/runner.js";

export interface Golden {
  readonly line: number;
  readonly command: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

interface Observed {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

export interface GoldenSuite {
  readonly cases: string;
  /** Lines netsim does not replay, by case and line, each with its reason (a skipped line becomes `:`). */
  readonly skipped: Readonly<Record<string, Readonly<Record<number, string>>>>;
  /** What of a text is random or ordered differently on the kernel, per command. */
  readonly normalise: (command: string, text: string) => string;
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

/** The mismatches of one case's replay against its goldens. */
export async function replayGoldens(suite: GoldenSuite, name: string, goldens: readonly Golden[]): Promise<string[]> {
  const skipped = suite.skipped[name] ?? {};
  const lines = readFileSync(join(suite.cases, `${name}.sh`), "utf8").split("\n");
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
      observed = { stdout: suite.normalise(golden.command, record.stdout), stderr: suite.normalise(golden.command, record.stderr), exitCode: segment?.exitCode ?? -1 };
      expected = { stdout: suite.normalise(golden.command, golden.stdout), stderr: suite.normalise(golden.command, golden.stderr), exitCode: golden.exitCode };
      if (segment && record.exitCode !== segment.exitCode) mismatches.push(`line ${golden.line} \`${golden.command}\`: record exit ${record.exitCode} but shell saw ${segment.exitCode}`);
    } else {
      // No single record: compare the shell's combined output (stdout then stderr, as the kernel case printed them).
      observed = { stdout: suite.normalise(golden.command, segment?.text ?? "<no output segment>"), stderr: "", exitCode: segment?.exitCode ?? -1 };
      expected = { stdout: suite.normalise(golden.command, golden.stdout + golden.stderr), stderr: "", exitCode: golden.exitCode };
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

