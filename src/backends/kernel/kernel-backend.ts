// The oracle: runs a scenario with the system's real bash, ip, iptables, ping
// and nc, inside a throwaway sandbox (new network, mount and PID namespaces,
// a private tmpfs on /run/netns), and reports it as the simulator does.
//
// Wrappers first in the sandbox's PATH record every networking command
// (those bash runs and those `ip netns exec` / `nsenter` exec); a BASH_ENV
// DEBUG trap tells them where each command stands. See sandbox-scripts.ts.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { ExpectationSyntaxError, parseExpectations, type Expectation } from "../../scenario/expectations.js";
import type { ScenarioRun } from "../../scenario/result.js";
import type { Backend, RunOptions } from "../backend.js";
import { checkKernelBackendAvailable, hostExecutables, optionalToolMissing } from "./availability.js";
import { matchExpectations, type FileExpectations } from "../../scenario/expectation-matching.js";
import { commandRecords, readRawRecords } from "./records.js";
import {
  devconfResetScript,
  initScript,
  snapshotScript,
  stateLayout,
  toolStub,
  traceScript,
  wrappedTools,
  wrapperScript,
  type SandboxConfig,
} from "./sandbox-scripts.js";
import { readSnapshots } from "./snapshots.js";

export { checkKernelBackendAvailable } from "./availability.js";

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
  for (const directory of [layout.bin, layout.records, layout.snapshots]) mkdirSync(directory, { recursive: true });
  writeFileSync(layout.init, initScript(config));
  writeFileSync(layout.trace, traceScript(config));
  writeFileSync(layout.wrapper, wrapperScript(config));
  writeFileSync(layout.snapshot, snapshotScript(config));
  writeFileSync(layout.devconfReset, devconfResetScript());
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
  const args = [
    // unshare dies with this process even if it is SIGKILLed, and takes the sandbox with it.
    "--pdeathsig", "KILL", "--",
    executables.unshare, "--net", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc", "--propagation", "private", "--",
    executables.bash, "-p", layout.init,
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
    // A malformed expectation fails before anything runs.
    const mainText = readFileSync(scenarioFile, "utf8");
    const mainExpectations = expectationsOf(scenarioFile, mainText);
    // The tools only some scenarios call (curl, python3, socat, tcpdump, wget): named with their package when missing.
    for (const match of mainText.matchAll(/(?:^|[\s;&|(])(curl|wget|python3|socat|tcpdump)\s/gm)) {
      const missing = optionalToolMissing(match[1]!);
      if (missing) throw new Error(`kernel backend unavailable: ${missing}`);
    }

    const stateDirectory = mkdtempSync(join(this.options.temporaryDirectory ?? tmpdir(), "netsim-kernel-"));
    const createRunNetns = !existsSync("/run/netns");
    // A tmpfs over /run would hide a state directory under it.
    if (createRunNetns && resolve(this.options.temporaryDirectory ?? tmpdir()).startsWith("/run/")) {
      throw new Error("kernel backend: the temporary directory cannot be under /run while the host has no /run/netns");
    }
    const config: SandboxConfig = {
      stateDirectory,
      scenarioFile,
      scenarioDirectory: dirname(scenarioFile),
      executables: hostExecutables(),
      snapshots: runOptions.snapshots ?? false,
      scriptTimeoutSeconds: this.options.scriptTimeoutSeconds ?? DEFAULT_SCRIPT_TIMEOUT_SECONDS,
      commandTimeoutSeconds: this.options.commandTimeoutSeconds ?? DEFAULT_COMMAND_TIMEOUT_SECONDS,
      createRunNetns,
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
