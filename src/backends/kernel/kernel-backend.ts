// The oracle: runs a scenario with the system's real bash, ip, iptables, ping
// and nc, inside a throwaway sandbox, and reports it as the simulator does.
// The sandbox: new PID, mount and network namespaces, the scenario as root of
// a user namespace of its own (real root only where user namespaces are
// forbidden), the host's file system read-only with private tmpfs mounts on
// /tmp, /run, /var/tmp, /dev/shm and /run/netns, and a copy of the scenario's
// folder as its working directory. See setupScript in sandbox-scripts.ts.
//
// Wrappers first in the sandbox's PATH record every networking command
// (those bash runs and those `ip netns exec` / `nsenter` exec); a BASH_ENV
// DEBUG trap tells them where each command stands. See sandbox-scripts.ts.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { ExpectationSyntaxError, parseExpectations, type Expectation } from "../../scenario/expectations.js";
import type { ScenarioRun } from "../../scenario/result.js";
import type { Backend, RunOptions } from "../backend.js";
import { checkKernelBackendAvailable, hostExecutables, OPTIONAL_TOOL_WORD, optionalToolMissing } from "./availability.js";
import { matchExpectations, type FileExpectations } from "../../scenario/expectation-matching.js";
import { commandRecords, readRawRecords } from "./records.js";
import {
  devconfResetScript,
  tcpdumpCaptureScript,
  initScript,
  setupScript,
  snapshotScript,
  stateLayout,
  toolStub,
  traceScript,
  wrappedTools,
  wrapperScript,
  type SandboxConfig,
  type SandboxIdentity,
} from "./sandbox-scripts.js";
import { readSnapshots } from "./snapshots.js";

export { checkKernelBackendAvailable } from "./availability.js";

/** What the CLI says when the kernel side runs as real root (no user namespaces here). */
export function rootFallbackNotice(reason: string): string {
  return `no user namespaces here (${reason}): the kernel side runs as real root, as before; the host's files are mounted read-only for it, but real root could undo that`;
}

export interface KernelBackendOptions {
  /** The whole scenario's time limit; past it the script is killed and exits 124. */
  readonly scriptTimeoutSeconds?: number;
  /** Each probe's (ping, nc connect) and conntrack's time limit; a listener has none. */
  readonly commandTimeoutSeconds?: number;
  /** Where the run's state directory is made (default: the OS temporary directory). */
  readonly temporaryDirectory?: string;
}

const DEFAULT_SCRIPT_TIMEOUT_SECONDS = 300;
const DEFAULT_COMMAND_TIMEOUT_SECONDS = 30;
// Beyond the script's own limit: the final snapshot and teardown.
const SANDBOX_GRACE_SECONDS = 60;

// Sandboxes alive in this process, with their clean-up: killed and cleaned
// if the process is interrupted.
const liveSandboxes = new Map<ChildProcess, () => void>();
const TERMINATING_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function killLiveSandboxes(): void {
  // SIGKILL to unshare; its --kill-child takes the sandbox's PID 1, and with
  // it every process, namespace and mount inside.
  for (const sandbox of liveSandboxes.keys()) sandbox.kill("SIGKILL");
}

function onTerminatingSignal(signal: NodeJS.Signals): void {
  killLiveSandboxes();
  // No finally block runs after this: remove the state directories now.
  for (const cleanUp of liveSandboxes.values()) cleanUp();
  unwatchSignals();
  // Then whatever the process would have done without us.
  process.kill(process.pid, signal);
}

function watchSignals(): void {
  if (liveSandboxes.size !== 1) return;
  for (const signal of TERMINATING_SIGNALS) process.on(signal, onTerminatingSignal);
  process.on("exit", killLiveSandboxes);
}

function unwatchSignals(): void {
  for (const signal of TERMINATING_SIGNALS) process.off(signal, onTerminatingSignal);
  process.off("exit", killLiveSandboxes);
}

