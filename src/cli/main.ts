#!/usr/bin/env node
// The `netsim` command.
import { runCommand } from "./run.js";

const USAGE = `usage: netsim run [--trace] [--json] [--junit FILE] SCENARIO...

  run      run scenarios in the simulator, print what each command prints and
           check every "# expect:" comment
    --trace        print each probe's hop-by-hop trace after its output
    --json         print machine-readable results (commands, outcomes, traces)
    --junit FILE   also write a JUnit XML report, one test case per expectation

exit status: 0 every expectation held, 1 one failed, 2 bad input
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "run":
      return runCommand(rest);
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
