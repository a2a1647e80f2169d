// `netsim explain FILE [--line N] [--all] [--json]`.
import { readFileSync } from "node:fs";
import { explainScenario, mainFileLine } from "../explain/explain.js";
import { formatExplanation } from "../render/explanation.js";
import { problemLine } from "../render/report.js";
import { unknownOption, wantsHelp } from "./usage.js";

const USAGE = "usage: netsim explain [--line N] [--all] [--json] SCENARIO...\n";

export const EXPLAIN_USAGE = `${USAGE}
Runs each scenario and says why each failed probe failed: the decisive steps
of its trace, the scenario line behind them (an earlier command that failed,
when one did), and fixes that were checked by running the scenario again with
each one.

  --line N   only the probe on line N (exit 2 when line N runs no probe)
  --all      explain the probes that succeeded too
  --json     print the explanations as JSON

exit status: 0 explained, 2 bad input
`;

const EXPLAIN_OPTIONS = ["--line", "--all", "--json", "--help"];

export function sourceLineReader(): (file: string, line: number) => string | undefined {
  const cache = new Map<string, string[]>();
  return (file, line) => {
    if (!cache.has(file)) {
      try {
        cache.set(file, readFileSync(file, "utf8").split("\n"));
      } catch {
        cache.set(file, []);
      }
    }
    return cache.get(file)![line - 1];
  };
}

export async function explainCommand(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(EXPLAIN_USAGE);
    return 0;
  }
  const files: string[] = [];
  let line: number | undefined;
  let all = false;
  let json = false;
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    if (word === "--line") {
      const value = argv[++index];
      if (value === undefined || !/^\d+$/.test(value)) {
        process.stderr.write(`netsim explain: --line needs a line number\n${USAGE}`);
        return 2;
      }
      line = Number(value);
    } else if (word === "--all") all = true;
    else if (word === "--json") json = true;
    else if (word.startsWith("-")) {
      process.stderr.write(`${unknownOption("netsim explain", word, EXPLAIN_OPTIONS)}\n${USAGE}`);
      return 2;
    } else files.push(word);
  }
  if (files.length === 0) {
    process.stderr.write(USAGE);
    return 2;
  }
  const reader = sourceLineReader();
  const results = [];
  let problems = 0;
  for (const file of files) {
    const { run, explanations } = await explainScenario(file, { ...(line !== undefined ? { line } : {}), all });
    problems += run.problems.length;
    for (const problem of run.problems) process.stderr.write(`${problemLine(problem)}\n`);
    // --line names a probe: a line that runs none is bad input, as an unknown option is.
    if (line !== undefined && !run.commands.some((record) => record.probe && mainFileLine(run, record) === line)) {
      process.stderr.write(`netsim explain: ${run.file}: line ${line} runs no probe\n`);
      problems++;
      continue;
    }
    if (json) {
      results.push({ file: run.file, explanations });
      continue;
    }
    // A run that stopped on bad input (a missing file, an unmodelled command) proved nothing: no "every probe succeeded".
    if (explanations.length === 0 && run.problems.length === 0) process.stdout.write(`${run.file}: ${line !== undefined ? `the probe on line ${line} succeeded (--all explains it too)` : all ? "no probes" : "every probe succeeded"}\n`);
    for (const explanation of explanations) {
      const trace = explanation.probe.traceIndex === undefined ? undefined : run.traces[explanation.probe.traceIndex];
      process.stdout.write(formatExplanation(explanation, trace, reader));
    }
  }
  if (json) process.stdout.write(`${JSON.stringify({ scenarios: results }, null, 2)}\n`);
  return problems > 0 ? 2 : 0;
}
