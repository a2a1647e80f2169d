// `netsim run FILE...`: each scenario in the simulator (or, with --backend
// kernel, on the real kernel in a throwaway sandbox), its output, and the
// verdict on every expectation.
//
// The kernel backend and the explainer are loaded only when --backend kernel
// or --explain asks for them: a plain `netsim run` does not pay their start-up.
import { writeFileSync } from "node:fs";
import { relative } from "node:path";
import { createWorld } from "../net/index.js";
import type { ScenarioRun, SourceLocation } from "../scenario/result.js";
import { ScenarioSimulator, type SimulatedRun } from "../scenario/runner.js";
import { formatExpectationReport, formatFailedCommands, problemLine, summaryLine } from "../render/report.js";
import { unknownOption, wantsHelp } from "./usage.js";

export const RUN_USAGE = `usage: netsim run [--trace] [--explain] [--json] [--junit FILE] [--backend sim|kernel] SCENARIO...

Runs each scenario (a bash script of ip, iptables, ping... commands) in the
simulator, prints what each command prints, and checks every "# expect:"
comment. Input netsim cannot take (an unmodelled option, a missing file) is
reported on stderr as FILE:LINE with the word it could not take.

  --trace           print each probe's hop-by-hop trace after its output
  --explain         explain each failed probe (as netsim explain does)
  --json            print machine-readable results instead (docs/run-json.schema.json)
  --junit FILE      also write a JUnit XML report, one test case per expectation
  --backend kernel  run on the real kernel in a throwaway sandbox (root)

exit status: 0 every expectation held, 1 one failed, 2 bad input,
3 the kernel backend cannot run here
`;

const RUN_OPTIONS = ["--trace", "--explain", "--json", "--junit", "--backend", "--help"];
import { junitReport } from "../render/junit.js";
import { runJson } from "../render/run-json.js";

/** `--explain`: why each failed probe failed, after the scenario's own report. */
async function printExplanations(file: string): Promise<void> {
  const [{ explainScenario }, { formatExplanation }, { sourceLineReader }] = await Promise.all([import("../explain/explain.js"), import("../render/explanation.js"), import("./explain.js")]);
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
  readonly backend: "sim" | "kernel";
}

function parseArguments(argv: readonly string[]): RunArguments | string {
  const files: string[] = [];
  let trace = false;
  let json = false;
  let explain = false;
  let junit: string | undefined;
  let backend: "sim" | "kernel" = "sim";
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    if (word === "--trace") trace = true;
    else if (word === "--json") json = true;
    else if (word === "--explain") explain = true;
    else if (word === "--backend" || word.startsWith("--backend=")) {
      const value = word.includes("=") ? word.slice("--backend=".length) : argv[++index];
      if (value !== "sim" && value !== "kernel") return `netsim run: --backend takes sim or kernel${value === undefined ? "" : ` (not "${value}")`}`;
      backend = value;
    }
    else if (word === "--junit") {
      junit = argv[++index];
      if (junit === undefined) return "netsim run: --junit needs a file name";
    } else if (word.startsWith("-")) return unknownOption("netsim run", word, RUN_OPTIONS);
    else files.push(word);
  }
  if (files.length === 0) return "netsim run: no scenario given";
  if (backend === "kernel" && (trace || explain)) return `netsim run: ${trace ? "--trace" : "--explain"} needs the simulator (--backend sim): the kernel keeps no trace`;
  return { files, trace, json, explain, backend, ...(junit !== undefined ? { junit } : {}) };
}

/**
 * A kernel run in the simulator's report shape: paths shown relative to the
 * working directory as the simulator shows them; no traces, no problems (the
 * kernel takes any bash), and an empty world the reports never read.
 */
function asReportedRun(run: ScenarioRun): SimulatedRun {
  const shown = (location: SourceLocation) => ({ ...location, file: relative(process.cwd(), location.file) || location.file });
  return {
    ...run,
    file: relative(process.cwd(), run.file) || run.file,
    commands: run.commands.map((record) => ({ ...record, location: shown(record.location), callers: record.callers.map(shown) })),
    expectations: run.expectations.map((expectation) => ({ ...expectation, location: shown(expectation.location) })),
    traces: [],
    world: createWorld(),
    problems: [],
  };
}

export async function runCommand(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(RUN_USAGE);
    return 0;
  }
  const parsed = parseArguments(argv);
  if (typeof parsed === "string") {
    process.stderr.write(`${parsed}\nusage: netsim run [OPTIONS] SCENARIO... (netsim run --help)\n`);
    return 2;
  }
  const kernel = parsed.backend === "kernel" ? await import("../backends/kernel/kernel-backend.js") : undefined;
  if (kernel) {
    const availability = kernel.checkKernelBackendAvailable();
    if (!availability.ok) {
      process.stderr.write(`netsim run: the kernel backend cannot run here: ${availability.reason}\n`);
      return 3;
    }
    if (availability.identity.kind === "root") process.stderr.write(`netsim run: ${kernel.rootFallbackNotice(availability.identity.reason)}\n`);
  }
  const runs: SimulatedRun[] = [];
  for (const file of parsed.files) {
    let run: SimulatedRun;
    if (kernel) {
      try {
        run = asReportedRun(await new kernel.KernelBackend().run(file));
      } catch (error) {
        process.stderr.write(`netsim run: ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
        return 2;
      }
    } else {
      const simulator = new ScenarioSimulator({ tracing: parsed.trace || parsed.json || parsed.junit !== undefined, printTraces: parsed.trace && !parsed.json });
      run = await simulator.run(file);
    }
    runs.push(run);
    // A problem the scenario's stderr already carried where it happened (an unmodelled option) is not said twice.
    const printed = new Set((run.streams ?? []).filter((chunk) => chunk.stream === "stderr").flatMap((chunk) => chunk.text.split("\n")));
    const problems = run.problems.map((problem) => problemLine(problem)).filter((line) => parsed.json || !printed.has(line)).map((line) => `${line}\n`).join("");
    if (parsed.json) process.stderr.write(problems);
    else {
      if (parsed.files.length > 1) process.stdout.write(`==> ${run.file} <==\n`);
      // Each chunk on its own stream, in the order the scenario wrote them (the kernel backend keeps one stream).
      if (run.streams) for (const chunk of run.streams) (chunk.stream === "stderr" ? process.stderr : process.stdout).write(chunk.text);
      else process.stdout.write(run.output);
      process.stderr.write(problems + formatFailedCommands(run));
      process.stdout.write(formatExpectationReport(run));
      if (parsed.explain) await printExplanations(file);
      if (parsed.files.length > 1) process.stdout.write("\n");
    }
  }
  if (parsed.json) {
    process.stdout.write(runJson(runs));
  } else {
    process.stdout.write(`${summaryLine(runs)}\n`);
  }
  if (parsed.junit) writeFileSync(parsed.junit, junitReport(runs));
  if (runs.some((run) => run.problems.length > 0)) return 2;
  return runs.some((run) => run.expectations.some((expectation) => !expectation.ok)) ? 1 : 0;
}
