// Runs a scenario in the simulator: the script goes to an embedded bash
// interpreter (just-bash) whose networking commands are netsim's own, all
// acting on one World. Everything behind the shell is deterministic: the
// same file gives the same output, records and traces, byte for byte.
import { readdirSync, readFileSync, realpathSync, statSync, type Dirent } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { defineCommand, getCommandNames, parse, type Bash, type Command } from "just-bash";
import type { CommandEnvironment, CommandProcess, NetworkCommand, TimedOutput } from "../commands/command.js";
import { NETWORK_COMMANDS, OPERAND_FILES, UNMODELLED_TOOLS, unmodelledTool } from "../commands/registry.js";
import { normaliseSysctlKey, sysctl } from "../commands/sysctl.js";
import { UnsupportedError } from "../commands/command.js";
import type { NetworkNamespace } from "../model/netns.js";
import type { Trace } from "../model/trace.js";
import { ROOT_NAMESPACE_ID, type World } from "../model/world.js";
import { SYS_CLASS_NET, advanceClock, createWorld, sysfsRead, sysfsTarget, sysfsWrite } from "../net/index.js";
import { formatTrace } from "../render/trace.js";
import { shellVariableCommands } from "./variables.js";
import { identityCommands, ROOT_PROCESS } from "./identity.js";
import { invokeCommand, probeResult, type Invocation } from "./invoke.js";
import type { ProcSysHooks } from "./proc-sys-fs.js";
import { BASH_BUILTINS, MISSING_BUILTINS, refusedOptions, scanScript } from "./static-check.js";
import { matchExpectations } from "./expectation-matching.js";
import { ExpectationSyntaxError, parseExpectations, type Expectation } from "./expectations.js";
import type { CommandRecord, ExpectationResult, ScenarioRun, SourceLocation } from "./result.js";
import { createShell } from "./shell.js";
import { finishTraps, TrapTable } from "./trap.js";
import { COMPOUND_JOB_MESSAGE, JOB_OUTPUT_LATENCY, JobTable, type Job } from "./jobs.js";
import { BACKGROUND_VARIABLE, JOB_PID_COMMAND, STDERR_VARIABLE, STDOUT_VARIABLE, WAIT_COMMAND } from "./shell-names.js";
import { BACKGROUND_COMPOUND, BACKGROUND_ERRORS, BACKGROUND_QUIET, BACKGROUND_TEXT, decoded, JOB_SCRIPT_COMMAND, TRANSFORMED_MARK } from "./transform.js";
import { LOCATION_VARIABLE, PROC_SYS_READ_COMMAND, PROC_SYS_WRITE_COMMAND, ScenarioTransformPlugin, transformScript, userOutput } from "./transform.js";

/** The variable naming the namespace a command runs in (set by `ip netns exec` and `nsenter`). */
const NAMESPACE_VARIABLE = "__NETSIM_NETNS";

/** Input the simulator could not take: a syntax error, an unmodelled command or option, a bad expectation. */
export interface ScenarioProblem {
  readonly location?: SourceLocation;
  readonly word: string;
  readonly message: string;
}

/** A piece of what the scenario printed, and the stream it went to. */
export interface OutputChunk {
  readonly stream: "stdout" | "stderr";
  readonly text: string;
}

export interface SimulatedRun extends ScenarioRun {
  /** What the scenario printed, in order, chunk by chunk on its stream (`output` is their text joined). Absent for the kernel backend. */
  readonly streams?: readonly OutputChunk[];
  readonly traces: readonly Trace[];
  readonly world: World;
  readonly problems: readonly ScenarioProblem[];
}

export interface SimulatorOptions {
  /** Record a trace for every probe (the untraced path records nothing). */
  readonly tracing?: boolean;
  /** Also print each probe's trace right after its output (implies tracing). */
  readonly printTraces?: boolean;
  /** Files to use instead of the disk, by absolute path (tests, generated scenarios). */
  readonly files?: Readonly<Record<string, string>>;
  /** Start from this world instead of an empty one (it is changed in place). */
  readonly world?: World;
  /**
   * Called after each networking command (and each `echo V > /proc/sys/...` or
   * `cat /proc/sys/...`, given as a record that is not kept in the run) with the
   * world as that command left it, and the probe's trace if it sent one. The
   * world is live: snapshot it with cloneWorld() to keep it.
   */
  readonly onCommand?: (record: CommandRecord, world: World, trace?: Trace) => void;
  /** Called before each networking command runs, so a caller can keep the state between lines (`netsim diagram`). */
  readonly beforeCommand?: (boundary: CommandBoundary) => void;
}

/** The moment before a networking command runs. */
export interface CommandBoundary {
  /** Where the command stands, innermost first: the last entry is its line in the main file. */
  readonly stack: readonly SourceLocation[];
  /** The world as it stands (live: clone it to keep it). */
  readonly world: World;
  /** The commands that ran before it. */
  readonly commands: readonly CommandRecord[];
}

/** A file of the run's table: its text is read, and its name for reports made, only when needed. */
class LoadedFile {
  private shown: string | undefined;

  constructor(
    readonly path: string,
    /** The text, or undefined when unreadable. */
    readonly text: () => string | undefined,
  ) {}

  get display(): string {
    return (this.shown ??= displayPath(this.path));
  }
}

/** Where a command stands: innermost first, and the same without the innermost (the record's callers). */
interface LocationStack {
  readonly stack: readonly SourceLocation[];
  readonly callers: readonly SourceLocation[];
}

const NO_LOCATION: LocationStack = { stack: [], callers: [] };

/**
 * The budgets that end an endless loop with an error naming its line
 * (README, "Limits"): virtual time (a loop of `sleep`), networking commands,
 * and the embedded shell's own count of commands and loop iterations (a loop
 * of builtins alone: just-bash counts every simple command, builtins and
 * netsim's loop marks included, and stops at its executionLimits; the line is
 * the loop's mark, shell-names.ts). Half a million commands take the
 * embedded shell about 10 s; the largest setup, the scale bench's 10,000
 * containers, runs 90,000 networking commands and about 110,000 in all.
 */
export const VIRTUAL_TIME_BUDGET_SECONDS = 24 * 3600;
export const NETWORK_COMMAND_BUDGET = 200_000;
export const SHELL_COMMAND_BUDGET = 500_000;

/** What just-bash says when its executionLimits end a run (maxCommandCount, maxLoopIterations). */
const SHELL_LIMIT = /^(?:bash: )?(?:too many commands executed \(>\d+\), increase executionLimits\.maxCommandCount|(?:for|while|until) loop: too many iterations \(\d+\), increase executionLimits\.maxLoopIterations)\n/gm;

/** How many of the last loop marks say which loop is endless (the one of them marked least often: the outermost still iterating). */
const LOOP_WINDOW = 1024;

/** Files over this size are left out of the shell's file system, as a scenario never needs one. */
const LARGEST_FILE = 1_000_000;

/** Why the main file could not be read, as the shell would say it. */
function unreadable(path: string): string {
  try {
    const status = statSync(path);
    if (status.isDirectory()) return "is a directory";
    if (status.size >= LARGEST_FILE) return `larger than 1 MB (${status.size} bytes): the embedded shell's parser takes at most ${LARGEST_FILE} bytes; split it into files it sources`;
    return "not a regular file netsim can read";
  } catch {
    return "No such file or directory";
  }
}

/** The first line ending in \r, and how many more do. */
function windowsLineEnding(text: string): { readonly line: number; readonly more: number } | undefined {
  const first = text.indexOf("\r\n");
  if (first < 0) return undefined;
  let line = 1;
  for (let index = text.indexOf("\n"); index >= 0 && index < first; index = text.indexOf("\n", index + 1)) line++;
  const more = (text.match(/\r\n/g)?.length ?? 1) - 1;
  return { line, more };
}

/** A file's text when it is a readable file under LARGEST_FILE; reading it happens at most once. */
function diskFile(path: string): (() => string | undefined) | undefined {
  try {
    if (statSync(path).size >= LARGEST_FILE) return undefined;
  } catch {
    // unreadable: the shell reports it if the scenario reaches for it
    return undefined;
  }
  let text: string | undefined;
  let read = false;
  return () => {
    if (!read) {
      read = true;
      try {
        text = readFileSync(path, "utf8");
      } catch {
        text = undefined;
      }
    }
    return text;
  };
}