function writeSandboxFiles(config: SandboxConfig): void {
  const layout = stateLayout(config.stateDirectory);
  const writable = [layout.records, layout.snapshots, layout.results];
  for (const directory of [layout.bin, layout.root, layout.overlay, ...writable]) mkdirSync(directory, { recursive: true });
  if (config.identity.kind === "user-namespace-as") {
    // The scenario's side runs as an unprivileged uid: it must reach the scripts and write its results.
    chmodSync(config.stateDirectory, 0o711);
    for (const directory of writable) chownSync(directory, config.identity.uid, config.identity.gid);
  }
  writeFileSync(layout.setup, setupScript(config));
  writeFileSync(layout.init, initScript(config));
  writeFileSync(layout.trace, traceScript(config));
  writeFileSync(layout.wrapper, wrapperScript(config));
  writeFileSync(layout.snapshot, snapshotScript(config));
  writeFileSync(layout.devconfReset, devconfResetScript());
  writeFileSync(layout.tcpdumpCapture, tcpdumpCaptureScript(config));
  for (const [tool, realCommand] of wrappedTools(config.executables)) {
    const stub = join(layout.bin, tool);
    writeFileSync(stub, toolStub(config, tool, realCommand));
    chmodSync(stub, 0o755);
  }
}

interface SandboxExit {
  readonly diagnostics: string;
  readonly killedAfterSeconds?: number;
}

function runSandbox(config: SandboxConfig, cleanUp: () => void): Promise<SandboxExit> {
  const executables = hostExecutables();
  const layout = stateLayout(config.stateDirectory);
  // Not root: the set-up's mounts need a user namespace of their own (the scenario gets another inside it).
  const setupUser = config.identity.kind === "user-namespace" ? ["--user", "--map-root-user"] : [];
  const args = [
    // unshare dies with this process even if it is SIGKILLed, and takes the sandbox with it.
    "--pdeathsig", "KILL", "--",
    executables.unshare, ...setupUser, "--mount", "--pid", "--fork", "--kill-child", "--mount-proc", "--propagation", "private", "--",
    executables.bash, "-p", layout.setup,
  ];
  return new Promise((resolvePromise, reject) => {
    const sandbox = spawn(executables.setpriv, args, { stdio: ["ignore", "pipe", "pipe"] });
    liveSandboxes.set(sandbox, cleanUp);
    watchSignals();
    let diagnostics = "";
    sandbox.stdout.on("data", (chunk: Buffer) => (diagnostics += chunk.toString()));
    sandbox.stderr.on("data", (chunk: Buffer) => (diagnostics += chunk.toString()));
    const limitSeconds = config.scriptTimeoutSeconds + SANDBOX_GRACE_SECONDS;
    let killed = false;
    const backstop = setTimeout(() => {
      killed = true;
      sandbox.kill("SIGKILL");
    }, limitSeconds * 1000);
    const release = () => {
      clearTimeout(backstop);
      liveSandboxes.delete(sandbox);
      if (liveSandboxes.size === 0) unwatchSignals();
    };
    sandbox.on("error", (error) => {
      release();
      reject(error);
    });
    sandbox.on("close", () => {
      release();
      resolvePromise(killed ? { diagnostics, killedAfterSeconds: limitSeconds } : { diagnostics });
    });
  });
}

function expectationsOf(file: string, text: string): Map<number, Expectation> {
  try {
    return parseExpectations(text);
  } catch (error) {
    if (error instanceof ExpectationSyntaxError) throw new Error(`${file}:${error.line}: ${error.message}`);
    throw error;
  }
}

function canSearch(path: string, uid: number, gid: number): boolean {
  const { mode, uid: owner, gid: group } = statSync(path);
  if (owner === uid) return (mode & 0o100) !== 0;
  if (group === gid) return (mode & 0o010) !== 0;
  return (mode & 0o001) !== 0;
}

// The sandbox gives these fresh tmpfs mounts: whatever the host has there is not on the way.
const PRIVATE_DIRECTORIES = ["/tmp", "/var/tmp", "/dev/shm", "/run", "/var/run"];

/**
 * For each path, the topmost directory on the way to it (itself excluded)
 * that the sandbox's uid cannot search, if any: the set-up covers it with an
 * empty tmpfs holding only the way down (/root when root runs a scenario
 * from /root).
 */
function skeletonDirectories(identity: SandboxIdentity, paths: readonly string[]): string[] {
  if (identity.kind !== "user-namespace-as") return [];
  const found = new Set<string>();
  for (const path of paths) {
    const parts = path.split("/").filter((part) => part !== "");
    for (let depth = 1; depth < parts.length; depth++) {
      const directory = `/${parts.slice(0, depth).join("/")}`;
      if (PRIVATE_DIRECTORIES.some((private_) => directory === private_ || directory.startsWith(`${private_}/`))) break;
      if (!canSearch(directory, identity.uid, identity.gid)) {
        found.add(directory);
        break;
      }
    }
  }
  // An outer one covers an inner one.
  return [...found].filter((directory) => ![...found].some((other) => other !== directory && directory.startsWith(`${other}/`)));
}

