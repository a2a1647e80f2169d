// `netsim explain FILE [--line N] [--all] [--json]`.
import { readFileSync } from "node:fs";
import { explainScenario } from "../explain/explain.js";
import { formatExplanation } from "../render/explanation.js";

const USAGE = "usage: netsim explain [--line N] [--all] [--json] SCENARIO...\n";

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
      process.stderr.write(`netsim explain: unknown option "${word}"\n${USAGE}`);
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
    for (const problem of run.problems) process.stderr.write(`netsim: ${problem.message}\n`);
    if (json) {
      results.push({ file: run.file, explanations });
      continue;
    }
    if (explanations.length === 0) process.stdout.write(`${run.file}: ${line !== undefined ? `no probe on line ${line}` : all ? "no probes" : "every probe succeeded"}\n`);
    for (const explanation of explanations) {
      const trace = explanation.probe.traceIndex === undefined ? undefined : run.traces[explanation.probe.traceIndex];
      process.stdout.write(formatExplanation(explanation, trace, reader));
    }
  }
  if (json) process.stdout.write(`${JSON.stringify({ scenarios: results }, null, 2)}\n`);
  return problems > 0 ? 2 : 0;
}