/** True when `path` is `root` or inside it (both real paths). */
function inside(root: string, path: string): boolean {
  const relation = relative(root, path);
  return relation === "" || (!relation.startsWith("..") && !isAbsolute(relation));
}

/**
 * The scenario's tree: what of the host a scenario can see (README, "What a
 * scenario can see"). A scenario is untrusted input, so the tree is small and
 * closed: the files directly in the scenario's folder, the .sh files up to
 * three folders below it, and those below its parent when that parent is inside the working
 * directory (sibling stages share preludes: `. ../walkthrough/lib/uplink.sh`).
 * A symbolic link is taken only when its target stays inside the tree's root
 * (no link out to /etc/passwd); only regular files under LARGEST_FILE are
 * listed, and each is read only when the scenario reads it. No other host
 * path exists in the shell's file system.
 */
function listFiles(mainPath: string): Map<string, () => string | undefined> {
  const files = new Map<string, () => string | undefined>();
  const directory = dirname(mainPath);
  const parent = dirname(directory);
  const realOf = (path: string): string | undefined => {
    try {
      return realpathSync(path);
    } catch {
      return undefined;
    }
  };
  const workingDirectory = realOf(process.cwd());
  const realParent = realOf(parent);
  // The working directory "/" would make every folder "inside" it: then no parent is shared.
  const shareParent = parent !== directory && realParent !== undefined && workingDirectory !== undefined && workingDirectory !== "/" && inside(workingDirectory, realParent);
  const root = shareParent ? realParent! : realOf(directory);
  if (root === undefined) return files;
  // The parent's walk passes through the scenario's own folder again: each folder is read, and each file sized, once.
  const listings = new Map<string, Dirent[] | undefined>();
  const sized = new Set<string>();
  const addFile = (path: string) => {
    if (sized.has(path)) return;
    sized.add(path);
    const reader = diskFile(path);
    if (reader) files.set(path, reader);
  };
  const walk = (folder: string, depth: number, shellOnly: boolean) => {
    let entries = listings.get(folder);
    if (!listings.has(folder)) {
      try {
        entries = readdirSync(folder, { withFileTypes: true });
      } catch {
        entries = undefined;
      }
      listings.set(folder, entries);
    }
    if (!entries) return;
    for (const entry of entries) {
      const name = entry.name;
      if (name === "node_modules" || name.startsWith(".")) continue;
      const path = join(folder, name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = realOf(path);
        if (target === undefined || !inside(root, target)) continue;
        try {
          const status = statSync(target);
          isDirectory = status.isDirectory();
          isFile = status.isFile();
        } catch {
          continue;
        }
      }
      if (isDirectory) {
        if (depth > 0) walk(path, depth - 1, shellOnly);
      } else if (isFile && (!shellOnly || name.endsWith(".sh"))) addFile(path);
    }
  };
  // Its own tree, data and preludes alike (`iptables-restore < rules/v4`, `. ./lib/netns0.sh`), wherever the folder is.
  walk(directory, 2, false);
  if (shareParent) walk(parent, 2, true);
  addFile(mainPath);
  return files;
}

/** Scenario files sit beside the preludes they source: the scenario's folder, and .sh files under its parent (read now). */
export function collectFiles(mainPath: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const [path, read] of listFiles(mainPath)) {
    const text = read();
    if (text !== undefined) files.set(path, text);
  }
  return files;
}

/** A path as the user would name it: relative to the working folder when inside it. */
export function displayPath(path: string): string {
  const relativePath = relative(process.cwd(), path);
  return relativePath === "" || relativePath.startsWith("..") ? path : relativePath;
}

/** A bash builtin the embedded shell lacks: refused by name, never run as "command not found". */
function missingBuiltin(name: string): NetworkCommand {
  return () => {
    throw new UnsupportedError(name, `the embedded shell has no ${name} builtin`);
  };
}

/** A job's command as `jobs` shows it: as written (the transform's BACKGROUND_TEXT), else its words. */
function jobDisplay(env: ReadonlyMap<string, string>, words: string): string {
  const text = env.get(BACKGROUND_TEXT);
  return text === undefined ? words : decoded(text);
}

