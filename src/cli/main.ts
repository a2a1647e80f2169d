#!/usr/bin/env node
// The `netsim` command.
// Each subcommand is loaded only when asked for, so `netsim run` does not pay
// for the terminal UI or the Graphviz WebAssembly at start-up. In the bundle
// (src/build/bundle.ts) `run` is also a classic script, loaded through V8's
// code cache (./code-cache.ts); unbundled, or when that script does not load,
// it is the ES module as everywhere else.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { enableNodeCompileCache, loadScript } from "./code-cache.js";
import { nearest } from "./usage.js";

/** The bundle's classic-script build of ./run.ts, relative to the bundle's entry; set by src/build/bundle.ts only. */
declare const NETSIM_RUN_SCRIPT: string | undefined;

type RunModule = typeof import("./run.js");

async function runSubcommand(argv: string[]): Promise<number> {
  // Node's own compile cache, where there is one, covers the ES module chunks: no classic script needed.
  if (enableNodeCompileCache()) return (await import("./run.js")).runCommand(argv);
  const script = typeof NETSIM_RUN_SCRIPT === "string" ? loadScript<RunModule>(fileURLToPath(new URL(NETSIM_RUN_SCRIPT, import.meta.url))) : undefined;
  if (!script) return (await import("./run.js")).runCommand(argv);
  const code = await script.exports.runCommand(argv);
  script.saveCache();
  return code;
}

const USAGE = `usage: netsim [--version] [--help] COMMAND [ARGS]   (netsim COMMAND --help for each)
       netsim run [--trace] [--explain] [--json] [--junit FILE] SCENARIO...
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

const COMMANDS = ["run", "explain", "verify", "diagram", "step", "shell", "help"];

/** The version in netsim's package.json, found upward from this file (dist/netsim.mjs or dist/cli/main.js). */
function version(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth++, folder = dirname(folder)) {
    const path = join(folder, "package.json");
    if (!existsSync(path)) continue;
    try {
      const manifest = JSON.parse(readFileSync(path, "utf8")) as { name?: string; version?: string };
      if (manifest.name === "netsim" && manifest.version) return manifest.version;
    } catch {
      // not ours; keep looking
    }
  }
  return "unknown";
}

/**
 * A reader that went away (`netsim run ... | head`) is not an error: the
 * run ends at once, quietly, killed by SIGPIPE as a C tool would be (the
 * shell shows 141). Node ignores SIGPIPE and reports EPIPE on the stream
 * instead; with a listener installed and removed, the default action is back.
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.on("SIGPIPE", () => undefined);
    process.removeAllListeners("SIGPIPE");
    process.kill(process.pid, "SIGPIPE");
    // Should the signal not end us (it is blocked), end as if it had.
    process.exit(128 + 13);
  });
}
endQuietlyOnClosedPipe(process.stdout);
endQuietlyOnClosedPipe(process.stderr);

async function main(argv: string[]): Promise<number> {
  // `npx netsim -- ARGS`, the form npm 6's npx needed, hands netsim the "--" too: it ends npx's options, not netsim's.
  const [command, ...rest] = argv[0] === "--" ? argv.slice(1) : argv;
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
    case "help": {
      const [topic] = rest;
      if (topic !== undefined && COMMANDS.includes(topic) && topic !== "help") return main([topic, "--help"]);
      process.stdout.write(USAGE);
      return 0;
    }
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return 0;
    case "--version":
    case "-V":
      process.stdout.write(`netsim ${version()}\n`);
      return 0;
    case undefined:
      process.stderr.write(USAGE);
      return 2;
    default: {
      const suggestion = nearest(command, COMMANDS);
      process.stderr.write(`netsim: unknown command "${command}"${suggestion ? ` (did you mean "${suggestion}"?)` : ""}\nusage: netsim COMMAND [ARGS]; netsim --help lists the commands\n`);
      return 2;
    }
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
