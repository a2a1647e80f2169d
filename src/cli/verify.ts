// `netsim verify FILE...`: each scenario in the simulator and on the real
// kernel (in a throwaway sandbox), compared line by line.
// Exit: 0 no divergence, 1 a divergence (or a run that failed), 2 bad input,
// 3 the kernel backend cannot run here.
import { unknownOption, wantsHelp } from "./usage.js";
import { existsSync, statSync } from "node:fs";
import { checkKernelBackendAvailable, KernelBackend, rootFallbackNotice } from "../backends/kernel/kernel-backend.js";
import { SimBackend } from "../backends/sim/sim-backend.js";
import type { Comparison } from "../verify/compare.js";
import { formatComparison, kernelExpectationLines, skippedLines, totalsLine } from "../verify/report.js";
import { verifyScenario } from "../verify/verify.js";

export const VERIFY_USAGE = `usage: netsim verify [--timeout SECONDS] SCENARIO...

Runs each scenario twice, in the simulator and on the real kernel (in a fresh
sandbox: new network, mount and PID namespaces, the scenario as root of a user
namespace of its own, the host's files read-only, a copy of its folder), and
compares every command's status and error text, every probe's outcome and
reply ttl, and the state (links, addresses, routes, neighbours, iptables
ruleset, conntrack) after each probe and at the end. Needs unprivileged user
namespaces or root, iproute2, iptables, iputils-ping, netcat-openbsd and
conntrack.

  --timeout SECONDS  each probe's time limit on the kernel (default 30)

exit status: 0 no divergence, 1 a divergence, 2 bad input, 3 the kernel backend cannot run here
`;

interface VerifyArguments {
  readonly files: string[];
  readonly commandTimeoutSeconds?: number;
}

function parseArguments(argv: readonly string[]): VerifyArguments | string {
  const files: string[] = [];
  let commandTimeoutSeconds: number | undefined;
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    if (word === "--timeout") {
      const value = Number(argv[++index]);
      if (!Number.isFinite(value) || value <= 0) return `netsim verify: --timeout needs a number of seconds`;
      commandTimeoutSeconds = value;
    } else if (word === "--") files.push(...argv.slice(index + 1)), (index = argv.length);
    else if (word.startsWith("-")) return unknownOption("netsim verify", word, ["--timeout", "--help"]);
    else files.push(word);
  }
  if (files.length === 0) return "netsim verify: no scenario given";
  for (const file of files) {
    if (!existsSync(file)) return `netsim verify: ${file}: No such file or directory`;
    if (!statSync(file).isFile()) return `netsim verify: ${file}: not a file`;
  }
  return { files, ...(commandTimeoutSeconds !== undefined ? { commandTimeoutSeconds } : {}) };
}

export async function verifyCommand(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(VERIFY_USAGE);
    return 0;
  }
  const parsed = parseArguments(argv);
  if (typeof parsed === "string") {
    // One line of usage, as netsim run gives it: the whole text is --help's.
    process.stderr.write(`${parsed}\nusage: netsim verify [--timeout SECONDS] SCENARIO... (netsim verify --help)\n`);
    return 2;
  }
  const availability = checkKernelBackendAvailable();
  if (!availability.ok) {
    process.stderr.write(`netsim verify: the kernel backend cannot run here: ${availability.reason}\n`);
    return 3;
  }
  if (availability.identity.kind === "root") process.stderr.write(`netsim verify: ${rootFallbackNotice(availability.identity.reason)}\n`);
  const sim = new SimBackend();
  const kernel = new KernelBackend(parsed.commandTimeoutSeconds !== undefined ? { commandTimeoutSeconds: parsed.commandTimeoutSeconds } : {});
  const comparisons: Comparison[] = [];
  let badInput = false;
  let failedRuns = 0;
  for (const file of parsed.files) {
    try {
      const result = await verifyScenario(file, { sim, kernel });
      if (result.kind === "bad-input") {
        badInput = true;
        for (const message of result.messages) process.stderr.write(`netsim verify: ${message}\n`);
        process.stderr.write(`netsim verify: ${file}: not verified (the simulator cannot take it)\n`);
        continue;
      }
      comparisons.push(result.comparison);
      process.stdout.write(kernelExpectationLines(result.kernel));
      process.stdout.write(formatComparison(result.comparison));
    } catch (error) {
      failedRuns++;
      process.stderr.write(`netsim verify: ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  process.stdout.write(skippedLines(comparisons));
  process.stdout.write(`${totalsLine(comparisons)}\n`);
  if (comparisons.some((comparison) => comparison.divergences.length > 0) || failedRuns > 0) return 1;
  return badInput ? 2 : 0;
}