/** The first file's name, for a message with no location. */
function main(table: readonly LoadedFile[]): string {
  return table[0]?.display ?? "?";
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

export class ScenarioSimulator {
  private readonly world: World;
  private readonly tracing: boolean;
  private readonly fileTable: LoadedFile[] = [];
  private readonly records: CommandRecord[] = [];
  private readonly traces: Trace[] = [];
  /** The shell's jobs: `cmd &`, listeners, on the virtual clock (jobs.ts). */
  private readonly jobs: JobTable;
  /** What the scenario printed, in order, each chunk on its stream (the shell's sinks: transform.ts). */
  private readonly journal: OutputChunk[] = [];
  /** The shell's file system, where a job's redirected output is appended. */
  private jobFiles: { appendFile(path: string, text: string): Promise<void> } | undefined;
  /** The stdout of the foreground command that last ran while jobs ran, with the time of each piece, until it is printed (print). */
  private interleave: { readonly text: string; readonly timed: readonly TimedOutput[] } | undefined;
  /** The command line of a job started through `ip netns exec NS CMD &` (what `jobs` shows), while CMD starts. */
  private jobText: string | undefined;
  private readonly problems: ScenarioProblem[] = [];
  /** The transform plugin of the run: the functions the scripts define, which a job that is a shell of its own is given. */
  private plugin: ScenarioTransformPlugin | undefined;
  /** The run's shell (a job that is a shell of its own runs on it). */
  private bash: Bash | undefined;
  private aborted = false;
  /** Ends the run at the next statement when a budget is spent. */
  private readonly stop = new AbortController();
  private networkCommands = 0;
  /** The last LOOP_WINDOW loop marks (a ring), how many came in all, and when each mark first came. */
  private readonly loopMarks: string[] = [];
  private loopMarkCount = 0;
  private readonly firstLoopMark = new Map<string, number>();
  /** Commands run inside another (`ip netns exec NS CMD`), innermost last: where a file-system write under /proc/sys stands. */
  private readonly nested: Array<{ readonly namespace: NetworkNamespace; readonly location: SourceLocation }> = [];
  /** The main file's index in fileTable, once it parsed. */
  private mainIndex: number | undefined;
  /** Location stacks by the text that carries them, parsed once each (a loop repeats the same few). */
  private readonly stacks = new Map<string, LocationStack>();
  /** Indices of the files some location stack named: the only files whose expectations can apply. */
  private readonly filesNamed = new Set<number>();

  constructor(private readonly options: SimulatorOptions = {}) {
    this.world = options.world ?? createWorld();
    this.jobs = new JobTable(this.world);
    this.tracing = (options.tracing ?? false) || (options.printTraces ?? false);
  }

  async run(file: string): Promise<SimulatedRun> {
    const mainPath = resolve(file);
    const given = this.options.files;
    const sources: Map<string, () => string | undefined> = given ? new Map(Object.entries(given).map(([path, text]) => [resolve(path), () => text])) : listFiles(mainPath);
    const mainText = sources.get(mainPath)?.();
    if (mainText === undefined) {
      const message = `${file}: ${given ? "No such file or directory" : unreadable(mainPath)}`;
      this.problems.push({ word: file, message });
      return this.result(file, 2);
    }
    const mainName = displayPath(mainPath);
    if (mainText.length > LARGEST_FILE) {
      const message = `${mainName}: larger than 1 MB (${mainText.length} bytes): the embedded shell's parser takes at most ${LARGEST_FILE} bytes; split it into files it sources`;
      this.problems.push({ word: file, message });
      this.print("stderr", `${message}\n`);
      return this.result(mainName, 2);
    }
    const carriageReturn = windowsLineEnding(mainText);
    if (carriageReturn !== undefined) {
      const message = `${mainName}:${carriageReturn.line}: line ${carriageReturn.line} ends in \\r (a Windows line ending)${carriageReturn.more > 0 ? `, as ${carriageReturn.more === 1 ? "does 1 more line" : `do ${carriageReturn.more} more lines`}` : ""}: bash would take the \\r as part of the line's last word; convert the file (dos2unix, or sed -i 's/\\r$//')`;
      this.problems.push({ location: { file: mainName, line: carriageReturn.line }, word: "\\r", message });
      this.print("stderr", `${message}\n`);
      return this.result(mainName, 2);
    }
    // The shell finds every file at its real path. Shell files are transformed
    // under their own index when the shell first reads them (a parse error
    // leaves a sourced file as written, for the shell to report); the main
    // file now, as its parse error is the run's.
    const files: Record<string, string | (() => string)> = {};
    /** The shell files, by path: their index in fileTable. */
    const scripts = new Map<string, number>();
    let mainIndex = 0;
    for (const [path, read] of sources) {
      const index = this.fileTable.push(new LoadedFile(path, read)) - 1;
      if (path === mainPath) {
        mainIndex = index;
        files[path] = "";
      } else if (!path.endsWith(".sh")) {
        files[path] = () => read() ?? "";
      } else {
        // The file as written: cat shows it so; the shell's source reads it rewritten (the scripts hook below).
        files[path] = () => read() ?? "";
        scripts.set(path, index);
      }
    }
    const main = this.fileTable[mainIndex]!;
    // The main file is the interpreter's own parse of the text as written, located by the plugin; its file holds that text.
    const plugin = new ScenarioTransformPlugin();
    this.plugin = plugin;
    let mainAst: object;
    try {
      mainAst = plugin.prepare(mainText, mainIndex);
    } catch (error) {
      const parseError = error as { line?: number; message: string };
      const detail = parseError.message.replace(/^Parse error at \d+:\d+: /, "");
      // just-bash's parser takes at most 100,000 tokens and 10,000 commands in one list a file: said as limits, not as syntax errors.
      const limit = /^Too many tokens/.test(detail) ? "more than 100,000 words and operators" : /^Parser stuck: too many iterations/.test(detail) ? "more than 10,000 commands in one list" : undefined;
      const message = limit
        ? `${main.display}: ${limit}: the most the embedded shell's parser takes in one file; split it into files it sources`
        : `${main.display}:${parseError.line ?? 0}: ${detail}`;
      this.problems.push({ location: { file: main.display, line: parseError.line ?? 0 }, word: "", message });
      this.print("stderr", `${message}\n`);
      return this.result(main.display, 2);
    }
    files[mainPath] = mainText;
    this.mainIndex = mainIndex;
    this.checkCommands(mainAst, main);
    const traps = new TrapTable({ onUnsupported: (word, detail, env) => this.refuse(word, detail, env.get(LOCATION_VARIABLE)) });
    const bash = createShell({
      files,
      cwd: dirname(mainPath),
      customCommands: [...this.commands(), ...identityCommands(), ...traps.commands(), ...shellVariableCommands({ clock: () => this.world.clock, onUnsupported: (word, detail, env) => this.refuse(word, detail, env.get(LOCATION_VARIABLE)) })],
      processInfo: ROOT_PROCESS,
      procSys: {
        ...this.procSysHooks(),
        // Shell files are transformed under their own index when the shell reads them as text (source, bash FILE); a parse error leaves a file as written, for the shell to report.
        script: (path, text) => {
          const index = scripts.get(path);
          if (index === undefined) return undefined;
          try {
            return transformScript(text, { fileIndex: index });
          } catch {
            return undefined;
          }
        },
      },
      sleep: async (milliseconds) => advanceClock(this.world, Math.round(milliseconds * 1000)),
      defenseInDepth: false,
      executionLimits: { maxCommandCount: SHELL_COMMAND_BUDGET, maxLoopIterations: SHELL_COMMAND_BUDGET, maxExecutionTimeMs: 3_600_000, maxOutputSize: 512 * 1024 * 1024 },
    });
    bash.registerTransformPlugin(plugin);
    this.bash = bash;
    this.jobFiles = bash.fs;
    // No namespace variable: a command without one runs in the root namespace, and env shows the user nothing of netsim's; no sink variables either (unset, they default to the sinks: shell-names.ts).
    let result = await bash.exec(mainText, { rawScript: true, signal: this.stop.signal });
    result = this.shellLimit(result);
    // The ERR and EXIT traps set -e left owed (trap.ts); a run netsim stopped runs none, as what follows its stop is unknown.
    if (!this.aborted) result = await finishTraps(bash, result, traps, plugin.functions.values(), mainIndex);
    // What reached the shell's own streams rather than a sink (a trap's eval, the prelude's own commands), then the jobs' last lines.
    this.print("stdout", result.stdout);
    this.print("stderr", result.stderr);
    // Jobs that are shells of their own and still wait stop with the scenario, as the kernel backend stops what still runs.
    await this.jobs.stopScripts();
    this.collectJobs();
    this.jobs.end();
    this.showJobs(Number.POSITIVE_INFINITY);
    return this.result(main.display, result.exitCode);
  }

  /**
   * just-bash's executionLimits ended the run (its own text, no line): said
   * as netsim's command budget at the endless loop's line, status 2.
   */
  private shellLimit<T extends { stdout: string; stderr: string; exitCode: number }>(result: T): T {
    SHELL_LIMIT.lastIndex = 0;
    if (!SHELL_LIMIT.test(result.stdout) && !SHELL_LIMIT.test(result.stderr)) return result;
    const location = this.endlessLoop() ?? { file: main(this.fileTable), line: 0 };
    const budget = SHELL_COMMAND_BUDGET.toLocaleString("en-US");
    const message = `${location.file}:${location.line}: netsim: the scenario ran ${budget} commands without ending, the most it may run (an endless loop?); stopped here`;
    this.addProblem({ location, word: "", message });
    this.aborted = true;
    const strip = (text: string) => text.replace(SHELL_LIMIT, "");
    return { ...result, stdout: strip(result.stdout), stderr: `${strip(result.stderr)}${message}\n`, exitCode: 2 };
  }

  /** The loop still iterating when a budget ran out: of the last marks, the least frequent (the outermost), the first entered of those. */
  private endlessLoop(): SourceLocation | undefined {
    const counts = new Map<string, number>();
    for (const mark of this.loopMarks) counts.set(mark, (counts.get(mark) ?? 0) + 1);
    let best: string | undefined;
    for (const [mark, count] of counts) {
      const bestCount = best === undefined ? Infinity : counts.get(best)!;
      if (count < bestCount || (count === bestCount && this.firstLoopMark.get(mark)! < this.firstLoopMark.get(best!)!)) best = mark;
    }
    return best === undefined ? undefined : this.locationStack(best).stack[0];
  }

  /**
   * Moves the jobs on to the clock's time and shows what they printed by
   * then: a job writes to the shell's stdout and stderr as it goes (bash
   * does not hold a job's output), so its lines come before whatever the
   * scenario prints next, once JOB_OUTPUT_LATENCY has passed (jobs.ts keeps
   * them in time order). `inclusive`: all they printed by now (wait: the
   * shell waited until they exited, so all they wrote is out).
   */
  private collectJobs(inclusive = false): void {
    if (this.jobs.running().length > 0) this.jobs.poll();
    this.showJobs(inclusive ? this.world.clock + 1 : this.world.clock - JOB_OUTPUT_LATENCY);
  }

  /** Puts what jobs printed before virtual time `before` in the journal. */
  private showJobs(before: number): void {
    if (!this.jobs.pendingOutput) return;
    for (const piece of this.jobs.take(before)) {
      const file = piece.job.redirects?.[piece.stream];
      if (file === undefined) this.journalAdd(piece.stream, piece.text);
      // To the file the job's stream was sent to (an in-memory file: the append is done when the call returns).
      else if (file !== "/dev/null") void this.jobFiles?.appendFile(file, piece.text).catch(() => undefined);
    }
  }

  /**
   * The scenario's own output (a sink write, a message): what jobs printed
   * by now comes first. The stdout of the foreground command that just let
   * time pass (interleave) goes line by line, each after what jobs printed
   * before it; were it sent elsewhere (a pipe, a file), the next output
   * shows the jobs' lines as usual.
   */
  private print(stream: OutputChunk["stream"], text: string): void {
    if (text === "") return;
    // A job that is a shell of its own is running its turn: what it writes is its own, shown in time with the rest (jobs.ts).
    const current = this.jobs.current;
    if (current !== undefined) {
      this.jobs.collect(current, { stdout: stream === "stdout" ? text : "", stderr: stream === "stderr" ? text : "" });
      return;
    }
    const interleave = this.interleave;
    this.interleave = undefined;
    if (interleave && stream === "stdout" && text === interleave.text) {
      this.jobs.poll();
      for (const piece of interleave.timed) {
        this.showJobs(piece.time - JOB_OUTPUT_LATENCY);
        this.journalAdd(piece.stream, piece.text);
      }
      return;
    }
    this.collectJobs();
    this.journalAdd(stream, text);
  }

  /** Adds a chunk to the journal, joined to the last when on the same stream. */
  private journalAdd(stream: OutputChunk["stream"], text: string): void {
    const last = this.journal[this.journal.length - 1];
    if (last?.stream === stream) this.journal[this.journal.length - 1] = { stream, text: last.text + text };
    else this.journal.push({ stream, text });
  }

  /** True when the command runs as a job of `&` (its own mark, not one inherited by a function it is in); refuses a compound job. */
  private background(env: ReadonlyMap<string, string>): boolean | { stdout: string; stderr: string; exitCode: number } {
    const mark = env.get(BACKGROUND_VARIABLE);
    if (mark === undefined) return false;
    if (env.has(BACKGROUND_COMPOUND) || mark !== env.get(LOCATION_VARIABLE)) {
      return this.refuse("&", COMPOUND_JOB_MESSAGE, env.get(LOCATION_VARIABLE));
    }
    return true;
  }

  /**
   * The main shell, about to run a command (or after a sleep of its own):
   * the jobs that are shells of their own and whose time came by now take
   * their turns first (jobs.ts). One whose sleep ended while a foreground
   * command let time pass in one go (ping, nc -w) would run on only now,
   * later than on a real host: refused by name.
   */
  private async pumpTo(until: number, env: ReadonlyMap<string, string>): Promise<{ stdout: string; stderr: string; exitCode: number } | undefined> {
    if (this.jobs.current !== undefined) return undefined;
    const late = await this.jobs.pump(until);
    return late === undefined ? undefined : this.lateJob(late, env);
  }

  private lateJob(late: Job, env: ReadonlyMap<string, string>): { stdout: string; stderr: string; exitCode: number } {
    return this.refuse("&", `a job of & that is a shell of its own (${late.text}) whose sleep ends while a foreground command lets virtual time pass (ping, nc, curl ...) is not modelled: it would go on only when that command ends`, env.get(LOCATION_VARIABLE));
  }

  /**
   * `bash -c '...' &`, `( ... ) &`, `{ ...; } &` (transform.ts: JOB_SCRIPT_COMMAND):
   * a job that is a shell of its own, run on the embedded shell beside the
   * main one (jobs.ts). A body (`--body`) runs in a copy of the shell's
   * variables, with the functions the scripts defined and the options that
   * matter; `--argv` runs the shell command line as written, as in the
   * foreground. `extra`: variables for it (the namespace of `ip netns exec`).
   */
  private async startScriptJob(context: { readonly cwd: string; readonly env: ReadonlyMap<string, string>; readonly exportedEnv?: Record<string, string> }, text: string, script: { readonly body: string } | { readonly argv: readonly string[] }, extra: Record<string, string> = {}): Promise<void> {
    // The shell's own exec (a command's nested exec ends with the command, and the job outlives it).
    const bash = this.bash;
    if (!bash) throw new Error("netsim: no shell to run a job of its own");
    const env: Record<string, string> = {};
    // A body runs in a copy of the shell (all its variables); `bash -c` is a new shell, given the exported ones (and netsim's).
    const given = "body" in script ? context.env : new Map([...Object.entries(context.exportedEnv ?? {}), ...[...context.env].filter(([name]) => name.startsWith("__NETSIM_"))]);
    for (const [name, value] of given) if (![BACKGROUND_VARIABLE, BACKGROUND_QUIET, BACKGROUND_ERRORS, BACKGROUND_COMPOUND, BACKGROUND_TEXT].includes(name)) env[name] = value;
    Object.assign(env, extra);
    let source: string;
    if ("body" in script) {
      // Its commands are located where they stand (the body carries their lines); the job command's own place is not one of their callers.
      const at = env[LOCATION_VARIABLE] ?? "";
      env[LOCATION_VARIABLE] = at.includes(" ") ? at.slice(at.indexOf(" ") + 1) : "";
      const options = ["errexit", "nounset", "pipefail"].filter((option) => (env.SHELLOPTS ?? "").split(":").includes(option));
      source = [`${TRANSFORMED_MARK}=1`, ...(this.plugin?.functions.values() ?? []), ...(options.length > 0 ? [`set ${options.map((option) => `-o ${option}`).join(" ")}`] : []), script.body].join("\n");
    } else if (script.argv[1] === "-c" && script.argv[2] !== undefined) {
      // `bash -c SCRIPT [NAME [ARGS...]]`: SCRIPT itself, ARGS its positional parameters.
      const args = script.argv.slice(4);
      source = args.length > 0 ? `set -- ${args.map(shellQuote).join(" ")}\n${script.argv[2]}` : script.argv[2];
    } else source = script.argv.map(shellQuote).join(" ");
    await this.jobs.startScript(text, undefined, (signal) => bash.exec(source, { cwd: context.cwd, env, replaceEnv: true, rawScript: true, signal }));
  }

  /** kill, jobs, wait and $! on the job table (jobs.ts); errors as bash prints them at their line. */
  private jobCommands(): Command[] {
    const at = (env: ReadonlyMap<string, string>) => {
      const location = this.locationStack(env.get(LOCATION_VARIABLE)).stack[0] ?? { file: main(this.fileTable), line: 0 };
      return location;
    };
    const error = (env: ReadonlyMap<string, string>, text: string) => {
      const location = at(env);
      return `${location.file}: line ${location.line}: ${text}\n`;
    };
    return [
      defineCommand(JOB_PID_COMMAND, async () => ({ stdout: this.jobs.last, stderr: "", exitCode: 0 })),
      defineCommand(JOB_SCRIPT_COMMAND, async (args, context) => {
        if (this.aborted) return { stdout: "", stderr: "", exitCode: 126 };
        const background = this.background(context.env);
        if (typeof background === "object") return background;
        const [text = "", mode, ...rest] = args;
        const refused = await this.pumpTo(this.world.clock, context.env);
        if (refused) return refused;
        this.collectJobs();
        await this.startScriptJob(context, decoded(text), mode === "--body" ? { body: decoded(rest[0] ?? "") } : { argv: rest });
        return { stdout: "", stderr: "", exitCode: 0 };
      }),
      defineCommand("jobs", async (args, context) => {
        if (this.aborted) return { stdout: "", stderr: "", exitCode: 126 };
        if (this.jobs.current !== undefined) return this.refuse("jobs", "jobs inside a job of & (a subshell's own job table) is not modelled", context.env.get(LOCATION_VARIABLE));
        if (args.some((arg) => arg !== "-p")) return this.refuse(args.find((arg) => arg !== "-p")!, "jobs takes only -p here", context.env.get(LOCATION_VARIABLE));
        this.collectJobs();
        return { stdout: this.jobs.list(args.includes("-p")), stderr: "", exitCode: 0 };
      }),
      defineCommand("kill", async (args, context) => {
        if (this.aborted) return { stdout: "", stderr: "", exitCode: 126 };
        this.collectJobs();
        let signal = "TERM";
        const operands = [...args];
        if (operands[0] === "-s" || operands[0] === "-n") {
          operands.shift();
          signal = operands.shift() ?? "";
        } else if (operands[0]?.startsWith("-") && operands[0] !== "--") signal = operands.shift()!.slice(1);
        if (operands[0] === "--") operands.shift();
        if (signal === "l" || signal === "L") return this.refuse(`-${signal}`, "kill -l (the signal list) is not modelled", context.env.get(LOCATION_VARIABLE));
        let stderr = "";
        for (const operand of operands) {
          const job = this.jobs.find(operand, "kill");
          if (typeof job === "string") stderr += error(context.env, job);
          else if (job.script) await this.jobs.killScript(job, signal);
          else this.jobs.kill(job, signal);
        }
        if (operands.length === 0) stderr += error(context.env, "kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]");
        return { stdout: "", stderr, exitCode: stderr === "" ? 0 : operands.length === 0 ? 2 : 1 };
      }),
      defineCommand(WAIT_COMMAND, async (args, context) => {
        if (this.aborted) return { stdout: "", stderr: "", exitCode: 126 };
        if (this.jobs.current !== undefined) return this.refuse("wait", "wait inside a job of & (for the subshell's own jobs) is not modelled", context.env.get(LOCATION_VARIABLE));
        const refused = await this.pumpTo(this.world.clock, context.env);
        if (refused) return refused;
        this.collectJobs();
        if (args.some((arg) => arg.startsWith("-"))) return this.refuse(args.find((arg) => arg.startsWith("-"))!, "wait takes no option here", context.env.get(LOCATION_VARIABLE));
        let stderr = "";
        let exitCode = 0;
        const waited: Job[] = [];
        for (const operand of args) {
          const job = this.jobs.find(operand, "wait");
          if (typeof job === "string") {
            stderr += error(context.env, job);
            exitCode = 127;
          } else waited.push(job);
        }
        const lastUnknown = args.length > 0 && typeof this.jobs.find(args[args.length - 1]!, "wait") === "string";
        const jobs = args.length === 0 ? this.jobs.running() : waited;
        const done = await this.jobs.waitFor(jobs, VIRTUAL_TIME_BUDGET_SECONDS * 1e6);
        if (done === undefined) return this.overBudget(at(context.env), "a wait for a job that never exits on its own (a listener: nc -l, a server)");
        // What the jobs printed while it waited, up to their exit: shown now, before the errors wait prints.
        this.collectJobs(true);
        this.jobs.waited(args.length === 0 ? "all" : waited);
        if (args.length === 0) return { stdout: "", stderr: "", exitCode: 0 };
        const last = jobs[jobs.length - 1];
        return { stdout: "", stderr, exitCode: stderr !== "" && waited.length === 0 ? exitCode : lastUnknown ? 127 : (last?.exitCode ?? exitCode) };
      }),
    ];
  }

  private result(display: string, exitCode: number): SimulatedRun {
    // Each chunk with the rewrite undone (set -x lines, listings: userOutput), chunks left empty dropped and their neighbours joined.
    const streams: OutputChunk[] = [];
    for (const chunk of this.journal) {
      const text = userOutput(chunk.text);
      if (text === "") continue;
      const last = streams[streams.length - 1];
      if (last?.stream === chunk.stream) streams[streams.length - 1] = { stream: chunk.stream, text: last.text + text };
      else streams.push({ stream: chunk.stream, text });
    }
    return {
      streams,
      file: display,
      backend: "sim",
      commands: this.records,
      expectations: this.checkExpectations(),
      output: streams.map((chunk) => chunk.text).join(""),
      exitCode,
      traces: this.traces,
      world: this.world,
      problems: this.problems,
    };
  }

  /**
   * Lists, before the run, every command of the main file netsim cannot run
   * (an unmodelled tool, a builtin the embedded shell lacks), every form the
   * commands' own parsers refuse on the words the text fixes (an option, a
   * link type, a match: refusedOptions), in line order, and every name
   * that is a command nowhere (a typo: bash says "command not found", 127,
   * and so does the run; the report counts it as an input problem). The run
   * still stops at the first unmodelled one, where its message is printed.
   */
  private checkCommands(ast: object, main: LoadedFile): void {
    const { commands, functions, refused, fixed } = scanScript(ast);
    const found: ScenarioProblem[] = [];
    // Forms of trap and & netsim refuses where they run (trap.ts, jobs.ts), and what the commands' parsers refuse, listed up front too.
    for (const { word, line, detail } of [...refused, ...refusedOptions(fixed)]) found.push({ location: { file: main.display, line }, word, message: `${main.display}:${line}: netsim: ${detail} (at "${word}")` });
    const unmodelled = new Set<string>([...UNMODELLED_TOOLS, ...MISSING_BUILTINS].filter((name) => !NETWORK_COMMANDS.has(name)));
    let known: Set<string> | undefined;
    const isKnown = (name: string) => {
      known ??= new Set<string>([...NETWORK_COMMANDS.keys(), ...getCommandNames(), ...BASH_BUILTINS, "id", "whoami", ...functions]);
      if (known.has(name)) return true;
      // A function a sourced file defines: the other shell files of the tree are read only now, when a name is unknown.
      for (const loaded of this.fileTable) {
        if (loaded === main || !loaded.path.endsWith(".sh")) continue;
        try {
          for (const defined of scanScript(parse(loaded.text() ?? "")).functions) known.add(defined);
        } catch {
          // a file that does not parse defines nothing
        }
      }
      return known.has(name);
    };
    for (const { name, line } of commands) {
      const location = { file: main.display, line };
      if (unmodelled.has(name)) {
        const detail = MISSING_BUILTINS.includes(name) ? `the embedded shell has no ${name} builtin` : `${name} is not modelled`;
        found.push({ location, word: name, message: `${main.display}:${line}: netsim: ${detail} (at "${name}")` });
      } else if (!name.includes("/") && !name.startsWith("__netsim") && !isKnown(name)) {
        found.push({ location, word: name, message: `${main.display}:${line}: ${name}: command not found (no such command in bash or netsim)` });
      }
    }
    this.problems.push(...found.sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0)));
  }

  /** Stops the run at a form of a builtin netsim cannot run where it stands (given the location variable there). */
  private refuse(word: string, detail: string, at: string | undefined): { stdout: string; stderr: string; exitCode: number } {
    const location = this.locationStack(at).stack[0] ?? { file: main(this.fileTable), line: 0 };
    const message = `${location.file}:${location.line}: netsim: ${detail} (at "${word}")`;
    this.addProblem({ location, word, message });
    this.aborted = true;
    this.stop.abort();
    return { stdout: "", stderr: `${message}\n`, exitCode: 2 };
  }

  /** Stops the run: a budget is spent at `location`. */
  private overBudget(location: SourceLocation, what: string): { stdout: string; stderr: string; exitCode: number } {
    const message = `${location.file}:${location.line}: netsim: the scenario ran ${what}; stopped here`;
    this.addProblem({ location, word: "", message });
    this.aborted = true;
    this.stop.abort();
    return { stdout: "", stderr: `${message}\n`, exitCode: 2 };
  }

  /** coreutils sleep: NUMBER[smhd]..., summed; the virtual clock moves, every pending event of the world runs. */
  private sleepCommand(): Command {
    return defineCommand("sleep", async (args, context) => {
      if (this.aborted) return { stdout: "", stderr: "", exitCode: 126 };
      const usage = "Try 'sleep --help' for more information.\n";
      if (args.length === 0) return { stdout: "", stderr: `sleep: missing operand\n${usage}`, exitCode: 1 };
      let seconds = 0;
      for (const arg of args) {
        const match = /^(\d+\.?\d*|\.\d+)([smhd]?)$/.exec(arg);
        if (!match) return { stdout: "", stderr: `sleep: invalid time interval ‘${arg}’\n${usage}`, exitCode: 1 };
        seconds += Number(match[1]) * { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as "" | "s" | "m" | "h" | "d"];
      }
      const { stack } = this.locationStack(context.env.get(LOCATION_VARIABLE));
      const location = stack[0] ?? { file: main(this.fileTable), line: 0 };
      if (this.world.clock / 1e6 + seconds > VIRTUAL_TIME_BUDGET_SECONDS) {
        return this.overBudget(location, `past 24 hours of virtual time (an endless loop?)`);
      }
      const current = this.jobs.current;
      if (current !== undefined && !context.env.has(BACKGROUND_VARIABLE)) {
        // In a job that is a shell of its own: it waits, the main shell goes on (jobs.ts).
        await this.jobs.sleepIn(current, Math.round(seconds * 1e6));
        return { stdout: "", stderr: "", exitCode: current.script!.abort.signal.aborted ? 128 + 15 : 0 };
      }
      const background = this.background(context.env);
      if (typeof background === "object") return background;
      if (background) {
        // sleep N &: a job that ends N seconds on.
        this.jobs.start(jobDisplay(context.env, ["sleep", ...args].join(" ")), { until: this.world.clock + Math.round(seconds * 1e6) });
        return { stdout: "", stderr: "", exitCode: 0 };
      }
      const refused = await this.pumpTo(this.world.clock, context.env);
      if (refused) return refused;
      this.collectJobs();
      const late = await this.jobs.pump(this.world.clock + Math.round(seconds * 1e6));
      if (late !== undefined) return this.lateJob(late, context.env);
      this.collectJobs();
      return { stdout: "", stderr: "", exitCode: 0 };
    });
  }

  /** An input problem found when it ran, unless the check before the run listed it already. */
  private addProblem(problem: ScenarioProblem): void {
    const listed = this.problems.some((known) => known.word === problem.word && known.location?.file === problem.location?.file && known.location?.line === problem.location?.line);
    if (!listed) this.problems.push(problem);
  }

  private commands(): Command[] {
    const commands: Command[] = [];
    for (const [name, implementation] of NETWORK_COMMANDS) commands.push(this.wrap(name, implementation));
    for (const name of UNMODELLED_TOOLS) if (!NETWORK_COMMANDS.has(name)) commands.push(this.wrap(name, unmodelledTool(name)));
    for (const name of MISSING_BUILTINS) if (!NETWORK_COMMANDS.has(name)) commands.push(this.wrap(name, missingBuiltin(name)));
    commands.push(this.procSysWriteCommand());
    commands.push(this.sleepCommand());
    commands.push(...this.jobCommands());
    commands.push(this.wrap(PROC_SYS_READ_COMMAND, this.procSysRead));
    commands.push(...listingCommands());
    return commands;
  }

  /** `CMD > /proc/sys/KEY`, rewritten by the transform: run CMD, and write what it printed into the key. */
  private procSysWriteCommand(): Command {
    return defineCommand(PROC_SYS_WRITE_COMMAND, async (args, context) => {
      if (this.aborted) return { stdout: "", stderr: "", exitCode: 126 };
      const [path = "", ...argv] = args;
      const { stack, callers } = this.locationStack(context.env.get(LOCATION_VARIABLE));
      this.options.beforeCommand?.({ stack, world: this.world, commands: this.records });
      const location = stack[0];
      const namespace = this.namespaceFor(context.env.get(NAMESPACE_VARIABLE));
      // The text written is the inner command's own output, not the sinks'.
      const inner = await context.exec!(argv.map(shellQuote).join(" "), { cwd: context.cwd, env: { [STDOUT_VARIABLE]: "/dev/stdout", [STDERR_VARIABLE]: "/dev/stderr" } });
      if (!namespace) return { stdout: "", stderr: "netsim: the namespace this command runs in was deleted\n", exitCode: 1 };
      const line = location?.line ?? 0;
      if (path.startsWith(SYS_CLASS_NET)) {
        // The bridge's sysfs attributes (net/bridge/br-sysfs-if.ts): the same shell texts as a failed /proc/sys write.
        const target = sysfsTarget(namespace, path);
        if (target.kind === "unmodelled" && location) {
          const message = `${location.file}:${location.line}: netsim: /sys/class/net/*/${target.attribute} is not modelled (at "${path}")`;
          this.problems.push({ location, word: path, message });
          this.aborted = true;
          return { stdout: "", stderr: `${message}\n`, exitCode: 2 };
        }
        const written = target.kind === "missing" ? "ENOENT" : sysfsWrite(this.world, namespace, target, inner.stdout, location);
        const stderr = written === "ok" ? inner.stderr : `${inner.stderr}bash: line ${line}: ${written === "ENOENT" ? `${path}: No such file or directory` : `${argv[0] ?? "echo"}: write error: Invalid argument`}\n`;
        const exitCode = written === "ok" ? inner.exitCode : 1;
        this.options.onCommand?.({ location: location ?? { file: "?", line: 0 }, callers, namespace: namespace.name, argv: [...argv, ">", path], exitCode, stdout: "", stderr }, this.world);
        return { stdout: "", stderr, exitCode };
      }
      const key = normaliseSysctlKey(path);
      const environment: CommandEnvironment = { world: this.world, namespace, ...(location ? { origin: location } : {}), tracing: false, stdin: "", commandText: `${argv.join(" ")} > ${path}` };
      const outcome = invokeCommand("sysctl", sysctl, ["-q", "-w", `${key}=${inner.stdout.trim()}`], environment);
      if (outcome.kind === "unsupported") {
        const message = `${location?.file ?? main(this.fileTable)}:${line}: ${outcome.message} (at "${outcome.word}")`;
        this.addProblem({ ...(location ? { location } : {}), word: outcome.word, message });
        this.aborted = true;
        return { stdout: "", stderr: `${message}\n`, exitCode: 2 };
      }
      if (outcome.kind === "done" && outcome.exitCode !== 0) {
        const missing = outcome.stderr.includes("cannot stat");
        const stderr = `${inner.stderr}bash: line ${line}: ${missing ? `${path}: No such file or directory` : `${argv[0] ?? "echo"}: write error: Invalid argument`}\n`;
        this.options.onCommand?.({ location: location ?? { file: "?", line: 0 }, callers, namespace: namespace.name, argv: [...argv, ">", path], exitCode: 1, stdout: "", stderr }, this.world);
        return { stdout: "", stderr, exitCode: 1 };
      }
      this.options.onCommand?.({ location: location ?? { file: "?", line: 0 }, callers, namespace: namespace.name, argv: [...argv, ">", path], exitCode: inner.exitCode, stdout: "", stderr: inner.stderr }, this.world);
      return { stdout: "", stderr: inner.stderr, exitCode: inner.exitCode };
    });
  }

  private locationStack(text: string | undefined): LocationStack {
    if (!text) return NO_LOCATION;
    let located = this.stacks.get(text);
    if (located === undefined) {
      const stack: SourceLocation[] = [];
      for (const part of text.split(" ")) {
        if (part.length === 0) continue;
        const [index, line] = part.split(":");
        const fileIndex = Number(index);
        const loaded = this.fileTable[fileIndex];
        if (loaded) this.filesNamed.add(fileIndex);
        stack.push({ file: loaded?.display ?? "?", line: Number(line) });
      }
      located = { stack, callers: stack.slice(1) };
      this.stacks.set(text, located);
    }
    return located;
  }

  /**
   * A write under /proc/sys that reached the file system (any spelling but the
   * literal `> /proc/sys/...` the transform takes): applied as `sysctl -w` in
   * the namespace the writer runs in. The file system cannot fail the write
   * as the kernel does (bash's "write error" and status 1), so a write the
   * kernel refuses is an input problem that stops the run, never a silent no-op.
   */
  private procSysHooks(): ProcSysHooks {
    const where = () => this.nested[this.nested.length - 1];
    const namespace = () => where()?.namespace ?? this.namespaceFor(undefined);
    const problem = (detail: string, word: string) => {
      const location = where()?.location;
      const message = `${location ? `${location.file}:${location.line}` : main(this.fileTable)}: netsim: ${detail} (at "${word}")`;
      this.problems.push({ ...(location ? { location } : {}), word, message });
      this.aborted = true;
    };
    return {
      write: (path, text) => {
        if (this.aborted) return;
        const inside = namespace();
        if (!inside) return;
        const key = normaliseSysctlKey(path);
        const environment: CommandEnvironment = { world: this.world, namespace: inside, tracing: false, stdin: "", commandText: `> ${path}` };
        const outcome = invokeCommand("sysctl", sysctl, ["-q", "-w", `${key}=${text.trim()}`], environment);
        if (outcome.kind === "unsupported") problem(outcome.message.replace(/^netsim: /, ""), outcome.word);
        else if (outcome.kind === "done" && outcome.exitCode !== 0) {
          const missing = outcome.stderr.includes("cannot stat");
          problem(`the kernel refuses this write to ${path} (${missing ? "No such file or directory" : "Invalid argument"}), and a write through a path in a variable, tee or printf cannot fail where it stands in the embedded shell; write it as echo V > ${path}`, path);
        }
      },
      loop: (mark) => {
        this.loopMarks[this.loopMarkCount++ % LOOP_WINDOW] = mark;
        if (!this.firstLoopMark.has(mark)) this.firstLoopMark.set(mark, this.loopMarkCount);
      },
      output: (stream, text) => this.print(stream, text),
      beforeRead: () => this.collectJobs(),
      read: (path) => {
        const inside = namespace();
        if (!inside) return undefined;
        const outcome = invokeCommand("sysctl", sysctl, ["-n", normaliseSysctlKey(path)], { world: this.world, namespace: inside, tracing: false, stdin: "", commandText: `cat ${path}` });
        return outcome.kind === "done" && outcome.exitCode === 0 ? outcome.stdout : undefined;
      },
    };
  }

  private namespaceFor(text: string | undefined): NetworkNamespace | undefined {
    return this.world.namespaces.get(text === undefined ? ROOT_NAMESPACE_ID : Number(text));
  }

  private wrap(name: string, implementation: NetworkCommand): Command {
    // netsim's own rewrites (`cat /proc/sys/...`) are not the scenario's commands: no record, argv as given.
    const internal = name.startsWith("__netsim");
    return defineCommand(name, async (args, context) => {
      if (this.aborted) return { stdout: "", stderr: "", exitCode: 126 };
      const { stack, callers } = this.locationStack(context.env.get(LOCATION_VARIABLE));
      this.options.beforeCommand?.({ stack, world: this.world, commands: this.records });
      const location = stack[0] ?? { file: this.fileTable[0]?.display ?? "?", line: 0 };
      const namespace = this.namespaceFor(context.env.get(NAMESPACE_VARIABLE));
      const argv = internal ? args : [name, ...args];
      const background = this.background(context.env);
      if (typeof background === "object") return background;
      const refused = await this.pumpTo(this.world.clock, context.env);
      if (refused) return refused;
      this.collectJobs();
      // A command in the foreground of a job that is a shell of its own: one that keeps running (ping, tcpdump, a listener) makes the job wait for it, the main shell goes on.
      const inJob = background ? undefined : this.jobs.current;
      if (++this.networkCommands > NETWORK_COMMAND_BUDGET) {
        return this.overBudget(location, `more than ${NETWORK_COMMAND_BUDGET.toLocaleString("en-US")} networking commands (an endless loop?)`);
      }
      if (!namespace) {
        return { stdout: "", stderr: `${location.file}:${location.line}: netsim: the namespace this command runs in was deleted\n`, exitCode: 1 };
      }
      const files = await readOperandFiles(name, args, context);
      const environment: CommandEnvironment = {
        world: this.world,
        namespace,
        origin: location,
        tracing: this.tracing,
        stdin: typeof context.stdin === "string" ? context.stdin : "",
        ...(files ? { files } : {}),
        commandText: argv.join(" "),
        ...(background || inJob ? { background: true } : {}),
      };
      let outcome: Invocation = invokeCommand(name, implementation, args, environment);
      if (outcome.kind === "unsupported") {
        const message = `${location.file}:${location.line}: ${outcome.message} (at "${outcome.word}")`;
        this.addProblem({ location, word: outcome.word, message });
        this.aborted = true;
        return { stdout: "", stderr: `${message}\n`, exitCode: 2 };
      }
      if (outcome.kind === "exec") {
        if (!context.exec) throw new Error("netsim: the shell gave no way to run a nested command");
        const [program, flag, script] = outcome.argv;
        const text = (program === "bash" || program === "sh") && flag === "-c" && script !== undefined ? script : outcome.argv.map(shellQuote).join(" ");
        if (background && (program === "bash" || program === "sh")) {
          // `ip netns exec NS bash -c '...' &`: a job that is a shell of its own, in NS.
          await this.startScriptJob(context, this.jobText ?? jobDisplay(context.env, argv.join(" ")), { argv: outcome.argv }, { [NAMESPACE_VARIABLE]: String(outcome.namespace.id), [STDOUT_VARIABLE]: context.env.get(STDOUT_VARIABLE) ?? "", [STDERR_VARIABLE]: context.env.get(STDERR_VARIABLE) ?? "" });
          return { stdout: "", stderr: "", exitCode: 0 };
        }
        this.nested.push({ namespace: outcome.namespace, location });
        if (background) this.jobText ??= jobDisplay(context.env, argv.join(" "));
        try {
          const inner = await context.exec(text, {
            cwd: context.cwd,
            // CMD's output is the command's own, which the command's redirections send on (to the sinks or a capture).
            env: { [NAMESPACE_VARIABLE]: String(outcome.namespace.id), [STDOUT_VARIABLE]: "/dev/stdout", [STDERR_VARIABLE]: "/dev/stderr", [LOCATION_VARIABLE]: context.env.get(LOCATION_VARIABLE) ?? "", ...(background ? { [BACKGROUND_VARIABLE]: context.env.get(BACKGROUND_VARIABLE)!, ...(context.env.has(BACKGROUND_QUIET) ? { [BACKGROUND_QUIET]: context.env.get(BACKGROUND_QUIET)! } : {}), ...(context.env.has(BACKGROUND_ERRORS) ? { [BACKGROUND_ERRORS]: context.env.get(BACKGROUND_ERRORS)! } : {}) } : {}) },
            // What was piped into `sudo CMD` / `ip netns exec NS CMD` is CMD's stdin (`echo hi | ip netns exec NS socat - TCP:...`).
            ...(environment.stdin !== "" ? { stdin: environment.stdin } : {}),
          });
          return { stdout: inner.stdout, stderr: inner.stderr, exitCode: inner.exitCode };
        } finally {
          this.nested.pop();
          if (background && this.nested.length === 0) this.jobText = undefined;
        }
      }
      if (outcome.kind === "process" && inJob !== undefined) {
        // It runs to its exit with the job parked on it (jobs.ts); the command's output is all it printed.
        const process = outcome.process;
        const started = process.runUntil(this.world.clock);
        const rest = process.exitCode === undefined ? await this.jobs.waitIn(inJob, process) : { stdout: "", stderr: "" };
        const finished = { kind: "done" as const, stdout: started.stdout + rest.stdout, stderr: started.stderr + rest.stderr, exitCode: process.exitCode ?? 128 + 15, ...(process.trace ? { trace: process.trace } : {}), ...(process.probe ? { probe: process.probe } : {}) };
        const result = probeResult(name, finished);
        outcome = result ? { ...finished, result } : finished;
      }
      const startsJob = outcome.kind === "process";
      if (outcome.kind === "process") {
        // A program that keeps running (a listener): what it printed on starting, then it goes on as a job (the shell's job table takes it from here).
        const process = outcome.process;
        const started = process.runUntil(this.world.clock);
        const recordIndex = this.records.length;
        // A job's streams sent to files: what it prints on starting goes there as the command's own (the shell's redirection makes the file), the rest is appended later.
        const target = (variable: string) => {
          const path = context.env.get(variable);
          return path === undefined ? undefined : context.fs.resolvePath(context.cwd, path);
        };
        const stdoutFile = background ? target(BACKGROUND_QUIET) : undefined;
        const stderrFile = background ? target(BACKGROUND_ERRORS) : undefined;
        const redirects = { ...(stdoutFile !== undefined ? { stdout: stdoutFile } : {}), ...(stderrFile !== undefined ? { stderr: stderrFile } : {}) };
        // What a job prints on starting to the scenario's streams is shown in time with the rest (after what the shell prints at that time: jobs.ts).
        const inTime = { stdout: background && stdoutFile === undefined, stderr: background && stderrFile === undefined };
        const startedOutput = { stdout: inTime.stdout ? "" : started.stdout, stderr: inTime.stderr ? "" : started.stderr };
        const job = this.jobs.start(this.jobText ?? jobDisplay(context.env, argv.join(" ")), {
          process,
          ...(stdoutFile !== undefined || stderrFile !== undefined ? { redirects } : {}),
          // The record takes the job's whole output and status once it exits (the kernel backend records a job when it ends).
          onExit: (job) => {
            const record = this.records[recordIndex];
            if (record === undefined || record.argv !== argv) return;
            const done = { kind: "done" as const, stdout: startedOutput.stdout + job.printed, stderr: startedOutput.stderr + job.printedErrors, exitCode: job.exitCode ?? 0, ...(process.probe ? { probe: process.probe } : {}) };
            const probe = probeResult(name, done);
            this.records[recordIndex] = { ...record, exitCode: done.exitCode, stdout: done.stdout, stderr: done.stderr, ...(probe ? { probe: record.probe?.traceIndex === undefined ? probe : { ...probe, traceIndex: record.probe.traceIndex } } : {}) };
          },
        });
        if (inTime.stdout || inTime.stderr) this.jobs.collect(job, { stdout: inTime.stdout ? started.stdout : "", stderr: inTime.stderr ? started.stderr : "", ...(started.timed ? { timed: started.timed.filter((piece) => inTime[piece.stream]) } : {}) });
        const finished = { kind: "done" as const, stdout: startedOutput.stdout, stderr: startedOutput.stderr, exitCode: process.exitCode ?? 0, ...(process.trace ? { trace: process.trace } : {}), ...(process.probe ? { probe: process.probe } : {}) };
        const result = probeResult(name, finished);
        outcome = result ? { ...finished, result } : finished;
      }
      // A job that ended as it started (`ip link add ... &`): $! and wait still find it.
      if (background && !startsJob && !internal) this.jobs.start(this.jobText ?? jobDisplay(context.env, argv.join(" ")), { exitCode: outcome.exitCode });
      let traceIndex: number | undefined;
      if (outcome.trace) traceIndex = this.traces.push(outcome.trace) - 1;
      if (name === PROC_SYS_READ_COMMAND) {
        this.options.onCommand?.({ location, callers, namespace: namespace.name, argv: ["cat", ...args], exitCode: outcome.exitCode, stdout: outcome.stdout, stderr: outcome.stderr }, this.world);
      }
      if (!internal) {
        const probe = outcome.result;
        this.records.push({
          location,
          callers,
          namespace: namespace.name,
          argv,
          exitCode: outcome.exitCode,
          stdout: outcome.stdout,
          stderr: outcome.stderr,
          ...(probe ? { probe: traceIndex === undefined ? probe : { ...probe, traceIndex } } : {}),
          ...(background ? { background: true as const } : {}),
        });
        this.options.onCommand?.(this.records[this.records.length - 1]!, this.world, outcome.trace);
      }
      // A job that is a shell of its own whose sleep ended while this command let the time pass would run on only now: refused here (pumpTo).
      const late = inJob === undefined ? this.jobs.late() : undefined;
      if (late !== undefined) return this.lateJob(late, context.env);
      const shown = this.options.printTraces && outcome.trace ? `${outcome.stdout}${formatTrace(outcome.trace)}` : outcome.stdout;
      // A foreground command that let time pass while jobs ran: its lines and theirs go out in time order, if its stdout reaches the scenario's (print).
      if (!background && outcome.kind === "done" && outcome.timed && shown === outcome.stdout && this.jobs.running().length > 0) this.interleave = { text: shown, timed: outcome.timed };
      return { stdout: shown, stderr: outcome.stderr, exitCode: outcome.exitCode };
    });
  }

  private readonly procSysRead: NetworkCommand = (argv, environment) => {
    let stdout = "";
    let stderr = "";
    let exitCode = 0;
    for (const path of argv) {
      if (path.startsWith(SYS_CLASS_NET)) {
        const target = sysfsTarget(environment.namespace, path);
        if (target.kind === "unmodelled") throw new UnsupportedError(path, `/sys/class/net/*/${target.attribute} is not modelled`);
        const text = sysfsRead(environment.namespace, target);
        if (text === undefined) {
          stderr += `cat: ${path}: No such file or directory\n`;
          exitCode = 1;
        } else stdout += text;
        continue;
      }
      const outcome = sysctl(["-n", normaliseSysctlKey(path)], environment);
      if (outcome.kind !== "done" || outcome.exitCode !== 0) {
        stderr += `cat: ${path}: No such file or directory\n`;
        exitCode = 1;
      } else stdout += outcome.stdout;
    }
    return { kind: "done", stdout, stderr, exitCode };
  };

  private checkExpectations(): ExpectationResult[] {
    const results: ExpectationResult[] = [];
    const main = this.mainIndex === undefined ? undefined : this.fileTable[this.mainIndex];
    const ran = new Set<string>(main === undefined ? [] : [main.display]);
    for (const record of this.records) {
      ran.add(record.location.file);
      for (const caller of record.callers) ran.add(caller.file);
    }
    // Only a file some location named (or the main file, or the first, which a command with no location stands in) can have run.
    const candidates = new Set(this.filesNamed);
    if (this.mainIndex !== undefined) candidates.add(this.mainIndex);
    candidates.add(0);
    for (const index of [...candidates].sort((a, b) => a - b)) {
      const loaded = this.fileTable[index];
      if (loaded === undefined || !ran.has(loaded.display)) continue;
      let expectations: Map<number, Expectation>;
      try {
        expectations = parseExpectations(loaded.text() ?? "");
      } catch (error) {
        if (error instanceof ExpectationSyntaxError) {
          this.problems.push({ location: { file: loaded.display, line: error.line }, word: error.word, message: `${loaded.display}:${error.line}: ${error.message}` });
          continue;
        }
        throw error;
      }
      results.push(...matchExpectations([{ file: loaded.display, expectations }], this.records));
    }
    return results.sort((a, b) => a.location.file.localeCompare(b.location.file) || a.location.line - b.location.line);
  }
}

