// From what the wrappers left in the state directory to CommandRecords.
// Each wrapper writes <id>.argv, .stack, .namespace, .kind, .stdout, .stderr
// (and .verbose-stderr when it added -v to nc) when it starts or runs, and
// .exit, .end when it ends; an enclosing wrapper gets <id>.has-children.
import { readdirSync, readFileSync } from "node:fs";
import { join, normalize } from "node:path";
import { classifyClient, classifyNc, classifyPing, socatConnects } from "../../scenario/probe-outcome.js";
import type { CommandRecord, ProbeResult, SourceLocation } from "../../scenario/result.js";

/** What the wrapper decided the command was. */
export type WrapperKind = "leaf" | "outer" | "ping" | "nc-listen" | "nc-connect-tcp" | "nc-connect-udp" | "server";

export interface RawRecord {
  /** EPOCHREALTIME in microseconds, then the wrapper's pid: unique, and ordered by start. */
  readonly id: string;
  readonly argv: readonly string[];
  /** "LINE FILE" per line, innermost first, as the tracer exported it. */
  readonly stack: string;
  /** The process's namespace ("" = the sandbox's root namespace). */
  readonly namespace: string;
  readonly kind: WrapperKind;
  readonly stdout: string;
  readonly stderr: string;
  /** What nc printed with the -v the wrapper added (the user's command had none). */
  readonly verboseStderr?: string;
  /** Absent while still running when the scenario ended. */
  readonly exitCode?: number;
  /** EPOCHREALTIME in microseconds at its end. */
  readonly endedAt?: bigint;
  /** A wrapped command ran inside it (ip netns exec, nsenter): not a leaf. */
  readonly hasChildren: boolean;
}

const WRAPPER_KINDS: readonly WrapperKind[] = ["leaf", "outer", "ping", "nc-listen", "nc-connect-tcp", "nc-connect-udp", "server"];

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Every record the wrappers wrote, unordered. */
export function readRawRecords(recordsDirectory: string): RawRecord[] {
  let names: string[];
  try {
    names = readdirSync(recordsDirectory);
  } catch {
    return [];
  }
  const ids = new Set(names.filter((name) => name.endsWith(".argv")).map((name) => name.slice(0, -".argv".length)));
  const hasChildren = new Set(names.filter((name) => name.endsWith(".has-children")).map((name) => name.slice(0, -".has-children".length)));
  return [...ids].map((id) => {
    const file = (suffix: string) => readOptional(join(recordsDirectory, `${id}.${suffix}`));
    const argv = (file("argv") ?? "").split("\0");
    argv.pop(); // after the last NUL
    const kindText = file("kind") ?? "leaf";
    const kind = (WRAPPER_KINDS as readonly string[]).includes(kindText) ? (kindText as WrapperKind) : "leaf";
    const exitText = file("exit");
    const endText = file("end");
    const verboseStderr = file("verbose-stderr");
    return {
      id,
      argv,
      stack: file("stack") ?? "",
      namespace: file("namespace") ?? "",
      kind,
      stdout: file("stdout") ?? "",
      stderr: file("stderr") ?? "",
      ...(verboseStderr === undefined ? {} : { verboseStderr }),
      ...(exitText === undefined || exitText === "" ? {} : { exitCode: Number(exitText) }),
      ...(endText === undefined || endText === "" ? {} : { endedAt: BigInt(endText) }),
      hasChildren: hasChildren.has(id),
    };
  });
}

function startedAt(record: RawRecord): bigint {
  return BigInt(record.id.split("-")[0] ?? "0");
}

/**
 * Execution order is the order commands ended in: a background listener
 * takes its place when it ends. Ones still running when the scenario ended
 * come last, in the order they started.
 */
