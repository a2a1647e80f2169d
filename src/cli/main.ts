#!/usr/bin/env node
// The `netsim` command.
// Each subcommand is loaded only when asked for, so `netsim run` does not pay
// for the terminal UI or the Graphviz WebAssembly at start-up. In the bundle
// (src/build/bundle.ts) `run` is also a classic script, loaded through V8's
// code cache (./code-cache.ts); unbundled, or when that script does not load,
// it is the ES module as everywhere else.
import { fileURLToPath } from "node:url";
import { loadScript } from "./code-cache.js";

/** The bundle's classic-script build of ./run.ts, relative to the bundle's entry; set by src/build/bundle.ts only. */
declare const NETSIM_RUN_SCRIPT: string | undefined;

type RunModule = typeof import("./run.js");

async function runSubcommand(argv: string[]): Promise<number> {
  const script = typeof NETSIM_RUN_SCRIPT === "string" ? loadScript<RunModule>(fileURLToPath(new URL(NETSIM_RUN_SCRIPT, import.meta.url))) : undefined;
  if (!script) return (await import("./run.js")).runCommand(argv);
  const code = await script.exports.runCommand(argv);
  script.saveCache();
  return code;
}

const USAGE = `usage: netsim run [--trace] [--explain] [--json] [--junit FILE] SCENARIO...
       netsim diagram FILE [--at LINE] [--probe LINE] [--format svg|dot|mermaid] [-o OUT] | --stages DIR
       netsim step [--text] FILE
       netsim shell
       netsim explain [--line N] [--all] [--json] SCENARIO...
       netsim verify [--timeout SECONDS] SCENARIO...

  run      run scenarios in the simulator, print what each command prints and
           check every "# expect:" comment
    --trace        print each probe's hop-by-hop trace after its output
    --explain      explain each failed probe (as netsim explain does)
    --json         print machine-readable results (commands, outcomes, traces)
    --junit FILE   also write a JUnit XML report, one test case per expectation
  diagram  draw the topology after a line, a probe's path, or every stage
           (netsim diagram --help)
  explain  say why each failed probe failed: the decisive steps, the
           scenario line behind them, and a fix checked by running it
    --line N       only the probe on line N;  --all  explain successes too
  verify   run each scenario in the simulator and on the real kernel (in a
           throwaway sandbox, as root of a user namespace of its own) and
           report every divergence; exit 1 on one, 3 when the kernel backend
           cannot run here
  step     walk through a scenario in a terminal UI, one command and one
           probe hop at a time (keys: arrows, Enter, t, ?, q); prints the
           walk as text when stdout is not a terminal, or with --text
  shell    type the walkthrough at a prompt, the topology shown as it grows;
           "nsenter --net=/var/run/netns/NS bash" enters a namespace, "exit"
           leaves it

exit status: 0 every expectation held, 1 one failed, 2 bad input
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "run":
      return runSubcommand(rest);
    case "explain":
      return (await import("./explain.js")).explainCommand(rest);
    case "verify":
      return (await import("./verify.js")).verifyCommand(rest);
    case "diagram":
      return (await import("./diagram.js")).diagramCommand(rest);
    case "step":
      return (await import("./step.js")).stepCommand(rest);
    case "shell":
      return (await import("./step.js")).shellCommand(rest);
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return 0;
    case undefined:
      process.stderr.write(USAGE);
      return 2;
    default:
      process.stderr.write(`netsim: unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`netsim: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 70;
  },
);
