// Worlds for property tests, written as the commands that build them (the
// same text a scenario file holds, so a failing property prints a scenario
// anyone can run with `netsim run` or on the kernel). Simple lines are run
// straight against a World, without the shell; whole scenario files go
// through the scenario runner (src/scenario/runner.ts).
import fc from "fast-check";
import type { CommandEnvironment } from "../commands/command.js";
import { NETWORK_COMMANDS } from "../commands/registry.js";
import type { NetworkNamespace } from "../model/netns.js";
import { cloneWorld, type World } from "../model/world.js";
import { advanceClock, createWorld, rootNamespace } from "../net/index.js";
import { invokeCommand } from "../scenario/invoke.js";
import { ScenarioSimulator, type SimulatedRun } from "../scenario/runner.js";

/** A world as the command lines that build it. Printed (toString, and by fast-check in a counterexample) it is a bash scenario. */
export interface Scenario {
  /** One command per line; `#` comments and blank lines are kept for the printed form. */
  readonly lines: readonly string[];
  toString(): string;
  [fc.toStringMethod](): string;
}

export function scenario(lines: readonly string[]): Scenario {
  const text = `${lines.join("\n")}\n`;
  return { lines, toString: () => text, [fc.toStringMethod]: () => `\n${text}` };
}

/** Two scenarios one after the other. */
export function concatScenarios(...parts: readonly Scenario[]): Scenario {
  return scenario(parts.flatMap((part) => part.lines));
}

/** A line netsim's quick runner cannot take (it wants plain commands; use worldFromScenario for full bash). */
export class ScenarioLineError extends Error {
  constructor(
    readonly line: string,
    readonly detail: string,
  ) {
    super(`${line}: ${detail}`);
  }
}

/** Bash word splitting for plain command lines: quotes and backslashes, no expansions. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  for (let index = 0; index < line.length; index++) {
    const character = line[index]!;
    if (character === "#" && !inWord) break;
    if (character === " " || character === "\t") {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
      continue;
    }
    inWord = true;
    if (character === "'") {
      const end = line.indexOf("'", index + 1);
      if (end < 0) throw new ScenarioLineError(line, "unterminated single quote");
      current += line.slice(index + 1, end);
      index = end;
    } else if (character === '"') {
      let end = index + 1;
      for (; end < line.length && line[end] !== '"'; end++) {
        if (line[end] === "\\" && end + 1 < line.length) end++;
        current += line[end]!;
      }
      if (end >= line.length) throw new ScenarioLineError(line, "unterminated double quote");
      index = end;
    } else if (character === "\\" && index + 1 < line.length) {
      current += line[++index]!;
    } else if ("|;<>$`(){}".includes(character)) {
      throw new ScenarioLineError(line, `"${character}" needs a shell: build this world with worldFromScenario()`);
    } else current += character;
  }
  if (inWord) words.push(current);
  return words;
}

export interface LineResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

function runArgv(world: World, namespace: NetworkNamespace, argv: readonly string[], line: string): LineResult {
  const [name, ...args] = argv;
  if (name === undefined) return { stdout: "", stderr: "", exitCode: 0 };
  if (name === "sleep") {
    advanceClock(world, Math.round(Number(args[0] ?? "0") * 1_000_000));
    return { stdout: "", stderr: "", exitCode: 0 };
  }
  const command = NETWORK_COMMANDS.get(name);
  if (!command) throw new ScenarioLineError(line, `${name} is not a networking command netsim runs without a shell`);
  const environment: CommandEnvironment = { world, namespace, tracing: false, stdin: "", commandText: argv.join(" ") };
  const outcome = invokeCommand(name, command, args, environment);
  if (outcome.kind === "unsupported") throw new ScenarioLineError(line, outcome.message);
  if (outcome.kind === "exec") return runArgv(world, outcome.namespace, outcome.argv, line);
  if (outcome.kind === "process") {
    // A listener: it goes on listening; what it printed on starting is its output.
    const started = outcome.process.runUntil(world.clock);
    return { stdout: started.stdout, stderr: started.stderr, exitCode: outcome.process.exitCode ?? 0 };
  }
  return { stdout: outcome.stdout, stderr: outcome.stderr, exitCode: outcome.exitCode };
}

/**
 * Runs one plain command line (`ip ...`, `iptables ...`, `ip netns exec NS
 * nc -lk 80 &`, `sysctl -w ...`, `sleep 1`) against the world, in its root
 * namespace. A trailing `&` is accepted: listeners return at once.
 */
export function runLine(world: World, line: string): LineResult {
  const words = splitWords(line);
  if (words[words.length - 1] === "&") words.pop();
  else if (words.length > 0 && words[words.length - 1]!.endsWith("&")) words[words.length - 1] = words[words.length - 1]!.slice(0, -1);
  return runArgv(world, rootNamespace(world), words, line);
}

const BUILT = new Map<string, World>();

/**
 * The world a scenario of plain lines builds; every line must succeed. Worlds
 * are cached by text and handed out as fresh copies, so building the same
 * world in every run of a property costs one structuredClone.
 */
export function buildWorld(built: Scenario | readonly string[]): World {
  const lines = "lines" in built ? built.lines : built;
  const key = lines.join("\n");
  let world = BUILT.get(key);
  if (!world) {
    world = createWorld();
    for (const line of lines) {
      const result = runLine(world, line);
      if (result.exitCode !== 0) throw new ScenarioLineError(line, `exit status ${result.exitCode}: ${result.stderr.trim()}`);
    }
    if (BUILT.size > 256) BUILT.clear();
    BUILT.set(key, world);
  }
  return cloneWorld(world);
}

/**
 * The world a whole bash scenario leaves behind (loops, functions,
 * here-documents, `source`): the scenario runner's own shell. `files` maps
 * other paths the scenario sources to their text.
 */
export async function worldFromScenario(text: string | Scenario, options: { readonly files?: Readonly<Record<string, string>>; readonly path?: string } = {}): Promise<{ readonly world: World; readonly run: SimulatedRun }> {
  const path = options.path ?? "/netsim-testing/scenario.sh";
  const run = await new ScenarioSimulator({ files: { ...(options.files ?? {}), [path]: String(text) } }).run(path);
  if (run.problems.length > 0) throw new ScenarioLineError(path, run.problems.map((problem) => problem.message).join("; "));
  return { world: run.world, run };
}

/** The world a scenario file on disk leaves behind, with the files beside it it sources (as `netsim run` reads them). */
export async function worldFromScenarioFile(path: string): Promise<{ readonly world: World; readonly run: SimulatedRun }> {
  const run = await new ScenarioSimulator().run(path);
  if (run.problems.length > 0) throw new ScenarioLineError(path, run.problems.map((problem) => problem.message).join("; "));
  return { world: run.world, run };
}
