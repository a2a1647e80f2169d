// The contract between the shell and the networking commands: a command
// reads argv and the world, and either finishes (text and status, as the real
// tool prints them) or asks the shell to run another command inside a
// namespace (`ip netns exec`, `nsenter`).
import type { SourceLocation } from "../model/location.js";
import type { NetworkNamespace } from "../model/netns.js";
import type { Trace } from "../model/trace.js";
import type { World } from "../model/world.js";

export interface CommandEnvironment {
  readonly world: World;
  /** The namespace the command runs in. */
  readonly namespace: NetworkNamespace;
  readonly origin?: SourceLocation;
  readonly tracing: boolean;
  readonly stdin: string;
  /** The command line as written, for trace headers. */
  readonly commandText: string;
}

export type CommandOutcome =
  | {
      readonly kind: "done";
      readonly stdout: string;
      readonly stderr: string;
      readonly exitCode: number;
      readonly trace?: Trace;
      /** A connect probe (nc): what it would have said with -v, which its outcome is classified from. */
      readonly probe?: { readonly tool: "nc"; readonly protocol: "tcp" | "udp"; readonly verboseStderr: string };
    }
  | { readonly kind: "exec"; readonly namespace: NetworkNamespace; readonly argv: readonly string[] };

export type NetworkCommand = (argv: readonly string[], environment: CommandEnvironment) => CommandOutcome;

export function done(stdout: string, stderr = "", exitCode = 0): CommandOutcome {
  return { kind: "done", stdout, stderr, exitCode };
}

/** A mistake the tool itself reports, with its exit status. */
export class CommandError extends Error {
  constructor(
    readonly text: string,
    readonly exitCode: number,
    readonly stdout = "",
  ) {
    super(text);
  }
}

/** A form netsim does not model: an error naming the word, never a silent skip. */
export class UnsupportedError extends Error {
  constructor(readonly word: string, readonly detail: string) {
    super(`netsim: ${detail}`);
  }
}

export function failure(text: string, exitCode: number): CommandOutcome {
  return { kind: "done", stdout: "", stderr: text.endsWith("\n") ? text : `${text}\n`, exitCode };
}
