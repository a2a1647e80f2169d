// The contract between the shell and the networking commands: a command
// reads argv and the world, and either finishes (text and status, as the real
// tool prints them) or asks the shell to run another command inside a
// namespace (`ip netns exec`, `nsenter`).
import { parseIpv6Address } from "../model/ipv6-address.js";
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
  /**
   * Files the command reads (`nft -f FILE`), as the shell read them from the
   * scenario's file system before the command ran: path as written to its
   * contents, or undefined when there is no such file.
   */
  readonly files?: ReadonlyMap<string, string | undefined>;
  /** The command line as written, for trace headers. */
  readonly commandText: string;
  /**
   * The shell started the command with `&`: a command that waits (ping, nc
   * -z, curl, tcpdump) returns its process instead of running it to exit.
   * Absent: foreground. (Listeners return a process either way: they never
   * exit on their own.)
   */
  readonly background?: boolean;
}

/** A piece of a program's output and the virtual time (µs) it was written at. */
export interface TimedOutput {
  readonly time: number;
  readonly stream: "stdout" | "stderr";
  readonly text: string;
}

/** What a process printed while it ran. */
export interface ProcessOutput {
  readonly stdout: string;
  readonly stderr: string;
  /** The same output piece by piece with the time each was written (absent: all of it at the clock's time when it was collected). */
  readonly timed?: readonly TimedOutput[];
}

/**
 * A program that keeps running on the world's virtual clock (a listener, a
 * background ping, tcpdump). The shell owns it as a job: `sleep` and later
 * commands move the clock on, the job's timers and sockets go on working in
 * between (they are engine events), and the shell collects its output with
 * runUntil.
 */
export interface CommandProcess {
  /** Runs the world's pending events up to `virtualTime` (µs; never backwards) and returns what the process printed since the last call. */
  runUntil(virtualTime: number): ProcessOutput;
  /** undefined while it runs; then its exit status (128 + signal number when a signal ended it). */
  readonly exitCode: number | undefined;
  /** A signal by name (TERM, INT, KILL, HUP; with or without SIG): the program stops at once; a listener closes its socket, so the next connect is refused. */
  kill(signal: string): void;
  /** The probe's trace (when tracing), complete once it has exited. */
  readonly trace?: Trace;
  /** For a connect probe, what its outcome is classified from, once it has exited (as CommandOutcome's `probe`). */
  readonly probe?: ProbeText;
}

/** A connect probe's text to classify: nc -v's, or curl's own. */
export type ProbeText = { readonly tool: "nc"; readonly protocol: "tcp" | "udp"; readonly verboseStderr: string } | { readonly tool: "curl" | "wget" | "socat" };

export type CommandOutcome =
  | {
      readonly kind: "done";
      readonly stdout: string;
      readonly stderr: string;
      readonly exitCode: number;
      readonly trace?: Trace;
      /** A connect probe (nc, curl...): what its outcome is classified from (nc: what it would have said with -v). */
      readonly probe?: ProbeText;
      /** A command that let virtual time pass (ping): its stdout piece by piece with the time each was written, so that what jobs wrote meanwhile goes between (the runner). */
      readonly timed?: readonly TimedOutput[];
    }
  | { readonly kind: "exec"; readonly namespace: NetworkNamespace; readonly argv: readonly string[] }
  | { readonly kind: "process"; readonly process: CommandProcess };

export { signalNumber } from "../model/signal.js";

export type NetworkCommand = (argv: readonly string[], environment: CommandEnvironment) => CommandOutcome;

/**
 * A command's parsers alone, on argv and no world (the scenario's check
 * before the run): throws the UnsupportedError the command would throw for
 * a form netsim does not model (or the tool's own CommandError, where the
 * check stops, as the tool would); returns the argv of the command it runs
 * in turn (`sudo CMD`, `ip netns exec NS CMD`), when it runs one.
 */
export type CommandCheck = (argv: readonly string[]) => readonly string[] | undefined;

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

/**
 * A probe to or from an IPv6 address (a literal, bracketed or not): refused
 * by name, as netsim carries IPv4 packets only (ip6tables' rules are held
 * and listed, never met by a packet).
 */
export function refuseIpv6Address(tool: string, text: string | undefined): void {
  if (text === undefined) return;
  const literal = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const address = literal.split("%")[0]!;
  if (address.includes(":") && parseIpv6Address(address) !== undefined) throw new UnsupportedError(text, `${tool} to or from an IPv6 address is not modelled (netsim carries IPv4 packets only)`);
}

export function failure(text: string, exitCode: number): CommandOutcome {
  return { kind: "done", stdout: "", stderr: text.endsWith("\n") ? text : `${text}\n`, exitCode };
}