export function orderRecords(records: readonly RawRecord[]): RawRecord[] {
  const compare = (left: bigint, right: bigint) => (left < right ? -1 : left > right ? 1 : 0);
  const finished = records.filter((record) => record.endedAt !== undefined);
  const unfinished = records.filter((record) => record.endedAt === undefined);
  finished.sort((left, right) => compare(left.endedAt ?? 0n, right.endedAt ?? 0n) || compare(startedAt(left), startedAt(right)));
  unfinished.sort((left, right) => compare(startedAt(left), startedAt(right)));
  return [...finished, ...unfinished];
}

/** The tracer's stack text as locations, innermost first. */
export function parseStack(stack: string): SourceLocation[] {
  return stack
    .split("\n")
    .map((frame) => /^(\d+) (.+)$/.exec(frame))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ file: normalize(match[2] ?? ""), line: Number(match[1]) }));
}

// ip's global options that take a value (ip/ip.c), besides -n itself.
const IP_OPTIONS_WITH_VALUE = new Set(["-f", "-family", "-l", "-loops", "-rc", "-rcvbuf", "-b", "-batch"]);
const IP_NETNS_OPTIONS = new Set(["-n", "-netns"]);

/** The namespace named by `ip -n NS ...`, which acts there though the process stays put. */
export function ipNetnsOption(argv: readonly string[]): string | undefined {
  for (let index = 1; index < argv.length; index++) {
    const word = argv[index] ?? "";
    if (!word.startsWith("-")) return undefined;
    const option = word.startsWith("--") ? word.slice(1) : word;
    if (IP_NETNS_OPTIONS.has(option)) return argv[index + 1];
    if (IP_OPTIONS_WITH_VALUE.has(option)) index++;
  }
  return undefined;
}

function probeOf(record: RawRecord, exitCode: number): ProbeResult | undefined {
  switch (record.kind) {
    case "ping":
      return classifyPing(exitCode, record.stdout);
    case "nc-connect-tcp":
      return classifyNc(exitCode, record.verboseStderr ?? record.stderr, "tcp", record.stderr);
    case "nc-connect-udp":
      return classifyNc(exitCode, record.stderr, "udp", record.stderr);
    default: {
      // curl, wget and `socat - TCP:...` run as leaves; they are probes by name.
      const tool = record.argv[0];
      if (tool === "curl" || tool === "wget" || (tool === "socat" && socatConnects(record.argv))) return classifyClient(tool, exitCode, record.stderr);
      return undefined;
    }
  }
}

/** The status of a command the scenario's end cut off. */
function unfinishedExitCode(record: RawRecord): number {
  // A listener still listening did what it was asked; anything else ran out of time.
  return record.kind === "nc-listen" || record.kind === "server" ? 0 : 124;
}

/**
 * A leaf's record: wrappers that ran another wrapped command (ip netns exec
 * NS CMD, nsenter ... CMD) give way to the command inside; one that ran none
 * (`ip netns exec nosuch ping`, `ip netns exec NS bash -c 'echo'`) keeps its own.
 */
export function toCommandRecord(record: RawRecord): CommandRecord | undefined {
  if (record.hasChildren) return undefined;
  const [location, ...callers] = parseStack(record.stack);
  const exitCode = record.exitCode ?? unfinishedExitCode(record);
  const probe = probeOf(record, exitCode);
  const namespace = (record.argv[0] === "ip" ? ipNetnsOption(record.argv) : undefined) ?? record.namespace;
  return {
    location: location ?? { file: "", line: 0 },
    callers,
    namespace,
    argv: record.argv,
    exitCode,
    stdout: record.stdout,
    stderr: record.stderr,
    ...(probe ? { probe } : {}),
  };
}

/** The CommandRecords in execution order, each paired with the raw record it came from. */
export function commandRecords(raw: readonly RawRecord[]): { record: CommandRecord; id: string }[] {
  return orderRecords(raw).flatMap((rawRecord) => {
    const record = toCommandRecord(rawRecord);
    return record ? [{ record, id: rawRecord.id }] : [];
  });
}