// Started as root, the scenario owns a copy of each of its folder's files up to this size.
const OWNED_FILE_LIMIT_BYTES = 1 << 20;
const OWNED_FILES_LIMIT = 1000;

function filesToOwn(identity: SandboxIdentity, directory: string): string[] {
  if (identity.kind !== "user-namespace-as") return [];
  return readdirSync(directory)
    .filter((name) => {
      try {
        const stat = lstatSync(join(directory, name));
        return stat.isFile() && stat.size <= OWNED_FILE_LIMIT_BYTES;
      } catch {
        return false;
      }
    })
    .sort()
    .slice(0, OWNED_FILES_LIMIT);
}

/** The main file first, then every file the tracer saw run (sourced files, child scripts). */
function filesThatRan(mainFile: string, sourcesLog: string): string[] {
  const logged = existsSync(sourcesLog) ? readFileSync(sourcesLog, "utf8").split("\n").filter((line) => line !== "") : [];
  return [...new Set([mainFile, ...logged.map((file) => resolve(file))])].filter((file) => existsSync(file));
}

export class KernelBackend implements Backend {
  readonly name = "kernel" as const;

  constructor(private readonly options: KernelBackendOptions = {}) {}

  async run(file: string, runOptions: RunOptions = {}): Promise<ScenarioRun> {
    const availability = checkKernelBackendAvailable();
    if (!availability.ok) throw new Error(`kernel backend unavailable: ${availability.reason}`);
    const scenarioFile = resolve(file);
    const scenarioDirectory = dirname(scenarioFile);
    if (scenarioDirectory === "/") throw new Error(`kernel backend: ${scenarioFile}: a scenario in / cannot have a copy of its folder; move it into a folder`);
    // A malformed expectation fails before anything runs.
    const mainText = readFileSync(scenarioFile, "utf8");
    const mainExpectations = expectationsOf(scenarioFile, mainText);
    // The tools only some scenarios call: named with their package when missing.
    for (const match of mainText.matchAll(OPTIONAL_TOOL_WORD)) {
      const missing = optionalToolMissing(match[1]!);
      if (missing) throw new Error(`kernel backend unavailable: ${missing}`);
    }

    const stateDirectory = mkdtempSync(join(resolve(this.options.temporaryDirectory ?? tmpdir()), "netsim-kernel-"));
    const identity = availability.identity;
    const config: SandboxConfig = {
      stateDirectory,
      scenarioFile,
      scenarioDirectory,
      executables: hostExecutables(),
      snapshots: runOptions.snapshots ?? false,
      scriptTimeoutSeconds: this.options.scriptTimeoutSeconds ?? DEFAULT_SCRIPT_TIMEOUT_SECONDS,
      commandTimeoutSeconds: this.options.commandTimeoutSeconds ?? DEFAULT_COMMAND_TIMEOUT_SECONDS,
      identity,
      skeletonDirectories: skeletonDirectories(identity, [scenarioDirectory, stateDirectory]),
      filesToOwn: filesToOwn(identity, scenarioDirectory),
    };
    const cleanUp = () => {
      rmSync(stateDirectory, { recursive: true, force: true });
    };
    try {
      writeSandboxFiles(config);
      const exit = await runSandbox(config, cleanUp);
      const layout = stateLayout(stateDirectory);
      if (exit.killedAfterSeconds !== undefined) {
        throw new Error(`kernel backend: sandbox killed after ${exit.killedAfterSeconds} s running ${scenarioFile}`);
      }
      if (!existsSync(layout.exitStatus)) {
        throw new Error(`kernel backend: the sandbox failed before the scenario ran: ${exit.diagnostics.trim()}`);
      }
      const ordered = commandRecords(readRawRecords(layout.records));
      const commands = ordered.map(({ record }) => record);
      const files: FileExpectations[] = filesThatRan(scenarioFile, layout.sources).map((ranFile) => ({
        file: ranFile,
        expectations: ranFile === scenarioFile ? mainExpectations : expectationsOf(ranFile, readFileSync(ranFile, "utf8")),
      }));
      const snapshots = config.snapshots ? readSnapshots(layout.snapshots, ordered) : undefined;
      return {
        file: scenarioFile,
        backend: "kernel",
        commands,
        expectations: matchExpectations(files, commands),
        output: readFileSync(layout.output, "utf8"),
        exitCode: Number(readFileSync(layout.exitStatus, "utf8").trim()),
        ...(snapshots ? { snapshots } : {}),
      };
    } finally {
      cleanUp();
    }
  }
}
