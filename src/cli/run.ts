// `netsim run FILE...`: each scenario in the simulator, its output, and the
// verdict on every expectation.
import { writeFileSync } from "node:fs";
import { ScenarioSimulator, type SimulatedRun } from "../scenario/runner.js";
import { formatExpectationReport, summaryLine } from "../render/report.js";
import { junitReport } from "../render/junit.js";
import { explainScenario } from "../explain/explain.js";
import { formatExplanation } from "../render/explanation.js";
import { sourceLineReader } from "./explain.js";

/** `--explain`: why each failed probe failed, after the scenario's own report. */
async function printExplanations(file: string): Promise<void> {
  const { run, explanations } = await explainScenario(file);
  const reader = sourceLineReader();
  for (const explanation of explanations) {
    const trace = explanation.probe.traceIndex === undefined ? undefined : run.traces[explanation.probe.traceIndex];
    process.stdout.write(formatExplanation(explanation, trace, reader));
  }
}

interface RunArguments {
  readonly files: string[];
  readonly trace: boolean;
  readonly json: boolean;
  readonly explain: boolean;
  readonly junit?: string;
}

function parseArguments(argv: readonly string[]): RunArguments | string {
  const files: string[] = [];
  let trace = false;
  let json = false;
  let explain = false;
  let junit: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    if (word === "--trace") trace = true;
    else if (word === "--json") json = true;
    else if (word === "--explain") explain = true;
    else if (word === "--junit") {
      junit = argv[++index];
      if (junit === undefined) return "netsim run: --junit needs a file name";
    } else if (word.startsWith("-")) return `netsim run: unknown option "${word}"`;
    else files.push(word);
  }
  if (files.length === 0) return "netsim run: no scenario given";
  return { files, trace, json, explain, ...(junit !== undefined ? { junit } : {}) };
}

export async function runCommand(argv: readonly string[]): Promise<number> {
  const parsed = parseArguments(argv);
  if (typeof parsed === "string") {
    process.stderr.write(`${parsed}\n`);
    return 2;
  }
  const runs: SimulatedRun[] = [];
  for (const file of parsed.files) {
    const simulator = new ScenarioSimulator({ tracing: parsed.trace || parsed.json, printTraces: parsed.trace && !parsed.json });
    const run = await simulator.run(file);
    runs.push(run);
    if (!parsed.json) {
      if (parsed.files.length > 1) process.stdout.write(`==> ${run.file} <==\n`);
      process.stdout.write(run.output);
      process.stdout.write(formatExpectationReport(run));
      if (parsed.explain) await printExplanations(file);
      if (parsed.files.length > 1) process.stdout.write("\n");
    }
  }
  if (parsed.json) {
    process.stdout.write(`${JSON.stringify({ scenarios: runs.map(({ world: _world, ...rest }) => rest) }, null, 2)}\n`);
  } else {
    process.stdout.write(`${summaryLine(runs)}\n`);
  }
  if (parsed.junit) writeFileSync(parsed.junit, junitReport(runs));
  if (runs.some((run) => run.problems.length > 0)) return 2;
  return runs.some((run) => run.expectations.some((expectation) => !expectation.ok)) ? 1 : 0;
}
