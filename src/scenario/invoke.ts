// The one way a networking command is called, for the scenario runner, the
// toolkit's line runner (src/testing/scenario.ts) and the sim backend's state
// captures: the tool's own mistakes (CommandError) become what the tool
// prints and its status, an unmodelled form (UnsupportedError) becomes an
// input problem naming the word, and anything else is a bug and propagates.
import { CommandError, UnsupportedError, type CommandEnvironment, type CommandOutcome, type NetworkCommand } from "../commands/command.js";
import { classifyClient, classifyNc, classifyPing } from "./probe-outcome.js";
import type { ProbeResult } from "./result.js";

export type Invocation =
  | (Extract<CommandOutcome, { kind: "done" }> & {
      /** The probe's outcome, for ping and nc connects that sent something. */
      readonly result?: ProbeResult;
    })
  | Extract<CommandOutcome, { kind: "exec" }>
  | Extract<CommandOutcome, { kind: "process" }>
  | {
      readonly kind: "unsupported";
      /** The word netsim could not take. */
      readonly word: string;
      /** `netsim: ...`, without a location (the caller knows where it stands). */
      readonly message: string;
    };

/** The outcome of a probe tool's run, as data: ping by iputils' exit status, nc by what `nc -v` would have said, curl, wget and socat by their status. */
export function probeResult(name: string, outcome: Extract<CommandOutcome, { kind: "done" }>): ProbeResult | undefined {
  // ping's exit 2 before it sent anything is still a probe (unreachable); a usage error prints no PING header and is not.
  if (name === "ping" && (outcome.stdout.startsWith("PING") || outcome.exitCode === 2)) return classifyPing(outcome.exitCode, outcome.stdout);
  if (name === "nc" && outcome.probe?.tool === "nc") return classifyNc(outcome.exitCode, outcome.probe.verboseStderr, outcome.probe.protocol, outcome.stderr);
  if (outcome.probe && outcome.probe.tool !== "nc") return classifyClient(outcome.probe.tool, outcome.exitCode, outcome.stderr);
  return undefined;
}

export function invokeCommand(name: string, command: NetworkCommand, args: readonly string[], environment: CommandEnvironment): Invocation {
  let outcome: CommandOutcome;
  try {
    outcome = command(args, environment);
  } catch (error) {
    if (error instanceof CommandError) return { kind: "done", stdout: error.stdout, stderr: error.text.endsWith("\n") ? error.text : `${error.text}\n`, exitCode: error.exitCode };
    if (error instanceof UnsupportedError) return { kind: "unsupported", word: error.word, message: error.message };
    throw error;
  }
  if (outcome.kind !== "done") return outcome;
  const result = probeResult(name, outcome);
  return result ? { ...outcome, result } : outcome;
}