/**
 * coreutils env and printenv as just-bash runs them, with netsim's variables
 * (`__NETSIM_*`, shell-names.ts) left out of what they list: the user's
 * environment is theirs (`env | wc -l` counts only it).
 */
function listingCommands(): Command[] {
  const netsim = /^__NETSIM_[A-Z0-9_]+=.*(?:\n|$)/gm;
  return ["env", "printenv"].map((name) =>
    defineCommand(name, async (args, context) => {
      if (!context.origCommand) throw new Error(`netsim: the shell gave no way to run its own ${name}`);
      if (name === "printenv" && args.some((arg) => arg.startsWith("__NETSIM_"))) {
        const others = args.filter((arg) => !arg.startsWith("__NETSIM_"));
        const shown = others.length > 0 ? await context.origCommand(others) : { stdout: "", stderr: "", exitCode: 1 };
        return { stdout: shown.stdout, stderr: shown.stderr, exitCode: 1 };
      }
      const result = await context.origCommand(args);
      return { stdout: result.stdout.replace(netsim, ""), stderr: result.stderr, exitCode: result.exitCode };
    }),
  );
}

/** The files a command names as operands to read (`nft -f FILE`), read from the shell's file system: commands run synchronously. */
async function readOperandFiles(name: string, args: readonly string[], context: { readonly cwd: string; readonly fs: { readFile(path: string): Promise<string>; resolvePath(base: string, path: string): string } }): Promise<Map<string, string | undefined> | undefined> {
  const operands = OPERAND_FILES.get(name)?.(args);
  if (operands === undefined) return undefined;
  const files = new Map<string, string | undefined>(operands.map((path) => [path, undefined]));
  for (const path of files.keys()) {
    try {
      files.set(path, await context.fs.readFile(context.fs.resolvePath(context.cwd, path)));
    } catch {
      files.set(path, undefined);
    }
  }
  return files;
}
